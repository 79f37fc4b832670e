import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { autodiscoverAddress, autodiscoverError, autodiscoverResponse } from '../../autoconfig/autodiscover.ts';
import { mailProgramSettings } from '../../autoconfig/settings.ts';
import { domainOfAddress } from '../../autoconfig/settings.ts';
import { thunderbirdConfig } from '../../autoconfig/thunderbird.ts';
import { PATHS } from '../paths.ts';

const XML = 'application/xml; charset=utf-8';

/** An Autodiscover request is a few hundred bytes; nothing bigger is read. */
export const AUTODISCOVER_BODY_LIMIT = 16 * 1024;

/**
 * What mail programs ask to set themselves up: Thunderbird's autoconfig and Outlook's Autodiscover.
 * Every answer is the same for any address (the typed domain only names the document), so none
 * tells whether a mailbox exists. No session, no cookie, nothing changed; the general rate limit applies.
 */
export default async function autoconfigRoutes(app: FastifyInstance) {
  const settings = mailProgramSettings(app.config);
  const brand = app.config.brandName;

  // Only here: the XML body, as text, never parsed as XML (see autodiscoverAddress).
  app.addContentTypeParser(
    ['text/xml', 'application/xml'],
    { parseAs: 'string', bodyLimit: AUTODISCOVER_BODY_LIMIT },
    (_request, body, done) => done(null, body),
  );
  // A refusal (too big, an unknown content type, the rate limit) in the same XML style; a
  // failure of the server goes on to the site's error handler.
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) throw error;
    request.log.info({ ip: request.ip, url: request.url, status, code: error.code }, 'request refused');
    return reply.code(status).type(XML).send(autodiscoverError());
  });

  const thunderbird = async (request: { query: unknown }, reply: FastifyReply) => {
    const typed = (request.query as Record<string, unknown> | null)?.emailaddress;
    const domain = domainOfAddress(typed) ?? settings.hostname;
    return reply.type(XML).send(thunderbirdConfig(settings, domain, brand));
  };
  app.get(PATHS.autoconfig.thunderbird, thunderbird);
  app.get(PATHS.autoconfig.thunderbirdHost, thunderbird);

  const autodiscover = async (request: { body: unknown }, reply: FastifyReply) => {
    const address = autodiscoverAddress(request.body);
    if (!address) return reply.code(400).type(XML).send(autodiscoverError());
    return reply.type(XML).send(autodiscoverResponse(settings, address));
  };
  // Outlook asks with either spelling, and routes match case-sensitively.
  app.post(PATHS.autoconfig.autodiscover, autodiscover);
  app.post(PATHS.autoconfig.autodiscoverCapitalised, autodiscover);
}
