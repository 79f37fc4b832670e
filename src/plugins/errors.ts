import fp from 'fastify-plugin';
import type { FastifyError, FastifyReply } from 'fastify';
import type { MessageKey } from '../i18n/index.ts';

type ErrorPage = 'notFound' | 'forbidden' | 'csrf' | 'badRequest' | 'tooLarge' | 'tooMany' | 'server';

/** Renders the error page for a status, in the reader's language. */
export async function sendErrorPage(reply: FastifyReply, status: number, kind: ErrorPage) {
  reply.code(status);
  return reply.page('error', {
    title: reply.request.t(`errors.${kind}.title` as MessageKey),
    body: reply.request.t(`errors.${kind}.body` as MessageKey),
  });
}

function kindOf(error: FastifyError, status: number): ErrorPage {
  if (error.code?.startsWith('FST_CSRF')) return 'csrf';
  if (status === 413) return 'tooLarge';
  if (status === 429) return 'tooMany';
  if (status === 404) return 'notFound';
  if (status === 403) return 'forbidden';
  return status < 500 ? 'badRequest' : 'server';
}

/** The one error handler: people get a sentence in their language, logs get the detail. */
export default fp(
  async (app) => {
    app.setErrorHandler(async (error: FastifyError, request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ code: error.code, status }, 'request refused');
      if (reply.sent) return;
      return sendErrorPage(reply, status, kindOf(error, status));
    });
    app.setNotFoundHandler(async (_request, reply) => sendErrorPage(reply, 404, 'notFound'));
  },
  { name: 'errors', dependencies: ['view'] },
);
