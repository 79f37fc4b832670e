import fp from 'fastify-plugin';
import { negotiateLang, translator, type Lang, type Translator } from '../i18n/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    lang: Lang;
    t: Translator;
  }
}

export const LANG_COOKIE = 'lang';

/** Picks each request's language: the remembered choice, else Accept-Language, else French. */
export default fp(
  async (app) => {
    app.decorateRequest('lang', 'fr');
    app.decorateRequest('t', null as unknown as Translator);
    app.addHook('onRequest', async (request) => {
      const chosen = request.cookies[LANG_COOKIE];
      request.lang = chosen === 'fr' || chosen === 'en' ? chosen : negotiateLang(request.headers['accept-language']);
      request.t = translator(request.lang);
    });
  },
  { name: 'i18n', dependencies: ['@fastify/cookie'] },
);
