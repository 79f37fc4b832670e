import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../accounts/audit.ts';
import type { Refusal } from '../../accounts/result.ts';
import type { Lang, MessageKey } from '../../i18n/index.ts';

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

export const PATHS = {
  signIn: '/admin/connexion',
  signOut: '/admin/deconnexion',
  home: '/admin/domaine',
  hosting: '/admin/hebergement-web',
  security: '/admin/securite',
  email: '/admin/courriel',
  easymail: '/admin/courriel/configuration',
  create: '/admin/courriel/creer',
  mailbox: (id: number) => `/admin/courriel/comptes/${id}`,
  password: (id: number) => `/admin/courriel/comptes/${id}/mot-de-passe`,
  remove: (id: number) => `/admin/courriel/comptes/${id}/supprimer`,
} as const;

/** The signed-in administrator as recorded in the audit log, with the client's address. */
export function adminActor(request: FastifyRequest): Actor {
  return { actor: `admin:${request.domain.name}`, clientAddress: request.ip };
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

/** Sends the page uncacheable: it shows something that must not be kept (a generated password). */
export function noStore(reply: FastifyReply) {
  reply.header('cache-control', 'no-store');
}
