import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../core/unavailable.ts';
import { negotiateLang, translate, type MessageKey } from '../i18n/index.ts';
import { HSTS, PERMISSIONS_POLICY, SITE_CSP } from './security.ts';

type ErrorPage = 'notFound' | 'forbidden' | 'csrf' | 'badRequest' | 'tooLarge' | 'tooMany' | 'unavailable' | 'server';

/** How long a page asks the browser to wait while the database is unreachable. */
export const RETRY_AFTER_SECONDS = 5;

/** Renders the error page for a status, in the reader's language; a refusal is logged with the client. */
export async function sendErrorPage(reply: FastifyReply, status: number, kind: ErrorPage, code?: string) {
  const request = reply.request;
  if (status < 500) request.log.info({ ip: request.ip, url: request.url, status, code }, 'request refused');
  // The site's policy, even on routes that loosen Helmet's for their own content (a message frame).
  reply.header('content-security-policy', SITE_CSP).header('x-frame-options', 'DENY');
  reply.code(status);
  return reply.page('error', {
    title: reply.request.t(`errors.${kind}.title` as MessageKey),
    // Not `body`: the layout's own `it.body` is the rendered page, which it would replace.
    message: reply.request.t(`errors.${kind}.body` as MessageKey),
  });
}

function kindOf(error: FastifyError, status: number): ErrorPage {
  if (error.code?.startsWith('FST_CSRF')) return 'csrf';
  if (status === 413) return 'tooLarge';
  if (status === 429) return 'tooMany';
  if (status === 404) return 'notFound';
  if (status === 403) return 'forbidden';
  if (status === 503) return 'unavailable';
  return status < 500 ? 'badRequest' : 'server';
}

/**
 * Fastify's `frameworkErrors`: refusals made before any hook runs (a malformed URL such as `/%zz`),
 * so without cookies, templates or Helmet. A bare page in the reader's language, headers set here.
 */
export function sendBareErrorPage(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
  request.log.info({ ip: request.ip, status, code: error.code }, 'request refused');
  const lang = negotiateLang(request.headers['accept-language']);
  const kind = status < 500 ? 'badRequest' : 'server';
  const title = translate(lang, `errors.${kind}.title`);
  const body = translate(lang, `errors.${kind}.body`);
  // This bare request ignores TRUST_PROXY, so the proxy's header is read here as Fastify would.
  const proto = String(request.headers['x-forwarded-proto'] ?? '')
    .split(',')
    .pop()
    ?.trim();
  if (request.server.config.trustProxy && proto === 'https') {
    reply.header('strict-transport-security', HSTS);
  }
  return reply
    .code(status)
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy':
        "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'permissions-policy': PERMISSIONS_POLICY,
    })
    .send(
      `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${title}</title>` +
        `<link rel="stylesheet" href="/public/css/site.css"></head><body><main><h1>${title}</h1>` +
        `<p role="alert">${body}</p><p><a href="/">${translate(lang, 'errors.backHome')}</a></p></main></body></html>`,
    );
}

/** The one error handler: people get a sentence in their language, logs get the detail. */
export default fp(
  async (app) => {
    app.setErrorHandler(async (error: FastifyError, request, reply) => {
      // While PostgreSQL is unreachable every page says so, and when to try again: no restart is
      // needed, the pool reconnects once it is back.
      if (isDatabaseUnavailable(error)) {
        request.log.warn({ ip: request.ip, url: request.url }, 'database unavailable');
        if (reply.sent) return;
        reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        return sendErrorPage(reply, 503, 'unavailable', 'EASYMAIL_DATABASE_UNAVAILABLE');
      }
      const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
      if (status >= 500) request.log.error({ err: error, ip: request.ip }, 'request failed');
      if (reply.sent) return;
      return sendErrorPage(reply, status, kindOf(error, status), error.code);
    });
    app.setNotFoundHandler(async (_request, reply) => sendErrorPage(reply, 404, 'notFound'));
  },
  { name: 'errors', dependencies: ['view'] },
);
