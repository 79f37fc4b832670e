import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { PATHS } from '../paths.ts';
import { sendSignInRefusal } from '../shared.ts';

const SignInSchema = Type.Object({
  username: Type.String({ maxLength: 1024, default: '' }),
  password: Type.String({ maxLength: 1024, default: '' }),
});

/** Administrator sign-in (the domain name and its administrator password) and sign-out. */
export default async function adminSignInRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { accounts } = app.core;

  app.get(PATHS.admin.signIn, async (request, reply) => {
    if (request.session.admin) return reply.redirect(PATHS.admin.home, 303);
    return reply.page('admin/sign-in', { username: '' });
  });

  app.post(PATHS.admin.signIn, { schema: { body: SignInSchema } }, async (request, reply) => {
    const { username, password } = request.body;
    const result = await accounts.signInAdmin({ domain: username, password }, request.ip);
    if (!result.ok) {
      const render = (errors: object) => reply.page('admin/sign-in', { username: username.slice(0, 253), errors });
      return sendSignInRefusal(reply, result, render, 'username');
    }
    await request.signIn({ admin: result.value });
    return reply.redirect(PATHS.admin.home, 303);
  });

  app.post(PATHS.admin.signOut, async (request, reply) => {
    await request.signOut();
    return reply.redirect(PATHS.public.myAccounts, 303);
  });
}
