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

  /** Stores a session just signed in to: the only way a session row comes to exist. */
  async create(sid: string, session: Session): Promise<void> {
    await this.db.session.create({ data: { sid, ...this.row(session) } });
  }

  /**
   * Saves changes to an existing session, and never brings back one that was ended meanwhile (a
   * password change, a deletion, a sign-out elsewhere) by a request that had already loaded it.
   */
  set(sid: string, session: Session, callback: Callback) {
    // A session nobody signed in to holds nothing worth a row (and regenerate() writes one).
    if (!session.admin && !session.mailbox) return this.destroy(sid, callback);
    this.db.session.updateMany({ where: { sid }, data: this.row(session) }).then(() => callback(), callback);
  }

  private row(session: Session) {
    return {
      data: JSON.parse(JSON.stringify(session)),
      expiresAt: sessionExpiry(session),
      domainId: session.admin?.domainId ?? session.mailbox?.domainId ?? null,
      mailboxId: session.mailbox?.id ?? null,
    };
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
