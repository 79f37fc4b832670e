import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../accounts/audit.ts';
import { ADMIN_SIGN_IN } from '../../plugins/auth.ts';

export const PATHS = {
  signIn: ADMIN_SIGN_IN,
  signOut: '/admin/deconnexion',
  home: '/admin/domaine',
  hosting: '/admin/hebergement-web',
  security: '/admin/securite',
  email: '/admin/courriel',
  easymail: '/admin/courriel/configuration',
  create: '/admin/courriel/creer',
  mailbox: (id: number) => `/admin/courriel/comptes/${id}`,
  password: (id: number) => `/admin/courriel/comptes/${id}/mot-de-passe`,
  remove: (id: number) => `/admin/courriel/comptes/${id}/supprimer`,
} as const;

/** The signed-in administrator as recorded in the audit log, with the client's address. */
export function adminActor(request: FastifyRequest): Actor {
  return { actor: `admin:${request.domain.name}`, clientAddress: request.ip };
}
