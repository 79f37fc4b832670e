import type { MessageKey, Params, PluralKey } from '../i18n/index.ts';

/**
 * What kind of no a rule said, so that each door answers in its own terms (a page's status, an
 * SMTP or IMAP reply) without comparing message keys:
 * - invalid: the input breaks a rule (a bad name, a weak password, a wrong current password);
 * - notFound: the thing named does not exist, or is not the asker's;
 * - conflict: the input is fine but the state forbids it (a name taken, a quota reached, storage full);
 * - unauthorized: the credentials are refused;
 * - tooMany: too many attempts lately;
 * - unavailable: a service this depends on is down for now (the relay): try again later.
 */
export type RefusalKind = 'invalid' | 'notFound' | 'conflict' | 'unauthorized' | 'tooMany' | 'unavailable';

/** One problem: the message to show (in the reader's language) and the field it concerns. */
export interface Problem {
  message: MessageKey | PluralKey;
  params?: Params;
  field?: string;
}

/** A rule said no. The first problem is the refusal's own; `also` holds the other fields' problems found at once. */
export interface Refusal extends Problem {
  ok: false;
  kind: RefusalKind;
  also?: Problem[];
}
export type Result<T> = { ok: true; value: T } | Refusal;

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

/** A refusal of one kind with one problem. */
export const refuse = (
  kind: RefusalKind,
  message: MessageKey | PluralKey,
  params?: Params,
  field?: string,
): Refusal => ({
  ok: false,
  kind,
  message,
  ...(params ? { params } : {}),
  ...(field ? { field } : {}),
});

/** A refusal of several problems found together (a form's fields), or null when there are none. */
export function refuseAll(kind: RefusalKind, problems: Problem[]): Refusal | null {
  const [first, ...rest] = problems;
  if (!first) return null;
  return { ...refuse(kind, first.message, first.params, first.field), ...(rest.length > 0 ? { also: rest } : {}) };
}

/** Every problem of a refusal, its own first. */
export const problemsOf = (refusal: Refusal): Problem[] => [refusal, ...(refusal.also ?? [])];
