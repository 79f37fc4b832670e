import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { PATHS } from '../paths.ts';
import { sendSignInRefusal } from '../shared.ts';

const SignInSchema = Type.Object({
  address: Type.String({ maxLength: 1024, default: '' }),
  password: Type.String({ maxLength: 1024, default: '' }),
});

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Webmail sign-in (full address and mailbox password), sign-out, and `/` on the webmail's own host name. */
export default async function webmailSignInRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  const webmailHost = app.config.webmailHost;
  if (webmailHost) {
    // A route constrained to the webmail host wins over the portal's home page for that host only.
    const host = new RegExp(`^${escapeRegExp(webmailHost)}(:\\d+)?$`, 'i');
    app.get('/', { constraints: { host } }, async (_request, reply) => reply.redirect(PATHS.webmail.signIn, 303));
  }

  app.get(PATHS.webmail.signIn, async (request, reply) => {
    if (request.session.mailbox) return reply.redirect(PATHS.webmail.inbox, 303);
    return reply.page('webmail/sign-in', { address: '' });
  });

  app.post(PATHS.webmail.signIn, { schema: { body: SignInSchema } }, async (request, reply) => {
    const { address, password } = request.body;
    const result = await app.core.accounts.signInMailbox({ address, password }, request.ip);
    if (!result.ok) {
      const render = (errors: object) => reply.page('webmail/sign-in', { address: address.slice(0, 320), errors });
      return sendSignInRefusal(reply, result, render, 'address');
    }
    await request.signIn({ mailbox: result.value });
    return reply.redirect(PATHS.webmail.inbox, 303);
  });

  app.post(PATHS.webmail.signOut, async (request, reply) => {
    await request.signOut();
    return reply.redirect(PATHS.webmail.signIn, 303);
  });
}
