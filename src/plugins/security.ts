import fastifyCsrf from '@fastify/csrf-protection';
import fastifyHelmet from '@fastify/helmet';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';

/**
 * Security headers (a strict CSP with no inline script at all) and CSRF tokens, checked on every
 * state-changing request once its body is parsed.
 */
export default fp(
  async (app, { config }: { config: Config }) => {
    await app.register(fastifyHelmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          frameSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
      strictTransportSecurity: config.trustProxy ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      crossOriginEmbedderPolicy: false,
    });

    await app.register(fastifyCsrf, {
      sessionPlugin: '@fastify/cookie',
      cookieKey: config.trustProxy ? '__Host-csrf' : 'csrf',
      cookieOpts: { httpOnly: true, sameSite: 'lax', secure: config.trustProxy, path: '/', signed: true },
    });
    app.addHook('preHandler', (request, reply, done) => {
      if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return done();
      app.csrfProtection(request, reply, done);
    });
  },
  { name: 'security', dependencies: ['@fastify/cookie'] },
);
