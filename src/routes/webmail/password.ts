import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { changeMailboxPassword } from '../../accounts/password-change.ts';
import { fieldError, setFlash, takeFlash } from '../shared.ts';
import { mailboxActor, PATHS, webmailPage } from './shared.ts';

const PasswordSchema = Type.Object({
  current: Type.String({ maxLength: 1024, default: '' }),
  next: Type.String({ maxLength: 1024, default: '' }),
  confirm: Type.String({ maxLength: 1024, default: '' }),
});

/** Mot de passe: the user changes their own password; their other sessions end, this one stays. */
export default async function webmailPasswordRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(PATHS.password, async (request, reply) =>
    webmailPage(
      request,
      reply,
      'password',
      { title: request.t('webmail.password.title'), notice: takeFlash(request) },
      'password',
    ),
  );

  app.post(PATHS.password, { schema: { body: PasswordSchema } }, async (request, reply) => {
    const { current, next, confirm } = request.body;
    const refuse = (errors: { field: string; message: string }) => {
      reply.code(422);
      return webmailPage(
        request,
        reply,
        'password',
        { title: request.t('webmail.password.title'), errors },
        'password',
      );
    };
    if (next !== confirm) {
      return refuse({ field: 'confirm', message: request.t('password.errors.mismatch') });
    }
    const result = await changeMailboxPassword(
      app.db,
      request.mailbox,
      current,
      next,
      mailboxActor(request),
      request.session.sessionId,
    );
    if (!result.ok) return refuse(fieldError(request, result, 'next'));
    setFlash(request, { key: 'webmail.flash.passwordChanged' });
    return reply.redirect(PATHS.password, 303);
  });
}
