import type { Db } from '../db/client.ts';
import { recordAudit, type Actor } from './audit.ts';
import { normalizeDomainName } from './names.ts';
import { adminPasswordProblem } from './password-change.ts';
import { generatePassword, hashPassword } from './passwords.ts';
import { ok, refuse, type Result } from '../core/result.ts';
import { endAdminSessions, endDomainSessions } from './sessions.ts';

export const DEFAULT_MAILBOX_QUOTA = 15;
const MAX_MAILBOX_QUOTA = 10_000;

/** A quota typed by a person, or null when it is not a whole number from 0 to 10000. */
export function parseQuota(text: string): number | null {
  if (!/^\d{1,6}$/.test(text.trim())) return null;
  const quota = Number(text.trim());
  return quota <= MAX_MAILBOX_QUOTA ? quota : null;
}

/** The stored form of a typed domain name, or the refusal to show. */
function domainNameOf(input: string): Result<string> {
  const name = normalizeDomainName(input);
  return name ? ok(name) : refuse('invalid', 'domain.errors.invalidName', { name: input.slice(0, 100) }, 'domain');
}

/** A domain by any spelling of its name (case, IDN), or null. */
export async function findDomain(db: Db, input: string) {
  const name = normalizeDomainName(input);
  return name ? db.domain.findUnique({ where: { name } }) : null;
}

async function requireDomain(db: Db, input: string) {
  const named = domainNameOf(input);
  if (!named.ok) return named;
  const domain = await db.domain.findUnique({ where: { name: named.value } });
  return domain ? ok(domain) : refuse('notFound', 'domain.errors.unknown', { name: named.value }, 'domain');
}

/**
 * Provisions a domain. Without a password, one is generated and returned (to be shown once).
 */
export async function addDomain(
  db: Db,
  input: { name: string; quota?: number; password?: string },
  who: Actor,
): Promise<Result<{ name: string; password: string | undefined }>> {
  const named = domainNameOf(input.name);
  if (!named.ok) return named;
  const name = named.value;
  const quota = input.quota ?? DEFAULT_MAILBOX_QUOTA;
  if (!Number.isInteger(quota) || quota < 0 || quota > MAX_MAILBOX_QUOTA) {
    return refuse('invalid', 'domain.errors.invalidQuota', { value: String(quota) }, 'quota');
  }
  const password = input.password ?? generatePassword();
  const problem = adminPasswordProblem(password, name);
  if (problem) return refuse('invalid', problem, undefined, 'password');
  const adminPasswordHash = await hashPassword(password);
  const created = await db.$transaction(async (tx) => {
    const inserted = await tx.$queryRaw<{ id: number }[]>`
      INSERT INTO domains (name, admin_password_hash, mailbox_quota) VALUES (${name}, ${adminPasswordHash}, ${quota})
      ON CONFLICT (name) DO NOTHING RETURNING id`;
    const id = inserted[0]?.id;
    if (id === undefined) return null;
    await recordAudit(tx, who, 'domain.add', `${name} quota=${quota}`, id);
    return id;
  });
  if (created === null) return refuse('conflict', 'domain.errors.taken', { name }, 'domain');
  return ok({ name, password: input.password === undefined ? password : undefined });
}

/** Every domain with its mailbox count, by name. */
export async function listDomains(db: Db) {
  const domains = await db.domain.findMany({
    orderBy: { name: 'asc' },
    include: { _count: { select: { mailboxes: true } } },
  });
  return domains.map((d) => ({
    name: d.name,
    state: d.state,
    quota: d.mailboxQuota,
    mailboxes: d._count.mailboxes,
    createdAt: d.createdAt,
  }));
}

/** Changes a domain's mailbox quota; never below the mailboxes it already has. */
export async function setDomainQuota(db: Db, input: string, quotaText: string, who: Actor): Promise<Result<number>> {
  const found = await requireDomain(db, input);
  if (!found.ok) return found;
  const quota = parseQuota(quotaText);
  if (quota === null)
    return refuse('invalid', 'domain.errors.invalidQuota', { value: quotaText.slice(0, 20) }, 'quota');
  const domain = found.value;
  return db.$transaction(async (tx) => {
    // The row lock makes the count and the change one step against concurrent mailbox creation.
    await tx.$queryRaw`SELECT id FROM domains WHERE id = ${domain.id} FOR UPDATE`;
    const count = await tx.mailbox.count({ where: { domainId: domain.id } });
    if (quota < count) return refuse('conflict', 'domain.errors.quotaBelowUse', { count }, 'quota');
    await tx.domain.update({ where: { id: domain.id }, data: { mailboxQuota: quota } });
    await recordAudit(tx, who, 'domain.set-quota', `${domain.name} quota=${quota}`, domain.id);
    return ok(quota);
  });
}

/** Sets a new administrator password (generated when none is given) and ends the admin's sessions. */
export async function resetDomainPassword(
  db: Db,
  input: string,
  password: string | undefined,
  who: Actor,
): Promise<Result<{ name: string; password: string | undefined }>> {
  const found = await requireDomain(db, input);
  if (!found.ok) return found;
  const domain = found.value;
  const chosen = password ?? generatePassword();
  const problem = adminPasswordProblem(chosen, domain.name);
  if (problem) return refuse('invalid', problem, undefined, 'password');
  const adminPasswordHash = await hashPassword(chosen);
  await db.$transaction(async (tx) => {
    await tx.domain.update({ where: { id: domain.id }, data: { adminPasswordHash } });
    await endAdminSessions(tx, domain.id);
    await recordAudit(tx, who, 'domain.reset-password', domain.name, domain.id);
  });
  return ok({ name: domain.name, password: password === undefined ? chosen : undefined });
}

/** Suspends (nobody signs in, no mail is accepted) or resumes a domain. */
export async function setDomainState(
  db: Db,
  input: string,
  state: 'active' | 'suspended',
  who: Actor,
): Promise<Result<string>> {
  const found = await requireDomain(db, input);
  if (!found.ok) return found;
  const domain = found.value;
  await db.$transaction(async (tx) => {
    await tx.domain.update({ where: { id: domain.id }, data: { state } });
    if (state === 'suspended') await endDomainSessions(tx, domain.id);
    await recordAudit(tx, who, state === 'suspended' ? 'domain.suspend' : 'domain.resume', domain.name, domain.id);
  });
  return ok(domain.name);
}

/** Removes a domain with its mailboxes and their mail; confirm must repeat the domain's name. */
export async function removeDomain(
  db: Db,
  input: string,
  confirm: string | undefined,
  who: Actor,
): Promise<Result<string>> {
  const found = await requireDomain(db, input);
  if (!found.ok) return found;
  const domain = found.value;
  if (normalizeDomainName(confirm ?? '') !== domain.name) {
    return refuse('invalid', 'domain.errors.confirmMismatch', { name: domain.name }, 'confirm');
  }
  await db.$transaction(async (tx) => {
    await endDomainSessions(tx, domain.id);
    await tx.domain.delete({ where: { id: domain.id } });
    await recordAudit(tx, who, 'domain.remove', domain.name, domain.id);
  });
  return ok(domain.name);
}
