import fastifyCsrf from '@fastify/csrf-protection';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { Core } from '../core/index.ts';
import { PATHS } from '../routes/paths.ts';

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
export const SIGN_IN_PATHS = new Set<string>([PATHS.admin.signIn, PATHS.webmail.signIn]);
/** Every form that checks a password: the sign-ins, and the password changes (the current one). */
export const PASSWORD_FORM_PATHS = new Set<string>([
  ...SIGN_IN_PATHS,
  PATHS.admin.security,
  PATHS.webmail.password,
  PATHS.webmail.appleProfile,
]);
/**
 * The POSTs without a CSRF token: Outlook's Autodiscover, asked by a mail program with no cookie and
 * no session. They change nothing and answer the same to anyone, so a forged one gains nothing.
 */
export const CSRF_EXEMPT_PATHS = new Set<string>([
  PATHS.autoconfig.autodiscover,
  PATHS.autoconfig.autodiscoverCapitalised,
]);
/** The window of the per-client limit on password forms (config.signInRateLimit submissions in it). */
export const SIGN_IN_RATE_WINDOW_MS = 15 * 60_000;

/** An error the error handler renders as the 429 page in the reader's language. */
function tooManyRequests() {
  return Object.assign(new Error('too many requests'), { statusCode: 429, code: 'EASYMAIL_RATE_LIMIT' });
}

/**
 * Security headers (a strict CSP with no inline script at all; HSTS on HTTPS only), fetch-metadata
 * refusal of cross-site requests other than links, per-client rate limits (in memory or Redis, and
 * for password forms in PostgreSQL),
 * and CSRF tokens checked on every state-changing request once its body is parsed.
 */
export default fp(
  async (app, { config, core }: { config: Config; core: Core }) => {
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

    // The general limit is counted in this instance's memory (an LRU), or in Redis when REDIS_URL
    // is set, so a page view never writes to PostgreSQL.
    const redis = config.redisUrl
      ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false })
      : null;
    if (redis) {
      redis.on('error', (error) => app.log.warn({ err: error }, 'redis unavailable: rate limit not counted'));
      app.addHook('onClose', async () => void redis.disconnect());
    }
    await app.register(fastifyRateLimit, {
      global: true,
      max: config.rateLimit,
      timeWindow: 60_000,
      cache: 10_000,
      ...(redis ? { redis, nameSpace: 'easymail-rate:' } : {}),
      // An unreachable Redis must not lock everyone out.
      skipOnError: true,
      // Stylesheets, scripts and the health check cost nothing worth limiting.
      allowList: (request) =>
        request.url.startsWith(PATHS.public.assets) ||
        request.url === PATHS.public.health ||
        request.url === PATHS.public.favicon,
      errorResponseBuilder: tooManyRequests,
      onExceeded: (request) => request.log.warn({ ip: request.ip, url: request.url }, 'rate limit exceeded'),
    });

    // Password forms are counted in PostgreSQL, where every instance must agree, and before the
    // CSRF check, so that guessing without a token is limited too.
    app.addHook('onRequest', async (request, reply) => {
      if (request.method !== 'POST' || !PASSWORD_FORM_PATHS.has(request.routeOptions.url ?? '')) return;
      const key = `form:${request.routeOptions.url}:${request.ip}`;
      const { current, ttl } = await core.counters.countRequest(key, SIGN_IN_RATE_WINDOW_MS);
      if (current <= config.signInRateLimit) return;
      request.log.warn({ ip: request.ip, url: request.url }, 'password form limit exceeded');
      reply.header('retry-after', String(Math.max(1, Math.ceil(ttl / 1000))));
      throw tooManyRequests();
    });

    // Every sign-in attempt, with its outcome and the client's address (pino adds the time). Never
    // the password or the typed user name, which is sometimes a password typed in the wrong field;
    // only the account of the form used (a webmail account signed in beside it is not this sign-in).
    app.addHook('onResponse', async (request, reply) => {
      const form = request.routeOptions.url ?? '';
      if (request.method !== 'POST' || !SIGN_IN_PATHS.has(form)) return;
      const status = reply.statusCode;
      const account = form === PATHS.admin.signIn ? request.session?.admin?.domain : request.session?.mailbox?.address;
      const outcome = status < 400 && account ? 'success' : status === 401 ? 'failure' : 'refused';
      request.log.info({ ip: request.ip, form, outcome, status, account }, 'sign-in');
    });

    await app.register(fastifyCsrf, {
      sessionPlugin: '@fastify/cookie',
      cookieKey: config.trustProxy ? '__Host-csrf' : 'csrf',
      cookieOpts: { httpOnly: true, sameSite: 'lax', secure: config.trustProxy, path: '/', signed: true },
    });
    app.addHook('preHandler', (request, reply, done) => {
      if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return done();
      if (CSRF_EXEMPT_PATHS.has(request.routeOptions.url ?? '')) return done();
      app.csrfProtection(request, reply, done);
    });
  },
  { name: 'security', dependencies: ['@fastify/cookie'] },
);
