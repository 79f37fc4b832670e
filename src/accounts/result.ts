import type { MessageKey, Params, PluralKey } from '../i18n/index.ts';

/** A rule said no: the message to show (in the reader's language) and the field it concerns. */
export interface Refusal {
  ok: false;
  message: MessageKey | PluralKey;
  params?: Params;
  field?: string;
}
export type Result<T> = { ok: true; value: T } | Refusal;

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const refuse = (message: MessageKey | PluralKey, params?: Params, field?: string): Refusal => ({
  ok: false,
  message,
  ...(params ? { params } : {}),
  ...(field ? { field } : {}),
});
