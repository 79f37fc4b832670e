import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../accounts/audit.ts';
import { addressForDisplay } from '../accounts/names.ts';
import { problemsOf, type Refusal } from '../core/result.ts';
import type { Lang, MessageKey, Params } from '../i18n/index.ts';
import { sendErrorPage } from '../plugins/errors.ts';

// Helpers every signed-in area uses to render its pages: confirmations, field errors, dates, sizes.

/** A one-shot confirmation kept in the session between a POST and the page it redirects to. */
export interface Flash {
  key: MessageKey;
  address?: string;
}

declare module 'fastify' {
  interface Session {
    flash?: Flash;
  }
}

/** Keeps a confirmation for the next page. */
export function setFlash(request: FastifyRequest, flash: Flash) {
  request.session.flash = flash;
}

/** The pending confirmation in the reader's language, removed from the session as it is read. */
export function takeFlash(request: FastifyRequest): string | null {
  const flash = request.session.flash;
  if (!flash) return null;
  request.session.flash = undefined;
  return request.t(flash.key, flash.address ? { address: addressForDisplay(flash.address) } : undefined);
}

/** What a form page gets: each field in error and its sentence in the reader's language, in form order. */
export type FormErrors = Record<string, string>;

/** Every problem of a refusal as the form shows it; a problem without a field goes to fallbackField. */
export function formErrors(request: FastifyRequest, refusal: Refusal, fallbackField: string, extra: Params = {}) {
  const errors: FormErrors = {};
  for (const problem of problemsOf(refusal)) {
    // An address in a sentence reads as people type it: a Unicode domain, never its punycode.
    const params = { ...extra, ...problem.params };
    if (typeof params.address === 'string') params.address = addressForDisplay(params.address);
    errors[problem.field ?? fallbackField] ??= request.t(problem.message, params);
  }
  return errors;
}

const STATUS: Record<Refusal['kind'], number> = {
  invalid: 422,
  conflict: 422, // a form's refusal: the page is shown again, whatever the state it conflicts with
  notFound: 404,
  unauthorized: 401,
  tooMany: 429,
  unavailable: 503,
};

/**
 * Answers a refusal: the 404 page when what was named does not exist (or is not the asker's),
 * else the form again (render) with every refusal next to its field, under the refusal's status.
 */
export function sendRefusal(
  reply: FastifyReply,
  refusal: Refusal,
  render: (errors: FormErrors) => Promise<FastifyReply> | FastifyReply,
  fallbackField: string,
  extra?: Params,
) {
  if (refusal.kind === 'notFound') return sendErrorPage(reply, 404, 'notFound');
  reply.code(STATUS[refusal.kind]);
  return render(formErrors(reply.request, refusal, fallbackField, extra));
}

const locale = (lang: Lang) => (lang === 'fr' ? 'fr-CA' : 'en-CA');

// Formatters are built once per language and style: making one costs far more than using it.
function formatterOf<T>(make: (locale: string) => T): (lang: Lang) => T {
  const made: Partial<Record<Lang, T>> = {};
  return (lang) => (made[lang] ??= make(locale(lang)));
}
const dateFormat = (options: Intl.DateTimeFormatOptions) => formatterOf((l) => new Intl.DateTimeFormat(l, options));
const longDateTime = dateFormat({ dateStyle: 'long', timeStyle: 'short' });
const shortDateTime = dateFormat({ dateStyle: 'medium', timeStyle: 'short' });
const longDate = dateFormat({ dateStyle: 'long' });

// A message list formats the same few dozen dates on every view, and formatting (ICU) is most of
// a row's cost: the strings are kept, a bounded number of them.
const MAX_KEPT_DATES = 10_000;
const shortDates = new Map<string, string>();

/** A date and time as people of the reader's language write it (fr-CA / en-CA). */
export function formatDateTime(lang: Lang, date: Date): string {
  return longDateTime(lang).format(date);
}

/** A short date and time for a message list line: `27 nov. 2026, 09 h 15`. */
export function formatShortDateTime(lang: Lang, date: Date): string {
  const key = lang + date.getTime();
  let text = shortDates.get(key);
  if (text === undefined) {
    if (shortDates.size >= MAX_KEPT_DATES) shortDates.clear();
    shortDates.set(key, (text = shortDateTime(lang).format(date)));
  }
  return text;
}

/** A date as people of the reader's language write it. */
export function formatDate(lang: Lang, date: Date): string {
  return longDate(lang).format(date);
}

const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;
const byteFormats = UNITS.map((unit, i) =>
  formatterOf(
    (l) =>
      new Intl.NumberFormat(l, {
        style: 'unit',
        unit,
        unitDisplay: i === 0 ? 'long' : 'short',
        maximumFractionDigits: 1,
      }),
  ),
);

/** A size in bytes, readable and localized: `0 octet`, `1,2 Mo`, `1.2 MB` (powers of 1024). */
export function formatBytes(lang: Lang, bytes: number | bigint): string {
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return byteFormats[unit]!(lang).format(value);
}

/**
 * A sign-in's refusal: 401 and one sentence whatever the reason, so the page never tells which
 * accounts exist; only a correct password learns that its domain is suspended, and whom to call.
 */
export function sendSignInRefusal(
  reply: FastifyReply,
  refusal: Refusal,
  render: (errors: FormErrors) => Promise<FastifyReply> | FastifyReply,
  field: string,
) {
  const phone = reply.server.config.supportPhone;
  return sendRefusal(reply, { ...refusal, kind: 'unauthorized' }, render, field, { phone });
}

/** The signed-in administrator as recorded in the audit log, with the client's address. */
export function adminActor(request: FastifyRequest): Actor {
  return { actor: `admin:${request.domain.name}`, clientAddress: request.ip };
}

/** The signed-in webmail user as recorded in the audit log, with the client's address. */
export function mailboxActor(request: FastifyRequest): Actor {
  return { actor: `mailbox:${request.mailbox.address}`, clientAddress: request.ip };
}
