import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { parse as parseQuery } from 'node:querystring';
import type { Config } from './config.ts';
import { createCore, type Core } from './core/index.ts';
import type { Db } from './db/client.ts';
import errors, { sendBareErrorPage } from './plugins/errors.ts';
import maintenance from './plugins/maintenance.ts';
import i18n from './plugins/i18n.ts';
import security from './plugins/security.ts';
import session from './plugins/session.ts';
import view from './plugins/view.ts';
import adminRoutes from './routes/admin/index.ts';
import publicRoutes from './routes/public/index.ts';
import webmailRoutes from './routes/webmail/index.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    /** The one way routes and plugins reach the rules and the store. */
    core: Core;
  }
}

/** Headers and fields that must never reach the logs (the fields in case an object is ever logged whole). */
const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.password',
  '*.current',
  '*.next',
  '*._csrf',
];

/**
 * The web application: external plugins, then Easymail's own, then routes. logStream receives the
 * log lines instead of standard output (tests read them).
 */
export async function buildApp(
  config: Config,
  db: Db,
  logStream?: { write(line: string): void },
): Promise<FastifyInstance> {
  const proxies = config.trustedProxies;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: { paths: REDACT, censor: '[redacted]' },
      ...(logStream ? { stream: logStream } : {}),
    },
    trustProxy: typeof proxies === 'number' ? (_address: string, hop: number) => hop < proxies : proxies,
    bodyLimit: 1024 * 1024,
    frameworkErrors: sendBareErrorPage,
  });
  const core = createCore(db, config);
  app.decorate('config', config);
  app.decorate('core', core);

  await app.register(fastifyCookie, { secret: config.sessionSecret });
  // A repeated field keeps only its first value, so no handler ever sees an array it did not expect.
  await app.register(fastifyFormbody, {
    parser: (body) => {
      const parsed = parseQuery(body);
      return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
    },
  });
  await app.register(fastifyStatic, { root: join(import.meta.dirname, '../public'), prefix: '/public/' });
  await app.register(i18n);
  await app.register(security, { config, core });
  await app.register(session, { config, core });
  await app.register(view, { config });
  await app.register(errors);
  await app.register(maintenance, { core });

  await app.register(publicRoutes);
  await app.register(adminRoutes);
  await app.register(webmailRoutes);
  return app;
}
