import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { PATHS } from '../paths.ts';
import { adminActor, sendRefusal, setFlash, takeFlash } from '../shared.ts';

export const PasswordChangeSchema = Type.Object({
  current: Type.String({ maxLength: 1024, default: '' }),
  next: Type.String({ maxLength: 1024, default: '' }),
  confirm: Type.String({ maxLength: 1024, default: '' }),
});

/** Sécurité: the administrator changes the administrator password; the domain's other sessions end. */
export default async function adminSecurityRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { accounts } = app.core;

  app.get(PATHS.admin.security, async (request, reply) =>
    reply.page('admin/security', { domain: request.domain, section: 'security', notice: takeFlash(request) }),
  );

  app.post(PATHS.admin.security, { schema: { body: PasswordChangeSchema } }, async (request, reply) => {
    const sid = request.session.sessionId;
    const result = await accounts.changeAdminPassword(request.domain.id, request.body, adminActor(request), sid);
    if (!result.ok) {
      const render = (errors: object) =>
        reply.page('admin/security', { domain: request.domain, section: 'security', errors });
      return sendRefusal(reply, result, render, 'next');
    }
    setFlash(request, { key: 'admin.security.done' });
    return reply.redirect(PATHS.admin.security, 303);
  });
}
