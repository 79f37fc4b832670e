import fastifySession from '@fastify/session';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { ABSOLUTE_LIFETIME_MS, IDLE_TIMEOUT_MS, PostgresSessionStore, type SessionPrincipal } from './session-store.ts';

declare module 'fastify' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges the fields into Session
  interface Session extends SessionPrincipal {}
  interface FastifyRequest {
    /** Starts a signed-in session under a new id (no fixation) holding who signed in. */
    signIn(principal: Pick<SessionPrincipal, 'admin' | 'mailbox'>): Promise<void>;
    /** Ends the session on the server and forgets the cookie. */
    signOut(): Promise<void>;
  }
}

/** The session cookie's name: `__Host-` and Secure when served over HTTPS (behind TRUST_PROXY). */
export function sessionCookieName(config: Config) {
  return config.trustProxy ? '__Host-easymail' : 'easymail';
}

/**
 * Sessions in PostgreSQL. They end 30 minutes after last use and 12 hours after sign-in at the
 * latest, checked here on every request (and by the store's expiry column).
 */
export default fp(
  async (app, { config, db }: { config: Config; db: Db }) => {
    const store = new PostgresSessionStore(db);
    await app.register(fastifySession, {
      secret: config.sessionSecret,
      cookieName: sessionCookieName(config),
      store,
      saveUninitialized: false,
      // Saved only when changed (sign-in, sign-out, the once-a-minute touch), not on every request.
      rolling: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: config.trustProxy, path: '/' },
    });

    app.addHook('onRequest', async (request) => {
      const session = request.session;
      if (!session.admin && !session.mailbox) return;
      const now = Date.now();
      const idle = now - (session.lastSeenAt ?? 0) > IDLE_TIMEOUT_MS;
      const tooOld = now - (session.signedInAt ?? 0) > ABSOLUTE_LIFETIME_MS;
      if (idle || tooOld) {
        request.log.info({ ip: request.ip, reason: idle ? 'idle' : 'absolute' }, 'session expired');
        // A fresh empty session (not null) keeps handlers working; the old cookie is cleared on send.
        await session.regenerate();
        return;
      }
      // Touching at most once a minute keeps the idle clock right without a write per request.
      if (now - (session.lastSeenAt ?? 0) > 60_000) session.lastSeenAt = now;
    });

    app.decorateRequest('signIn', async function (principal) {
      await this.session.regenerate();
      const now = Date.now();
      Object.assign(this.session, principal, { signedInAt: now, lastSeenAt: now });
      await store.create(this.session.sessionId, this.session);
    });
    app.decorateRequest('signOut', async function () {
      // Deletes the stored session; the empty one that replaces it is never stored, and its new id
      // makes @fastify/session clear the old cookie.
      await this.session.regenerate();
    });

    const pruning = setInterval(
      () => store.prune().catch((error) => app.log.warn({ err: error }, 'session prune failed')),
      10 * 60_000,
    );
    pruning.unref();
    app.addHook('onClose', async () => clearInterval(pruning));
  },
  { name: 'session', dependencies: ['@fastify/cookie'] },
);
