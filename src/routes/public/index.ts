import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LANG_COOKIE } from '../../plugins/i18n.ts';
import { PATHS } from '../paths.ts';
import autoconfigRoutes from './autoconfig.ts';

const ICON = readFileSync(join(import.meta.dirname, '../../../public/favicon.svg'));

/** Only a path of this site may be a redirect target (no `//host` or `https:` tricks). */
export function localPath(value: unknown, fallback = '/'): string {
  // Printable ASCII only: anything else cannot go into a Location header as it is.
  return typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : fallback;
}

/** The provider's public pages, the language switch and the health check. */
export default async function publicRoutes(app: FastifyInstance) {
  await app.register(autoconfigRoutes);
  app.get(PATHS.public.home, async (_request, reply) => reply.page('public/home'));
  app.get(PATHS.public.myAccounts, async (_request, reply) => reply.page('public/my-accounts'));
  app.get(PATHS.public.support, async (request, reply) =>
    reply.page('public/support', {
      phone: app.config.supportPhone,
      hours: app.config.supportHours ?? request.t('public.support.defaultHours'),
    }),
  );
  // Browsers ask for /favicon.ico whatever the page says: the same icon, cached for a day.
  app.get(PATHS.public.favicon, async (_request, reply) =>
    reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(ICON),
  );

  app.post<{ Body: { lang?: string; next?: string } }>(PATHS.public.language, async (request, reply) => {
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

  app.get(PATHS.public.health, async (_request, reply) =>
    (await app.core.pingDatabase())
      ? reply.code(200).send({ status: 'ok' })
      : reply.code(503).send({ status: 'unavailable' }),
  );
}
