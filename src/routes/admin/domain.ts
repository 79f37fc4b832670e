import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { addressForDisplay, domainForDisplay } from '../../accounts/names.ts';
import { has, type Translator } from '../../i18n/index.ts';
import { sendErrorPage } from '../../plugins/errors.ts';
import { PATHS } from '../paths.ts';
import { formatDate, formatDateTime } from '../shared.ts';

const HistoryQuerySchema = Type.Object({
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
});

/** How the history names who acted: the provider, the administrator, or a mailbox's address. */
function actorLabel(t: Translator, actor: string): string {
  if (actor === 'operator') return t('audit.actor.operator');
  if (actor.startsWith('admin:')) return t('audit.actor.admin');
  return addressForDisplay(actor.replace(/^mailbox:/, ''));
}

/** What an event acted on (`name`, `address` or `name quota=15`), its names as people read them. */
function targetLabel(target: string): string {
  return target
    .split(' ')
    .map((word) => {
      if (!word.includes('xn--')) return word;
      return word.includes('@') ? addressForDisplay(word) : domainForDisplay(word);
    })
    .join(' ');
}

/** Domaine: the domain's facts and its history, 20 events a page. */
export default async function adminDomainRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { accounts } = app.core;

  app.get(PATHS.admin.root, async (_request, reply) => reply.redirect(PATHS.admin.home, 303));

  app.get(PATHS.admin.home, { schema: { querystring: HistoryQuerySchema } }, async (request, reply) => {
    const { page } = request.query;
    const [history, mailboxes] = await Promise.all([
      accounts.listDomainHistory(request.domain.id, page),
      accounts.listMailboxes(request.domain.id),
    ]);
    if (page > history.pages) return sendErrorPage(reply, 404, 'notFound');
    const t = request.t;
    const events = history.events.map((event) => {
      const key = `audit.action.${event.action}`;
      return {
        at: formatDateTime(request.lang, event.at),
        iso: event.at.toISOString(),
        action: has(key) ? t(key) : event.action,
        actor: actorLabel(t, event.actor),
        target: targetLabel(event.target),
        client: event.clientAddress === 'cli' ? t('audit.client.cli') : (event.clientAddress ?? '—'),
      };
    });
    return reply.page('admin/domain', {
      domain: request.domain,
      section: 'domain',
      createdAt: formatDate(request.lang, request.domain.createdAt),
      mailboxCount: mailboxes.mailboxes.length,
      events,
      page,
      pages: history.pages,
    });
  });
}
