import fastifySession from '@fastify/session';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
import type { Core } from '../core/index.ts';
import { ABSOLUTE_LIFETIME_MS, IDLE_TIMEOUT_MS, PostgresSessionStore, type SessionPrincipal } from './session-store.ts';

declare module 'fastify' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merges the fields into Session
  interface Session extends SessionPrincipal {}
  interface FastifyRequest {
    /** Starts a signed-in session under a new id (no fixation) holding who signed in. */
    signIn(principal: Pick<SessionPrincipal, 'admin' | 'mailbox'>): Promise<void>;
    /** Ends the session on the server and forgets the cookie. */
    signOut(): Promise<void>;
    /** Keeps a secret for the next page only, sealed with the server's key (the stored session holds no clear text). */
    keepSecretForNextPage(secret: string): void;
    /** The secret kept by the previous request, removed as it is read; null when there is none or it cannot be opened. */
    takeKeptSecret(): string | null;
  }
  interface Session {
    sealedSecret?: string;
  }
}

/** AES-256-GCM with a key derived from the session secret: `iv.tag.ciphertext` in base64url. */
function secretSealer(sessionSecret: string) {
  const key = hkdfSync('sha256', sessionSecret, 'easymail', 'kept secret', 32);
  return {
    seal(text: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', Buffer.from(key), iv);
      const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
      return [iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64url')).join('.');
    },
    open(sealed: string): string | null {
      const [iv, tag, data] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
      if (!iv || !tag || !data) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', Buffer.from(key), iv).setAuthTag(tag);
        return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
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
  async (app, { config, core }: { config: Config; core: Core }) => {
    const store = new PostgresSessionStore(core.sessions);
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
      // Touching at most once a minute keeps the idle clock right without a write per request:
      // a request that changes nothing else leaves the session unsaved.
      if (now - (session.lastSeenAt ?? 0) > 60_000) session.lastSeenAt = now;
    });

    app.decorateRequest('signIn', async function (principal) {
      await this.session.regenerate();
      const now = Date.now();
      Object.assign(this.session, principal, { signedInAt: now, lastSeenAt: now });
      await store.create(this.session.sessionId, this.session);
    });
    const sealer = secretSealer(config.sessionSecret);
    app.decorateRequest('keepSecretForNextPage', function (secret: string) {
      this.session.sealedSecret = sealer.seal(secret);
    });
    app.decorateRequest('takeKeptSecret', function () {
      const sealed = this.session.sealedSecret;
      if (!sealed) return null;
      this.session.sealedSecret = undefined;
      return sealer.open(sealed);
    });
    app.decorateRequest('signOut', async function () {
      // Deletes the stored session; the empty one that replaces it is never stored, and its new id
      // makes @fastify/session clear the old cookie.
      await this.session.regenerate();
    });
  },
  { name: 'session', dependencies: ['@fastify/cookie'] },
);
