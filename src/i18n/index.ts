import { en } from './en.ts';
import { fr, type MessageKey } from './fr.ts';

export type { MessageKey };
/** A message with plural forms: the catalogues hold `<key>.one` and `<key>.other`, chosen by {n}. */
export type PluralKey = { [K in MessageKey]: K extends `${infer Base}.one` ? Base : never }[MessageKey];
export type Lang = 'fr' | 'en';
export const LANGS: readonly Lang[] = ['fr', 'en'];
export const DEFAULT_LANG: Lang = 'fr';
export type Params = Record<string, string | number>;

const catalogues: Record<Lang, Record<MessageKey, string>> = { fr, en };

// Built once per language: making one costs more than the rest of a translation.
const pluralRules: Record<Lang, Intl.PluralRules> = { fr: new Intl.PluralRules('fr'), en: new Intl.PluralRules('en') };

/**
 * The message for key in lang, with {name} placeholders filled in. For a plural key, the form
 * follows the language's plural rules for params.n (French says "0 compte", English "0 accounts").
 */
export function translate(lang: Lang, key: MessageKey | PluralKey, params?: Params): string {
  const catalogue = catalogues[lang];
  // Most keys are plain messages: the plural rules are consulted only for a plural key, and the
  // placeholders only looked for in a text that has one (this runs for every string of a page).
  let text = Object.hasOwn(catalogue, key) ? catalogue[key as MessageKey] : undefined;
  if (text === undefined) {
    const form = pluralRules[lang].select(Number(params?.n)) === 'one' ? 'one' : 'other';
    text = catalogue[`${key}.${form}` as MessageKey];
  }
  if (!params || !text.includes('{')) return text;
  return text.replace(PLACEHOLDER, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
const PLACEHOLDER = /\{(\w+)\}/g;

/** Like translate for a plural key, with n given apart. */
export function translatePlural(lang: Lang, key: PluralKey, n: number, params: Params = {}): string {
  return translate(lang, key, { n, ...params });
}

/** A bound translator for one request's language. */
export function translator(lang: Lang) {
  const t = (key: MessageKey | PluralKey, params?: Params) => translate(lang, key, params);
  t.plural = (key: PluralKey, n: number, params?: Params) => translatePlural(lang, key, n, params);
  t.lang = lang;
  return t;
}
export type Translator = ReturnType<typeof translator>;

/** The first supported language of an Accept-Language header, else French. */
export function negotiateLang(acceptLanguage: string | undefined): Lang {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...rest] = part.trim().split(';');
      const q = Number(rest.find((p) => p.trim().startsWith('q='))?.split('=')[1] ?? 1);
      return { lang: tag.toLowerCase().split('-')[0], q: Number.isFinite(q) ? q : 0 };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q);
  return (ranked.find((entry) => LANGS.includes(entry.lang as Lang))?.lang as Lang) ?? DEFAULT_LANG;
}

/** True when key is a message of the catalogues (keys built from stored data, such as audit actions). */
export function has(key: string): key is MessageKey {
  return key in fr;
}
