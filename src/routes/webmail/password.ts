import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { PasswordChangeSchema } from '../admin/security.ts';
import { PATHS } from '../paths.ts';
import { mailboxActor, sendRefusal, setFlash, takeFlash, type FormErrors } from '../shared.ts';
import { webmailPage } from './shared.ts';

/** Mot de passe: the user changes their own password; their other sessions end, this one stays. */
export default async function webmailPasswordRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(PATHS.webmail.password, async (request, reply) =>
    webmailPage(
      request,
      reply,
      'password',
      { title: request.t('webmail.password.title'), notice: takeFlash(request) },
      'password',
    ),
  );

  app.post(PATHS.webmail.password, { schema: { body: PasswordChangeSchema } }, async (request, reply) => {
    const sid = request.session.sessionId;
    const result = await app.core.accounts.changeMailboxPassword(
      request.mailbox,
      request.body,
      mailboxActor(request),
      sid,
    );
    if (!result.ok) {
      const render = (errors: FormErrors) =>
        webmailPage(request, reply, 'password', { title: request.t('webmail.password.title'), errors }, 'password');
      return sendRefusal(reply, result, render, 'next');
    }
    setFlash(request, { key: 'webmail.flash.passwordChanged' });
    return reply.redirect(PATHS.webmail.password, 303);
  });
}
