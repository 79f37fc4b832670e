import { ensureSpecialFolders } from '../mail/folders.ts';
import type { Db } from '../db/client.ts';
import { recordAudit, type Actor } from './audit.ts';
import { checkLocalPart, domainForDisplay } from './names.ts';
import { generatePassword, hashPassword, passwordProblem } from './passwords.ts';
import { ok, refuse, refuseAll, type Problem, type Result } from '../core/result.ts';
import { endMailboxSessions } from './sessions.ts';

export interface DomainRef {
  id: number;
  name: string;
}

/** A mailbox's full address. */
export const addressOf = (localPart: string, domain: string) => `${localPart}@${domain}`;

/** The domain's mailboxes by address, with how many more its quota allows. */
export async function listMailboxes(db: Db, domainId: number) {
  // One query on the (domain_id, local_part) index, reading only the names: every page of the
  // portal shows this list or its count.
  const rows = await db.$queryRaw<{ id: number | null; local_part: string | null; name: string; quota: number }[]>`
    SELECT m.id, m.local_part, d.name, d.mailbox_quota AS quota
    FROM domains d LEFT JOIN mailboxes m ON m.domain_id = d.id
    WHERE d.id = ${domainId} ORDER BY m.local_part`;
  const first = rows[0];
  if (!first) throw new Error(`no domain ${domainId}`);
  const domain = domainForDisplay(first.name);
  const mailboxes = rows.flatMap((r) =>
    r.id !== null && r.local_part !== null ? [{ id: r.id, address: addressOf(r.local_part, domain) }] : [],
  );
  return { mailboxes, quota: first.quota, available: Math.max(0, first.quota - mailboxes.length) };
}

/** One mailbox of the domain (never another domain's), or null. */
export async function getMailbox(db: Db, domain: DomainRef, mailboxId: number) {
  if (!Number.isSafeInteger(mailboxId)) return null;
  const mailbox = await db.mailbox.findFirst({ where: { id: mailboxId, domainId: domain.id } });
  if (!mailbox) return null;
  const displayAddress = addressOf(mailbox.localPart, domainForDisplay(domain.name));
  return { ...mailbox, address: addressOf(mailbox.localPart, domain.name), displayAddress };
}

/** The name problem of a typed mailbox name, if any (a full address is told to keep only its start). */
function nameProblem(name: string): Problem | null {
  const typed = name.trim();
  if (typed.includes('@')) {
    return {
      message: 'mailbox.errors.fullAddress',
      params: { name: typed.split('@')[0]!.slice(0, 64) },
      field: 'name',
    };
  }
  const checked = checkLocalPart(typed);
  if (!('problem' in checked)) return null;
  const message = checked.problem === 'reserved' ? 'mailbox.errors.reserved' : 'mailbox.errors.invalidName';
  return { message, field: 'name' };
}

/** A new mailbox's name and password checked together: the local part, or every problem at once. */
export function checkNewMailbox(domain: DomainRef, input: { name: string; password: string }): Result<string> {
  const checked = checkLocalPart(input.name);
  const localPart = 'localPart' in checked ? checked.localPart : input.name.trim().toLowerCase();
  const password = passwordProblem(input.password, [localPart, addressOf(localPart, domain.name), domain.name]);
  const problems = [nameProblem(input.name), password ? { message: password, field: 'password' } : null];
  return (
    refuseAll(
      'invalid',
      problems.filter((p): p is Problem => p !== null),
    ) ?? ok(localPart)
  );
}

/**
 * Creates a mailbox within the domain's quota. The domain row is locked in the same transaction
 * as the count and the insert, so simultaneous creations can never exceed the quota.
 */
export async function createMailbox(
  db: Db,
  domain: DomainRef,
  input: { name: string; password: string },
  who: Actor,
): Promise<Result<{ id: number; address: string }>> {
  const checked = checkNewMailbox(domain, input);
  if (!checked.ok) return checked;
  const localPart = checked.value;
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ mailbox_quota: number }[]>`
      SELECT mailbox_quota FROM domains WHERE id = ${domain.id} FOR UPDATE`;
    const quota = locked[0]?.mailbox_quota ?? 0;
    const count = await tx.mailbox.count({ where: { domainId: domain.id } });
    if (count >= quota) return refuse('conflict', 'mailbox.errors.quotaReached', { n: quota }, 'name');
    const taken = await tx.mailbox.findUnique({ where: { domainId_localPart: { domainId: domain.id, localPart } } });
    if (taken)
      return refuse('conflict', 'mailbox.errors.taken', { address: addressOf(localPart, domain.name) }, 'name');
    const mailbox = await tx.mailbox.create({ data: { domainId: domain.id, localPart, passwordHash } });
    await ensureSpecialFolders(tx, mailbox.id);
    const address = addressOf(localPart, domain.name);
    await recordAudit(tx, who, 'mailbox.create', address, domain.id);
    return ok({ id: mailbox.id, address });
  });
}

/** Deletes a mailbox of the domain with its mail, and ends its webmail sessions. */
export async function deleteMailbox(db: Db, domain: DomainRef, mailboxId: number, who: Actor): Promise<Result<string>> {
  const mailbox = await getMailbox(db, domain, mailboxId);
  if (!mailbox) return refuse('notFound', 'mailbox.errors.notFound');
  // deleteMany: a simultaneous deletion of the same mailbox makes this one a plain "not found".
  const deleted = await db.$transaction(async (tx) => {
    const { count } = await tx.mailbox.deleteMany({ where: { id: mailbox.id, domainId: domain.id } });
    if (count === 0) return false;
    await endMailboxSessions(tx, mailbox.id);
    await recordAudit(tx, who, 'mailbox.delete', mailbox.address, domain.id);
    return true;
  });
  return deleted ? ok(mailbox.address) : refuse('notFound', 'mailbox.errors.notFound');
}

/**
 * Sets a mailbox's password (generated when none is given, returned to be shown once) and ends its
 * other webmail sessions (all but keepSid, the session of the user changing their own).
 */
export async function setMailboxPassword(
  db: Db,
  domain: DomainRef,
  mailboxId: number,
  password: string | undefined,
  who: Actor,
  keepSid?: string,
): Promise<Result<{ address: string; password: string | undefined }>> {
  const mailbox = await getMailbox(db, domain, mailboxId);
  if (!mailbox) return refuse('notFound', 'mailbox.errors.notFound');
  const chosen = password ?? generatePassword();
  const problem = passwordProblem(chosen, [mailbox.localPart, mailbox.address, domain.name]);
  if (problem) return refuse('invalid', problem, undefined, 'password');
  const passwordHash = await hashPassword(chosen);
  const changed = await db.$transaction(async (tx) => {
    const { count } = await tx.mailbox.updateMany({
      where: { id: mailbox.id, domainId: domain.id },
      data: { passwordHash },
    });
    if (count === 0) return false; // deleted meanwhile
    await endMailboxSessions(tx, mailbox.id, keepSid);
    await recordAudit(tx, who, 'mailbox.set-password', mailbox.address, domain.id);
    return true;
  });
  if (!changed) return refuse('notFound', 'mailbox.errors.notFound');
  return ok({ address: mailbox.address, password: password === undefined ? chosen : undefined });
}
