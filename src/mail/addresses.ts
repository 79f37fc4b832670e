import type { Db } from '../db/client.ts';
import { normalizeDomainName } from '../accounts/names.ts';

/** The most recipients one message may have, over SMTP or from the webmail (RFC 5321's minimum). */
export const MAX_RECIPIENTS = 100;

/** An address split into its parts: the local part as typed, the domain as stored (lower-case ASCII). */
export interface ParsedAddress {
  localPart: string;
  domain: string;
  /** `localPart@domain`. */
  address: string;
}

// A hosted mailbox's name (the rule of src/accounts/names.ts), case-insensitively.
const HOSTED_LOCAL_PART = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/i;
// RFC 5322 dot-atom without `%` and `!` (old relay syntaxes): quoted strings and comments are refused.
const ATEXT = "[a-z0-9#$&'*+/=?^_`{|}~-]+";
const DOT_ATOM_LOCAL_PART = new RegExp(`^${ATEXT}(?:\\.${ATEXT})*$`, 'i');

/** Splits `local@domain` when there is exactly one `@`, a plausible domain, and nothing else around. */
function split(input: string, localPart: RegExp): ParsedAddress | null {
  // Source routes (`@relay:`), address literals (`[127.0.0.1]`), quoted local parts, `%` and `!`
  // hops, a second `@`, spaces and control characters all fail one of these tests.
  if (input.length > 254 || /[\s\p{Cc}\p{Cf}"<>()[\]\\,;:]/u.test(input)) return null;
  const at = input.indexOf('@');
  if (at <= 0 || at !== input.lastIndexOf('@')) return null;
  const local = input.slice(0, at);
  if (local.length > 64 || !localPart.test(local) || local.includes('..')) return null;
  const domain = normalizeDomainName(input.slice(at + 1));
  if (!domain) return null;
  return { localPart: local, domain, address: `${local}@${domain}` };
}

/** An address that could name a hosted mailbox (`^[a-z0-9._-]` local part), or null. */
export function parseHostedAddress(input: string): ParsedAddress | null {
  const parsed = split(input, HOSTED_LOCAL_PART);
  if (!parsed) return null;
  const localPart = parsed.localPart.toLowerCase();
  return { ...parsed, localPart, address: `${localPart}@${parsed.domain}` };
}

/** A plain `local@domain` address anywhere (dot-atom local part, no quoting, no literals), or null. */
export function parseAddress(input: string): ParsedAddress | null {
  return split(input, DOT_ATOM_LOCAL_PART);
}

export interface DeliverableMailbox {
  id: number;
  domainId: number;
  storageUsed: bigint;
  address: string;
}

/** The mailbox an envelope address names, only when its domain is hosted and active; else null. */
export async function findDeliverableMailbox(db: Db, input: string): Promise<DeliverableMailbox | null> {
  const parsed = parseHostedAddress(input);
  if (!parsed) return null;
  const mailbox = await db.mailbox.findFirst({
    where: { localPart: parsed.localPart, domain: { name: parsed.domain, state: 'active' } },
    select: { id: true, domainId: true, storageUsed: true },
  });
  return mailbox ? { ...mailbox, address: parsed.address } : null;
}

/** True when the domain (already normalised) is one this server hosts, whatever its state. */
export async function isHostedDomain(db: Db, domain: string): Promise<boolean> {
  return (await db.domain.count({ where: { name: domain } })) > 0;
}
