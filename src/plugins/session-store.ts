import type { Session } from 'fastify';
import type { Core } from '../core/index.ts';
import type { SessionRow } from '../accounts/sessions.ts';

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

/** A session as the core stores it. */
function rowOf(session: Session): SessionRow {
  return {
    data: JSON.parse(JSON.stringify(session)),
    expiresAt: sessionExpiry(session),
    domainId: session.admin?.domainId ?? session.mailbox?.domainId ?? null,
    mailboxId: session.mailbox?.id ?? null,
  };
}

/**
 * @fastify/session store on PostgreSQL, so every instance sees the same sessions and an
 * account's sessions can be ended from anywhere (src/accounts/sessions.ts).
 */
export class PostgresSessionStore {
  constructor(private readonly sessions: Core['sessions']) {}

  /** Stores a session just signed in to. */
  create(sid: string, session: Session): Promise<void> {
    return this.sessions.createSession(sid, rowOf(session));
  }

  /** Saves changes to an existing session, never bringing back one that was ended meanwhile. */
  set(sid: string, session: Session, callback: Callback) {
    // A session nobody signed in to holds nothing worth a row (and regenerate() writes one).
    if (!session.admin && !session.mailbox) return this.destroy(sid, callback);
    this.sessions.saveSession(sid, rowOf(session)).then(() => callback(), callback);
  }

  get(sid: string, callback: Callback<Session | null>) {
    this.sessions.loadSession(sid).then((data) => callback(undefined, (data as Session | null) ?? null), callback);
  }

  destroy(sid: string, callback: Callback) {
    this.sessions.destroySession(sid).then(() => callback(), callback);
  }
}
