import { normalizeDomainName } from '../accounts/names.ts';
import type { Config } from '../config.ts';

// What a mail program needs to reach a mailbox: the server, its ports and their security. The same
// for every address, so nothing built from it can tell whether an address exists.

/** Implicit TLS from the first byte (SSL/TLS in mail programs), or STARTTLS on a plain port. */
export type Security = 'ssl' | 'starttls';

export interface ServerDoor {
  port: number;
  security: Security;
}

export interface MailProgramSettings {
  hostname: string;
  /** IMAP: the preferred door first; a port configured 0 is not there. */
  incoming: ServerDoor[];
  /** Submission (SMTP with a password): the preferred door first. */
  outgoing: ServerDoor[];
}

const doors = (ssl: number, starttls: number): ServerDoor[] => [
  ...(ssl > 0 ? [{ port: ssl, security: 'ssl' as const }] : []),
  ...(starttls > 0 ? [{ port: starttls, security: 'starttls' as const }] : []),
];

/** The settings of this server, implicit TLS first. */
export function mailProgramSettings(config: Config): MailProgramSettings {
  return {
    hostname: config.mailHostname,
    incoming: doors(config.imapsPort, config.imapPort),
    outgoing: doors(config.submissionsPort, config.submissionPort),
  };
}

/**
 * The domain of a typed address in ASCII when the address looks like one (something, @, a valid
 * domain name), else null. Only the syntax is checked: never whether the domain or mailbox exists.
 */
export function domainOfAddress(address: unknown): string | null {
  if (typeof address !== 'string' || address.length > 320) return null;
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  if (at < 1 || at > 64 || /[\s\p{Cc}<>&"'\\]/u.test(local)) return null;
  return normalizeDomainName(address.slice(at + 1));
}

/** The address as mail programs may be told it (lower case, ASCII domain), or null when it is not one. */
export function wellFormedAddress(address: unknown): string | null {
  const domain = domainOfAddress(address);
  if (!domain || typeof address !== 'string') return null;
  return `${address.slice(0, address.lastIndexOf('@')).toLowerCase()}@${domain}`;
}

/** Text made safe for XML element content and attribute values. */
export function escapeXml(text: string | number): string {
  return String(text).replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}
