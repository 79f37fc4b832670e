import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../core/index.ts';
import { PATHS } from '../routes/paths.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in administrator's domain (set by requireDomainAdmin). */
    domain: NonNullable<Awaited<ReturnType<Core['accounts']['getSignedInDomain']>>>;
    /** The signed-in webmail user's mailbox (set by requireMailboxUser). */
    mailbox: NonNullable<Awaited<ReturnType<Core['accounts']['getSignedInMailbox']>>>;
  }
}

/** Signed-in pages show accounts and mail: no browser or proxy may keep them after the session ends. */
function noStore(reply: FastifyReply) {
  reply.header('cache-control', 'no-store');
}

/** Ends a session whose account is gone, and sends the visitor to the sign-in page. */
async function refuseAccess(request: FastifyRequest, reply: FastifyReply, signedIn: boolean, signInPath: string) {
  if (signedIn) await request.signOut();
  request.log.info(
    { ip: request.ip, url: request.url, reason: signedIn ? 'account gone' : 'not signed in' },
    'access refused',
  );
  return reply.redirect(signInPath, 303);
}

/**
 * preHandler: the request comes from the administrator of an existing, active domain; anything
 * else goes to the sign-in page. The domain is read afresh from the database every time.
 */
export async function requireDomainAdmin(request: FastifyRequest, reply: FastifyReply) {
  const admin = request.session.admin;
  const domain = admin ? await request.server.core.accounts.getSignedInDomain(admin.domainId) : null;
  if (!domain) return refuseAccess(request, reply, Boolean(admin), PATHS.admin.signIn);
  request.domain = domain;
  noStore(reply);
}

/** preHandler: the request comes from the user of an existing mailbox of an active domain. */
export async function requireMailboxUser(request: FastifyRequest, reply: FastifyReply) {
  const signedIn = request.session.mailbox;
  const mailbox = signedIn ? await request.server.core.accounts.getSignedInMailbox(signedIn.id) : null;
  if (!mailbox) return refuseAccess(request, reply, Boolean(signedIn), PATHS.webmail.signIn);
  request.mailbox = mailbox;
  noStore(reply);
}
