import { domainToASCII, domainToUnicode } from 'node:url';

// RFC 2142 role addresses, plus a few every mail host keeps for itself.
export const RESERVED_LOCAL_PARTS = new Set([
  'postmaster',
  'abuse',
  'hostmaster',
  'webmaster',
  'www',
  'uucp',
  'ftp',
  'usenet',
  'news',
  'noc',
  'security',
  'info',
  'marketing',
  'sales',
  'support',
  'mailer-daemon',
  'root',
  'nobody',
]);

/**
 * A domain name as stored: lower-case ASCII with IDN labels in punycode, or null when it is not a
 * plausible public domain name (at least two labels, letters in the last one, no trailing dot).
 */
export function normalizeDomainName(input: string): string | null {
  const trimmed = input.trim();
  if (trimmed.length === 0 || trimmed.length > 253 || /[\s\p{Cc}\p{Cf}]/u.test(trimmed)) return null;
  const ascii = domainToASCII(trimmed.toLowerCase());
  if (!ascii || ascii.length > 253 || ascii.endsWith('.')) return null;
  const labels = ascii.split('.');
  if (labels.length < 2) return null;
  const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
  if (!labels.every((part) => label.test(part))) return null;
  const tld = labels[labels.length - 1] ?? '';
  if (!/^(xn--[a-z0-9-]+|[a-z]{2,63})$/.test(tld)) return null;
  if (domainToUnicode(ascii).split('.').some(mixesLookAlikeScripts)) return null;
  return ascii;
}

// Latin, Cyrillic and Greek share look-alike letters (а/a, о/o, ο/o): one label mixing them is
// how a homoglyph of a real name is made (`exаmple` with a Cyrillic а), whether typed or in punycode.
const LOOK_ALIKE_SCRIPTS = [/\p{Script=Latin}/u, /\p{Script=Cyrillic}/u, /\p{Script=Greek}/u];
function mixesLookAlikeScripts(label: string): boolean {
  return LOOK_ALIKE_SCRIPTS.filter((script) => script.test(label)).length > 1;
}

export type LocalPartProblem = 'invalid' | 'reserved';

/** The mailbox name as stored (lower-case), or why it cannot be one. */
export function checkLocalPart(input: string): { localPart: string } | { problem: LocalPartProblem } {
  const localPart = input.trim().toLowerCase();
  if (!/^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/.test(localPart) || localPart.includes('..')) {
    return { problem: 'invalid' };
  }
  if (RESERVED_LOCAL_PARTS.has(localPart)) return { problem: 'reserved' };
  return { localPart };
}

/** A stored domain name as people write it: IDN labels in Unicode (`café-élise.ca`). */
export function domainForDisplay(ascii: string): string {
  return domainToUnicode(ascii) || ascii;
}

/** An address with its domain as people write it. */
export function addressForDisplay(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? address : address.slice(0, at + 1) + domainForDisplay(address.slice(at + 1));
}
