import { en } from './en.ts';
import { fr, type MessageKey } from './fr.ts';

export type { MessageKey };
export type Lang = 'fr' | 'en';
export const LANGS: readonly Lang[] = ['fr', 'en'];
export const DEFAULT_LANG: Lang = 'fr';
export type Params = Record<string, string | number>;

const catalogues: Record<Lang, Record<MessageKey, string>> = { fr, en };

/** The message for key in lang, with {name} placeholders filled in. */
export function translate(lang: Lang, key: MessageKey, params: Params = {}): string {
  return catalogues[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** Like translate, choosing `<key>.one` or `<key>.other` by the language's plural rules for n. */
export function translatePlural(lang: Lang, key: string, n: number, params: Params = {}): string {
  const form = new Intl.PluralRules(lang).select(n) === 'one' ? 'one' : 'other';
  return translate(lang, `${key}.${form}` as MessageKey, { n, ...params });
}

/** A bound translator for one request's language. */
export function translator(lang: Lang) {
  const t = (key: MessageKey, params?: Params) => translate(lang, key, params);
  t.plural = (key: string, n: number, params?: Params) => translatePlural(lang, key, n, params);
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
