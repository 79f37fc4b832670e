import fastifyCsrf from '@fastify/csrf-protection';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import { pruneSignInFailures } from '../accounts/sign-in.ts';
import type { Config } from '../config.ts';
import { ADMIN_SIGN_IN, WEBMAIL_SIGN_IN } from './auth.ts';
import { postgresRateLimitStore, pruneRateLimitCounters } from './rate-limit-store.ts';

/** The Content-Security-Policy of every page: nothing inline, nothing from elsewhere. */
export const CSP_DIRECTIVES = {
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
};

/** CSP_DIRECTIVES as a header value, for responses that set it themselves (error pages). */
export const SITE_CSP = Object.entries(CSP_DIRECTIVES)
  .map(([name, values]) => `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${values.join(' ')}`)
  .join('; ');

/**
 * Permissions-Policy: the powerful browser features the app never uses, off for its pages and for
 * anything they frame. Only feature names browsers recognise (`browsing-topics` is the successor of
 * `interest-cohort`; `bluetooth` is recognised where Web Bluetooth ships).
 */
export const PERMISSIONS_POLICY = [
  ...['accelerometer', 'autoplay', 'bluetooth', 'browsing-topics', 'camera', 'display-capture', 'encrypted-media'],
  ...['fullscreen', 'geolocation', 'gyroscope', 'hid', 'idle-detection', 'interest-cohort', 'magnetometer'],
  ...['microphone', 'midi', 'payment', 'picture-in-picture', 'screen-wake-lock', 'serial', 'usb'],
  'xr-spatial-tracking',
]
  .map((feature) => `${feature}=()`)
  .join(', ');

/** Strict-Transport-Security, sent on HTTPS responses only. */
export const HSTS = 'max-age=31536000; includeSubDomains';

/** The sign-in forms: their POSTs get a tight per-client limit on top of the per-account throttle. */
export const SIGN_IN_PATHS = new Set([ADMIN_SIGN_IN, WEBMAIL_SIGN_IN]);
/** Every form that checks a password: the sign-ins, and the password changes (the current one). */
export const PASSWORD_FORM_PATHS = new Set([...SIGN_IN_PATHS, '/admin/securite', '/webmail/mot-de-passe']);
/** The window of the per-client limit on password forms (config.signInRateLimit submissions in it). */
export const SIGN_IN_RATE_WINDOW_MS = 15 * 60_000;

/** An error the error handler renders as the 429 page in the reader's language. */
function tooManyRequests() {
  return Object.assign(new Error('too many requests'), { statusCode: 429, code: 'EASYMAIL_RATE_LIMIT' });
}

/**
 * Security headers (a strict CSP with no inline script at all; HSTS on HTTPS only), fetch-metadata
 * refusal of cross-site requests other than links, per-client rate limits counted in PostgreSQL,
 * and CSRF tokens checked on every state-changing request once its body is parsed.
 */
export default fp(
  async (app, { config }: { config: Config }) => {
    await app.register(fastifyHelmet, {
      contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
      referrerPolicy: { policy: 'no-referrer' },
      // frame-ancestors 'none' decides in today's browsers; DENY says the same to older ones.
      xFrameOptions: { action: 'deny' },
      strictTransportSecurity: false,
      crossOriginEmbedderPolicy: false,
    });
    // No feature the app never uses, on every response; the bare error page sets it itself.
    app.addHook('onRequest', async (_request, reply) => {
      reply.header('permissions-policy', PERMISSIONS_POLICY);
    });
    // HSTS means something only on a response that came over HTTPS (behind TRUST_PROXY).
    app.addHook('onRequest', async (request, reply) => {
      if (config.trustProxy && request.protocol === 'https') {
        reply.header('strict-transport-security', HSTS);
      }
    });

    // Fetch metadata: browsers say where a request comes from. Another site may link to a page (a
    // top-level GET navigation) and nothing else: no form posts, frames, scripts or image loads.
    app.addHook('onRequest', async (request) => {
      if (request.headers['sec-fetch-site'] !== 'cross-site') return;
      const { 'sec-fetch-mode': mode, 'sec-fetch-dest': dest } = request.headers;
      const link = ['GET', 'HEAD'].includes(request.method) && mode === 'navigate' && dest === 'document';
      if (!link) throw Object.assign(new Error('cross-site request'), { statusCode: 403, code: 'EASYMAIL_CROSS_SITE' });
    });

    // Must run before @fastify/rate-limit's own onRoute hook, which reads config.rateLimit.
    app.addHook('onRoute', (route) => {
      const methods = [route.method].flat();
      if (!methods.includes('POST') || !PASSWORD_FORM_PATHS.has(route.url)) return;
      route.config = {
        ...route.config,
        rateLimit: { max: config.signInRateLimit, timeWindow: SIGN_IN_RATE_WINDOW_MS },
      } as typeof route.config;
    });
    await app.register(fastifyRateLimit, {
      global: true,
      max: config.rateLimit,
      timeWindow: 60_000,
      store: postgresRateLimitStore(app.db),
      // Stylesheets, scripts and the health check cost nothing worth limiting.
      allowList: (request) => request.url.startsWith('/public/') || request.url === '/healthz',
      errorResponseBuilder: tooManyRequests,
      onExceeded: (request) => request.log.warn({ ip: request.ip, url: request.url }, 'rate limit exceeded'),
    });

    // Every sign-in attempt, with its outcome and the client's address (pino adds the time). Never
    // the password or the typed user name, which is sometimes a password typed in the wrong field.
    app.addHook('onResponse', async (request, reply) => {
      if (request.method !== 'POST' || !SIGN_IN_PATHS.has(request.routeOptions.url ?? '')) return;
      const status = reply.statusCode;
      const account = request.session?.admin?.domain ?? request.session?.mailbox?.address;
      const outcome = status < 400 && account ? 'success' : status === 401 ? 'failure' : 'refused';
      request.log.info({ ip: request.ip, form: request.routeOptions.url, outcome, status, account }, 'sign-in');
    });

    const pruning = setInterval(() => {
      Promise.all([pruneRateLimitCounters(app.db), pruneSignInFailures(app.db)]).catch((error: unknown) =>
        app.log.warn({ err: error }, 'security prune failed'),
      );
    }, 10 * 60_000);
    pruning.unref();
    app.addHook('onClose', async () => clearInterval(pruning));

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
