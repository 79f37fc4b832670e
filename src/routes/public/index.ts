import type { FastifyInstance } from 'fastify';
import { LANG_COOKIE } from '../../plugins/i18n.ts';

/** Only a path of this site may be a redirect target (no `//host` or `https:` tricks). */
export function localPath(value: unknown, fallback = '/'): string {
  // Printable ASCII only: anything else cannot go into a Location header as it is.
  return typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : fallback;
}

/** The provider's public pages, the language switch and the health check. */
export default async function publicRoutes(app: FastifyInstance) {
  app.get('/', async (_request, reply) => reply.page('public/home'));
  app.get('/mes-comptes', async (_request, reply) => reply.page('public/my-accounts'));
  app.get('/soutien-technique', async (request, reply) =>
    reply.page('public/support', {
      phone: app.config.supportPhone,
      hours: app.config.supportHours ?? request.t('support.defaultHours'),
    }),
  );

  app.post<{ Body: { lang?: string; next?: string } }>('/langue', async (request, reply) => {
    const lang = request.body?.lang === 'en' ? 'en' : 'fr';
    reply.setCookie(LANG_COOKIE, lang, {
      path: '/',
      sameSite: 'lax',
      httpOnly: true,
      secure: app.config.trustProxy,
      maxAge: 365 * 24 * 3600,
    });
    return reply.redirect(localPath(request.body?.next), 303);
  });

  app.get('/healthz', async (_request, reply) => {
    try {
      await app.db.$queryRaw`SELECT 1`;
      return reply.code(200).send({ status: 'ok' });
    } catch {
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
}
