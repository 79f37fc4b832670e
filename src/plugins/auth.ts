import type { FastifyReply, FastifyRequest } from 'fastify';
import { addressOf } from '../accounts/mailboxes.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in administrator's domain (set by requireDomainAdmin). */
    domain: { id: number; name: string; mailboxQuota: number; state: string; createdAt: Date };
    /** The signed-in webmail user's mailbox (set by requireMailboxUser). */
    mailbox: { id: number; domainId: number; localPart: string; address: string; domain: string };
  }
}

export const ADMIN_SIGN_IN = '/admin/connexion';
export const WEBMAIL_SIGN_IN = '/webmail';

/** Signed-in pages show accounts and mail: no browser or proxy may keep them after the session ends. */
function noStore(reply: FastifyReply) {
  reply.header('cache-control', 'no-store');
}

/**
 * preHandler: the request comes from the administrator of an existing, active domain; anything
 * else goes to the sign-in page. The domain is read afresh from the database every time.
 */
export async function requireDomainAdmin(request: FastifyRequest, reply: FastifyReply) {
  const admin = request.session.admin;
  const domain = admin ? await request.server.db.domain.findUnique({ where: { id: admin.domainId } }) : null;
  if (!domain || domain.state !== 'active') {
    if (admin) await request.signOut();
    request.log.info(
      { ip: request.ip, url: request.url, reason: admin ? 'account gone' : 'not signed in' },
      'access refused',
    );
    return reply.redirect(ADMIN_SIGN_IN, 303);
  }
  request.domain = domain;
  noStore(reply);
}

/** preHandler: the request comes from the user of an existing mailbox of an active domain. */
export async function requireMailboxUser(request: FastifyRequest, reply: FastifyReply) {
  const signedIn = request.session.mailbox;
  const mailbox = signedIn
    ? await request.server.db.mailbox.findUnique({ where: { id: signedIn.id }, include: { domain: true } })
    : null;
  if (!mailbox || mailbox.domain.state !== 'active') {
    if (signedIn) await request.signOut();
    request.log.info(
      { ip: request.ip, url: request.url, reason: signedIn ? 'account gone' : 'not signed in' },
      'access refused',
    );
    return reply.redirect(WEBMAIL_SIGN_IN, 303);
  }
  noStore(reply);
  request.mailbox = {
    id: mailbox.id,
    domainId: mailbox.domainId,
    localPart: mailbox.localPart,
    address: addressOf(mailbox.localPart, mailbox.domain.name),
    domain: mailbox.domain.name,
  };
}
