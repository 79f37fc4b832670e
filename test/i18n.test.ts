import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { en } from '../src/i18n/en.ts';
import { fr } from '../src/i18n/fr.ts';
import { negotiateLang, translate, translatePlural } from '../src/i18n/index.ts';

describe('message catalogues', () => {
  it('French and English have exactly the same keys', () => {
    const missingInEnglish = Object.keys(fr).filter((key) => !(key in en));
    const missingInFrench = Object.keys(en).filter((key) => !(key in fr));
    assert.deepEqual({ missingInEnglish, missingInFrench }, { missingInEnglish: [], missingInFrench: [] });
  });

  it('every message is translated and keeps the same placeholders', () => {
    for (const [key, french] of Object.entries(fr)) {
      const english = en[key as keyof typeof en];
      assert.ok(french.trim() && english.trim(), `${key} is empty`);
      const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      assert.deepEqual(placeholders(english), placeholders(french), `${key} placeholders`);
    }
  });

  it('fills placeholders and follows each language’s plural rules', () => {
    assert.equal(
      translate('fr', 'mailbox.errors.quotaReached', { quota: 15 }),
      'La limite de 15 comptes de courriel est atteinte.',
    );
    const plural = (lang: 'fr' | 'en', n: number) => new Intl.PluralRules(lang).select(n);
    assert.equal(plural('fr', 0), 'one');
    assert.equal(plural('fr', 1), 'one');
    assert.equal(plural('fr', 2), 'other');
    assert.equal(plural('en', 0), 'other');
    assert.equal(typeof translatePlural, 'function');
  });

  it('negotiates the language from Accept-Language, French by default', () => {
    assert.equal(negotiateLang(undefined), 'fr');
    assert.equal(negotiateLang('en-US,en;q=0.9'), 'en');
    assert.equal(negotiateLang('de-DE,en;q=0.5,fr;q=0.8'), 'fr');
    assert.equal(negotiateLang('de-DE'), 'fr');
    assert.equal(negotiateLang('en;q=0'), 'fr');
  });
});
