import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { signInAdmin } from '../../accounts/sign-in.ts';
import { PATHS } from './shared.ts';

const SignInSchema = Type.Object({
  username: Type.String({ maxLength: 1024, default: '' }),
  password: Type.String({ maxLength: 1024, default: '' }),
});

/** Administrator sign-in (the domain name and its administrator password) and sign-out. */
export default async function adminSignInRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(PATHS.signIn, async (request, reply) => {
    if (request.session.admin) return reply.redirect(PATHS.home, 303);
    return reply.page('admin/sign-in', { username: '' });
  });

  app.post(PATHS.signIn, { schema: { body: SignInSchema } }, async (request, reply) => {
    const { username, password } = request.body;
    const result = await signInAdmin(app.db, { domain: username, password }, request.ip);
    if (!result.ok) {
      // One status and one sentence whatever the reason, so the page never tells which domains exist.
      reply.code(401);
      return reply.page('admin/sign-in', { username: username.slice(0, 253), error: request.t(result.message) });
    }
    await request.signIn({ admin: result.value });
    return reply.redirect(PATHS.home, 303);
  });

  app.post(PATHS.signOut, async (request, reply) => {
    await request.signOut();
    return reply.redirect('/mes-comptes', 303);
  });
}
