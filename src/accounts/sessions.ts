import type { Db } from '../db/client.ts';
import type { Prisma } from '../generated/prisma/client.ts';

type Tx = Db | Prisma.TransactionClient;

// Each stored session names the domain it belongs to, and the mailbox for webmail sessions, so an
// account's sessions can be ended wherever they were opened.

/** A session as stored: its data, when it stops being valid, and whose it is. */
export interface SessionRow {
  data: Prisma.InputJsonValue;
  expiresAt: Date;
  domainId: number | null;
  mailboxId: number | null;
}

/** Stores a session just signed in to: the only way a session row comes to exist. */
export async function createSession(db: Db, sid: string, row: SessionRow): Promise<void> {
  await db.session.create({ data: { sid, ...row } });
}

/** Saves an existing session; never brings back one that was ended meanwhile. */
export async function saveSession(db: Db, sid: string, row: SessionRow): Promise<void> {
  await db.session.updateMany({ where: { sid }, data: row });
}

/** A session's data while it is valid, else null. */
export async function loadSession(db: Db, sid: string): Promise<unknown> {
  const rows = await db.$queryRaw<{ data: unknown }[]>`
    SELECT data FROM sessions WHERE sid = ${sid} AND expires_at > now()`;
  return rows[0]?.data ?? null;
}

/** Ends one session. */
export async function destroySession(db: Db, sid: string): Promise<void> {
  await db.session.deleteMany({ where: { sid } });
}

/** Deletes sessions past their expiry; called by the maintenance loop, not on requests. */
export async function pruneSessions(db: Db): Promise<number> {
  const { count } = await db.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  return count;
}

/** Ends the administrator sessions of a domain, except keepSid. */
export async function endAdminSessions(db: Tx, domainId: number, keepSid?: string) {
  await db.session.deleteMany({ where: { domainId, mailboxId: null, ...(keepSid ? { NOT: { sid: keepSid } } : {}) } });
}

/** Ends the webmail sessions of a mailbox, except keepSid. */
export async function endMailboxSessions(db: Tx, mailboxId: number, keepSid?: string) {
  await db.session.deleteMany({ where: { mailboxId, ...(keepSid ? { NOT: { sid: keepSid } } : {}) } });
}

/** Ends every session of a domain: its administrator's and its mailboxes'. */
export async function endDomainSessions(db: Tx, domainId: number) {
  await db.session.deleteMany({ where: { domainId } });
}
