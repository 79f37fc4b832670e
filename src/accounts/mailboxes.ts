import type { Db } from '../db/client.ts';
import { recordAudit, type Actor } from './audit.ts';
import { checkLocalPart } from './names.ts';
import { generatePassword, hashPassword, passwordProblem } from './passwords.ts';
import { ok, refuse, type Result } from './result.ts';
import { endMailboxSessions } from './sessions.ts';

export interface DomainRef {
  id: number;
  name: string;
}

/** A mailbox's full address. */
export const addressOf = (localPart: string, domain: string) => `${localPart}@${domain}`;

/** The domain's mailboxes by address, with how many more its quota allows. */
export async function listMailboxes(db: Db, domainId: number) {
  const domain = await db.domain.findUniqueOrThrow({
    where: { id: domainId },
    include: { mailboxes: { orderBy: { localPart: 'asc' } } },
  });
  return {
    mailboxes: domain.mailboxes.map((m) => ({ id: m.id, address: addressOf(m.localPart, domain.name) })),
    quota: domain.mailboxQuota,
    available: Math.max(0, domain.mailboxQuota - domain.mailboxes.length),
  };
}

/** One mailbox of the domain (never another domain's), or null. */
export async function getMailbox(db: Db, domain: DomainRef, mailboxId: number) {
  if (!Number.isSafeInteger(mailboxId)) return null;
  const mailbox = await db.mailbox.findFirst({ where: { id: mailboxId, domainId: domain.id } });
  return mailbox ? { ...mailbox, address: addressOf(mailbox.localPart, domain.name) } : null;
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
  const checked = checkLocalPart(input.name);
  if ('problem' in checked) {
    return refuse(
      checked.problem === 'reserved' ? 'mailbox.errors.reserved' : 'mailbox.errors.invalidName',
      undefined,
      'name',
    );
  }
  const { localPart } = checked;
  const problem = passwordProblem(input.password, [localPart, addressOf(localPart, domain.name), domain.name]);
  if (problem) return refuse(problem, undefined, 'password');
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ mailbox_quota: number }[]>`
      SELECT mailbox_quota FROM domains WHERE id = ${domain.id} FOR UPDATE`;
    const quota = locked[0]?.mailbox_quota ?? 0;
    const count = await tx.mailbox.count({ where: { domainId: domain.id } });
    if (count >= quota) return refuse('mailbox.errors.quotaReached', { n: quota }, 'name');
    const taken = await tx.mailbox.findUnique({ where: { domainId_localPart: { domainId: domain.id, localPart } } });
    if (taken) return refuse('mailbox.errors.taken', { address: addressOf(localPart, domain.name) }, 'name');
    const mailbox = await tx.mailbox.create({ data: { domainId: domain.id, localPart, passwordHash } });
    const address = addressOf(localPart, domain.name);
    await recordAudit(tx, who, 'mailbox.create', address, domain.id);
    return ok({ id: mailbox.id, address });
  });
}

/** Deletes a mailbox of the domain with its mail, and ends its webmail sessions. */
export async function deleteMailbox(db: Db, domain: DomainRef, mailboxId: number, who: Actor): Promise<Result<string>> {
  const mailbox = await getMailbox(db, domain, mailboxId);
  if (!mailbox) return refuse('mailbox.errors.notFound');
  // deleteMany: a simultaneous deletion of the same mailbox makes this one a plain "not found".
  const deleted = await db.$transaction(async (tx) => {
    const { count } = await tx.mailbox.deleteMany({ where: { id: mailbox.id, domainId: domain.id } });
    if (count === 0) return false;
    await endMailboxSessions(tx, mailbox.id);
    await recordAudit(tx, who, 'mailbox.delete', mailbox.address, domain.id);
    return true;
  });
  return deleted ? ok(mailbox.address) : refuse('mailbox.errors.notFound');
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
  if (!mailbox) return refuse('mailbox.errors.notFound');
  const chosen = password ?? generatePassword();
  const problem = passwordProblem(chosen, [mailbox.localPart, mailbox.address, domain.name]);
  if (problem) return refuse(problem, undefined, 'password');
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
  if (!changed) return refuse('mailbox.errors.notFound');
  return ok({ address: mailbox.address, password: password === undefined ? chosen : undefined });
}
