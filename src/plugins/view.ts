import fastifyView from '@fastify/view';
import { Eta } from 'eta';
import fp from 'fastify-plugin';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { PATHS } from '../routes/paths.ts';

declare module 'fastify' {
  interface FastifyReply {
    /** Renders views/pages/<page>.eta in the page layout, with what every page needs. */
    page(page: string, data?: Record<string, unknown>): Promise<FastifyReply>;
  }
}

export const VIEWS_DIR = join(import.meta.dirname, '../../views');

/** Eta templates (escaped by default) and reply.page(). */
export default fp(
  async (app, { config }: { config: Config }) => {
    const eta = new Eta({ views: VIEWS_DIR, cache: config.production, autoEscape: true });
    await app.register(fastifyView, { engine: { eta }, templates: VIEWS_DIR, production: config.production });

    app.decorateReply('page', async function (page: string, data: Record<string, unknown> = {}) {
      const request = this.request;
      const html = await this.viewAsync(`pages/${page}.eta`, {
        t: request.t,
        lang: request.lang,
        brand: config.brandName,
        path: request.url.split('?')[0],
        url: request.url,
        csrfToken: this.generateCsrf(),
        paths: PATHS,
        ...data,
      });
      return this.type('text/html; charset=utf-8').send(html);
    });
  },
  { name: 'view', dependencies: ['i18n', '@fastify/csrf-protection'] },
);
