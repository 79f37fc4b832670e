import type { FastifyRequest } from 'fastify';
import type { Refusal } from '../accounts/result.ts';
import type { Lang, MessageKey } from '../i18n/index.ts';

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
  return request.t(flash.key, flash.address ? { address: flash.address } : undefined);
}

/** A refusal as the form shows it: the field it concerns and the sentence in the reader's language. */
export function fieldError(request: FastifyRequest, refusal: Refusal, fallbackField: string) {
  return { field: refusal.field ?? fallbackField, message: request.t(refusal.message, refusal.params) };
}

const locale = (lang: Lang) => (lang === 'fr' ? 'fr-CA' : 'en-CA');

/** A date and time as people of the reader's language write it (fr-CA / en-CA). */
export function formatDateTime(lang: Lang, date: Date): string {
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: 'long', timeStyle: 'short' }).format(date);
}

/** A short date and time for a message list line: `27 nov. 2026, 09 h 15`. */
export function formatShortDateTime(lang: Lang, date: Date): string {
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** A date as people of the reader's language write it. */
export function formatDate(lang: Lang, date: Date): string {
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: 'long' }).format(date);
}

const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/** A size in bytes, readable and localized: `0 octet`, `1,2 Mo`, `1.2 MB` (powers of 1024). */
export function formatBytes(lang: Lang, bytes: number | bigint): string {
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(locale(lang), {
    style: 'unit',
    unit: UNITS[unit],
    unitDisplay: unit === 0 ? 'long' : 'short',
    maximumFractionDigits: 1,
  }).format(value);
}
