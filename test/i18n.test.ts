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
    const reached = (lang: 'fr' | 'en', n: number) => translate(lang, 'mailbox.errors.quotaReached', { n });
    assert.equal(reached('fr', 15), 'La limite de 15 comptes de courriel est atteinte.');
    assert.equal(reached('fr', 1), 'La limite de 1 compte de courriel est atteinte.');
    assert.equal(reached('fr', 0), 'La limite de 0 compte de courriel est atteinte.');
    assert.equal(reached('en', 1), 'The limit of 1 email account has been reached.');
    assert.equal(reached('en', 0), 'The limit of 0 email accounts has been reached.');
    assert.equal(
      translatePlural('fr', 'admin.easymail.status', 0, { quota: 15 }),
      '0 compte de courriel disponible sur une possibilité de 15',
    );
    assert.equal(
      translatePlural('fr', 'admin.easymail.status', 13, { quota: 15 }),
      '13 comptes de courriel disponibles sur une possibilité de 15',
    );
  });

  it('negotiates the language from Accept-Language, French by default', () => {
    assert.equal(negotiateLang(undefined), 'fr');
    assert.equal(negotiateLang('en-US,en;q=0.9'), 'en');
    assert.equal(negotiateLang('de-DE,en;q=0.5,fr;q=0.8'), 'fr');
    assert.equal(negotiateLang('de-DE'), 'fr');
    assert.equal(negotiateLang('en;q=0'), 'fr');
  });
});
