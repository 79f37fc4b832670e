import type { FastifyInstance } from 'fastify';
import { PATHS } from '../paths.ts';

/** Hébergement Web: not part of this offer. */
export default async function adminHostingRoutes(app: FastifyInstance) {
  app.get(PATHS.admin.hosting, async (request, reply) =>
    reply.page('admin/hosting', { domain: request.domain, section: 'hosting' }),
  );
}
