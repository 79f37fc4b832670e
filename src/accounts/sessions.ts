import type { Db } from '../db/client.ts';
import type { Prisma } from '../generated/prisma/client.ts';

type Tx = Db | Prisma.TransactionClient;

// Each stored session names the domain it belongs to, and the mailbox for webmail sessions
// (src/plugins/session-store.ts), so an account's sessions can be ended wherever they were opened.

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
