import type { Db } from '../db/client.ts';
import { recordAudit, type Actor } from './audit.ts';
import type { MessageKey } from '../i18n/index.ts';
import { hashPassword, passwordProblem, verifyAgainstNothing, verifyPassword } from './passwords.ts';
import { ok, refuse, refuseAll, type Problem, type Result } from '../core/result.ts';
import { setMailboxPassword } from './mailboxes.ts';
import { endAdminSessions } from './sessions.ts';

// A signed-in person changing their own password: the current one first, then the usual rules;
// their other sessions end, the one they are using stays.

/** What a password-change form sends: the current password, the new one, and the new one again. */
export interface PasswordChange {
  current: string;
  next: string;
  confirm: string;
}

/** Why a new administrator password is refused, or null: the rules, and never the domain's own name. */
export function adminPasswordProblem(password: string, domainName: string): MessageKey | null {
  return passwordProblem(password, [domainName, domainName.split('.')[0] ?? '']);
}

/** Every problem of a password change at once: a wrong current password, a refused or mistyped new one. */
function changeProblems(currentRight: boolean, nextProblem: MessageKey | null, change: PasswordChange): Problem[] {
  const problems: Problem[] = [];
  if (!currentRight) problems.push({ message: 'password.errors.currentWrong', field: 'current' });
  if (nextProblem) problems.push({ message: nextProblem, field: 'next' });
  else if (change.next !== change.confirm) problems.push({ message: 'password.errors.mismatch', field: 'confirm' });
  return problems;
}

/**
 * Changes a domain's administrator password from the portal: the current password must be right,
 * the new one must pass the password rules; every other administrator session of the domain ends.
 */
export async function changeAdminPassword(
  db: Db,
  domainId: number,
  change: PasswordChange,
  who: Actor,
  keepSid: string,
): Promise<Result<string>> {
  const domain = await db.domain.findUnique({ where: { id: domainId } });
  if (!domain) return refuse('notFound', 'domain.errors.unknown', { name: String(domainId) });
  const currentRight = await verifyPassword(domain.adminPasswordHash, change.current);
  const refused = refuseAll(
    'invalid',
    changeProblems(currentRight, adminPasswordProblem(change.next, domain.name), change),
  );
  if (refused) return refused;
  const adminPasswordHash = await hashPassword(change.next);
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
  mailbox: { id: number; domainId: number; localPart: string; address: string; domain: string },
  change: PasswordChange,
  who: Actor,
  keepSid: string,
): Promise<Result<unknown>> {
  const row = await db.mailbox.findFirst({
    where: { id: mailbox.id, domainId: mailbox.domainId },
    select: { passwordHash: true },
  });
  if (!row) return refuse('notFound', 'mailbox.errors.notFound');
  const currentRight = await verifyPassword(row.passwordHash, change.current);
  const nextProblem = passwordProblem(change.next, [mailbox.localPart, mailbox.address, mailbox.domain]);
  const refused = refuseAll('invalid', changeProblems(currentRight, nextProblem, change));
  if (refused) return refused;
  const domain = { id: mailbox.domainId, name: mailbox.domain };
  const changed = await setMailboxPassword(db, domain, mailbox.id, change.next, who, keepSid);
  return changed.ok ? changed : { ...changed, field: 'next' };
}

/**
 * True when the password is the mailbox's own: a signed-in user confirming it before it is put
 * somewhere (a mail program's profile). Changes nothing.
 */
export async function verifyMailboxPassword(db: Db, mailboxId: number, password: string): Promise<boolean> {
  const row = await db.mailbox.findUnique({ where: { id: mailboxId }, select: { passwordHash: true } });
  return row ? verifyPassword(row.passwordHash, password) : verifyAgainstNothing(password);
}
