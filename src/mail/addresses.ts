import { checkLocalPart, normalizeDomainName } from '../accounts/names.ts';
import { ok, refuse, type Result } from '../core/result.ts';
import type { Db } from '../db/client.ts';

/** The most recipients one message may have, over SMTP or from the webmail (RFC 5321's minimum). */
export const MAX_RECIPIENTS = 100;

/** An address split into its parts: the local part as typed, the domain as stored (lower-case ASCII). */
export interface ParsedAddress {
  localPart: string;
  domain: string;
  /** `localPart@domain`. */
  address: string;
}

// RFC 5322 dot-atom without `%` and `!` (old relay syntaxes): quoted strings and comments are refused.
const ATEXT = "[a-z0-9#$&'*+/=?^_`{|}~-]+";
const DOT_ATOM_LOCAL_PART = new RegExp(`^${ATEXT}(?:\\.${ATEXT})*$`, 'i');

/** Splits `local@domain` when there is exactly one `@`, a plausible domain, and nothing else around. */
function split(input: string): ParsedAddress | null {
  // Source routes (`@relay:`), address literals (`[127.0.0.1]`), quoted local parts, `%` and `!`
  // hops, a second `@`, spaces and control characters all fail one of these tests.
  if (input.length > 254 || /[\s\p{Cc}\p{Cf}"<>()[\]\\,;:]/u.test(input)) return null;
  const at = input.indexOf('@');
  if (at <= 0 || at !== input.lastIndexOf('@')) return null;
  const local = input.slice(0, at);
  if (local.length > 64 || !DOT_ATOM_LOCAL_PART.test(local) || local.includes('..')) return null;
  const domain = normalizeDomainName(input.slice(at + 1));
  if (!domain) return null;
  return { localPart: local, domain, address: `${local}@${domain}` };
}

/** An address that could name a hosted mailbox (`^[a-z0-9._-]` local part), or null. */
export function parseHostedAddress(input: string): ParsedAddress | null {
  const parsed = split(input);
  if (!parsed) return null;
  // The mailbox-name rule of src/accounts/names.ts; a reserved name is a valid address (postmaster@).
  const checked = checkLocalPart(parsed.localPart);
  if ('problem' in checked && checked.problem === 'invalid') return null;
  const localPart = parsed.localPart.toLowerCase();
  return { ...parsed, localPart, address: `${localPart}@${parsed.domain}` };
}

/** A plain `local@domain` address anywhere (dot-atom local part, no quoting, no literals), or null. */
export function parseAddress(input: string): ParsedAddress | null {
  return split(input);
}

export interface DeliverableMailbox {
  id: number;
  domainId: number;
  storageUsed: bigint;
  address: string;
}

/**
 * The mailbox an envelope address names: notFound when there is none, unavailable (try again
 * later) while its domain is suspended, as suspension is usually about an unpaid bill.
 */
export async function findDeliverableMailbox(db: Db, input: string): Promise<Result<DeliverableMailbox>> {
  const parsed = parseHostedAddress(input);
  const unknown = refuse('notFound', 'mail.errors.unknownRecipient', { address: input.slice(0, 200) });
  if (!parsed) return unknown;
  const mailbox = await db.mailbox.findFirst({
    where: { localPart: parsed.localPart, domain: { name: parsed.domain } },
    select: { id: true, domainId: true, storageUsed: true, domain: { select: { state: true } } },
  });
  if (!mailbox) return unknown;
  if (mailbox.domain.state !== 'active') {
    return refuse('unavailable', 'mail.errors.domainSuspended', { address: parsed.address });
  }
  return ok({ id: mailbox.id, domainId: mailbox.domainId, storageUsed: mailbox.storageUsed, address: parsed.address });
}
