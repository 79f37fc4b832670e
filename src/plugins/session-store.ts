import type { Session } from 'fastify';
import type { Db } from '../db/client.ts';

/** What a signed-in session holds (set only by the sign-in routes). */
export interface SessionPrincipal {
  admin?: { domainId: number; domain: string };
  mailbox?: { id: number; domainId: number; address: string };
  signedInAt?: number;
  lastSeenAt?: number;
}

type Callback<T = void> = (error?: unknown, value?: T) => void;

export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const ABSOLUTE_LIFETIME_MS = 12 * 60 * 60 * 1000;

/** When a session stops being valid: 30 minutes after it was last used, 12 hours after sign-in. */
export function sessionExpiry(session: SessionPrincipal, now = Date.now()): Date {
  const idle = (session.lastSeenAt ?? now) + IDLE_TIMEOUT_MS;
  const absolute = (session.signedInAt ?? now) + ABSOLUTE_LIFETIME_MS;
  return new Date(Math.min(idle, absolute));
}

/**
 * @fastify/session store on PostgreSQL, so every instance sees the same sessions and an
 * account's sessions can be ended from anywhere (src/accounts/sessions.ts).
 */
export class PostgresSessionStore {
  constructor(private readonly db: Db) {}

  set(sid: string, session: Session, callback: Callback) {
    // A session nobody signed in to holds nothing worth a row (and regenerate() writes one).
    if (!session.admin && !session.mailbox) return this.destroy(sid, callback);
    const data = JSON.parse(JSON.stringify(session));
    const expiresAt = sessionExpiry(session);
    const domainId = session.admin?.domainId ?? session.mailbox?.domainId ?? null;
    const mailboxId = session.mailbox?.id ?? null;
    const row = { data, expiresAt, domainId, mailboxId };
    this.db.session.upsert({ where: { sid }, create: { sid, ...row }, update: row }).then(() => callback(), callback);
  }

  get(sid: string, callback: Callback<Session | null>) {
    this.db.session.findUnique({ where: { sid } }).then((row) => {
      if (!row || row.expiresAt.getTime() <= Date.now()) return callback(undefined, null);
      callback(undefined, row.data as unknown as Session);
    }, callback);
  }

  destroy(sid: string, callback: Callback) {
    this.db.session.deleteMany({ where: { sid } }).then(() => callback(), callback);
  }

  /** Deletes sessions past their expiry; called now and then, not on every request. */
  async prune(): Promise<number> {
    const { count } = await this.db.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
    return count;
  }
}
