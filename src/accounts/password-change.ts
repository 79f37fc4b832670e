import type { Db } from '../db/client.ts';
import { recordAudit, type Actor } from './audit.ts';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.ts';
import { ok, refuse, type Result } from './result.ts';
import { setMailboxPassword } from './mailboxes.ts';
import { endAdminSessions } from './sessions.ts';

// A signed-in person changing their own password: the current one first, then the usual rules;
// their other sessions end, the one they are using stays.

/**
 * Changes a domain's administrator password from the portal: the current password must be right,
 * the new one must pass the password rules; every other administrator session of the domain ends.
 */
export async function changeAdminPassword(
  db: Db,
  domainId: number,
  current: string,
  next: string,
  who: Actor,
  keepSid: string,
): Promise<Result<string>> {
  const domain = await db.domain.findUnique({ where: { id: domainId } });
  if (!domain || !(await verifyPassword(domain.adminPasswordHash, current))) {
    return refuse('password.errors.currentWrong', undefined, 'current');
  }
  const problem = passwordProblem(next, [domain.name, domain.name.split('.')[0] ?? '']);
  if (problem) return refuse(problem, undefined, 'next');
  const adminPasswordHash = await hashPassword(next);
  await db.$transaction(async (tx) => {
    await tx.domain.update({ where: { id: domain.id }, data: { adminPasswordHash } });
    await endAdminSessions(tx, domain.id, keepSid);
    await recordAudit(tx, who, 'domain.change-password', domain.name, domain.id);
  });
  return ok(domain.name);
}

/** Changes a mailbox's password from the webmail, on the same terms as the administrator's. */
export async function changeMailboxPassword(
  db: Db,
  mailbox: { id: number; domainId: number; domain: string },
  current: string,
  next: string,
  who: Actor,
  keepSid: string,
): Promise<Result<unknown>> {
  const row = await db.mailbox.findFirst({
    where: { id: mailbox.id, domainId: mailbox.domainId },
    select: { passwordHash: true },
  });
  if (!row || !(await verifyPassword(row.passwordHash, current))) {
    return refuse('password.errors.currentWrong', undefined, 'current');
  }
  const changed = await setMailboxPassword(
    db,
    { id: mailbox.domainId, name: mailbox.domain },
    mailbox.id,
    next,
    who,
    keepSid,
  );
  return changed.ok ? changed : { ...changed, field: 'next' };
}
