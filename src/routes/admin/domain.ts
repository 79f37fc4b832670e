import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { changeAdminPassword } from '../../accounts/password-change.ts';
import { listDomainHistory } from '../../accounts/audit.ts';
import { listMailboxes } from '../../accounts/mailboxes.ts';
import { refuse } from '../../accounts/result.ts';
import { fr } from '../../i18n/fr.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { sendErrorPage } from '../../plugins/errors.ts';
import { fieldError, formatDate, formatDateTime, setFlash, takeFlash } from '../shared.ts';
import { adminActor, PATHS } from './shared.ts';

const HistoryQuerySchema = Type.Object({
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
});

const ChangePasswordSchema = Type.Object({
  current: Type.String({ maxLength: 1024, default: '' }),
  next: Type.String({ maxLength: 1024, default: '' }),
  confirm: Type.String({ maxLength: 1024, default: '' }),
});

/** How the history names who acted: the provider, the administrator, or a mailbox's address. */
function actorLabel(t: (key: MessageKey) => string, actor: string): string {
  if (actor === 'operator') return t('audit.actor.operator');
  if (actor.startsWith('admin:')) return t('audit.actor.admin');
  return actor.replace(/^mailbox:/, '');
}

/** Domaine (facts and history), Hébergement Web and Sécurité (the administrator password). */
export default async function adminDomainRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/admin', async (_request, reply) => reply.redirect(PATHS.home, 303));

  app.get(PATHS.home, { schema: { querystring: HistoryQuerySchema } }, async (request, reply) => {
    const { page } = request.query;
    const [history, accounts] = await Promise.all([
      listDomainHistory(app.db, request.domain.id, page),
      listMailboxes(app.db, request.domain.id),
    ]);
    if (page > history.pages) return sendErrorPage(reply, 404, 'notFound');
    const t = request.t;
    const events = history.events.map((event) => {
      const key = `audit.action.${event.action}`;
      return {
        at: formatDateTime(request.lang, event.at),
        iso: event.at.toISOString(),
        action: key in fr ? t(key as MessageKey) : event.action,
        actor: actorLabel(t, event.actor),
        target: event.target,
        client: event.clientAddress === 'cli' ? t('audit.client.cli') : (event.clientAddress ?? '—'),
      };
    });
    return reply.page('admin/domain', {
      domain: request.domain,
      section: 'domain',
      createdAt: formatDate(request.lang, request.domain.createdAt),
      mailboxCount: accounts.mailboxes.length,
      events,
      page,
      pages: history.pages,
    });
  });

  app.get(PATHS.hosting, async (request, reply) =>
    reply.page('admin/hosting', { domain: request.domain, section: 'hosting' }),
  );

  app.get(PATHS.security, async (request, reply) =>
    reply.page('admin/security', { domain: request.domain, section: 'security', notice: takeFlash(request) }),
  );

  app.post(PATHS.security, { schema: { body: ChangePasswordSchema } }, async (request, reply) => {
    const { current, next, confirm } = request.body;
    const result =
      next === confirm
        ? await changeAdminPassword(
            app.db,
            request.domain.id,
            current,
            next,
            adminActor(request),
            request.session.sessionId,
          )
        : refuse('password.errors.mismatch', undefined, 'confirm');
    if (!result.ok) {
      reply.code(422);
      return reply.page('admin/security', {
        domain: request.domain,
        section: 'security',
        error: fieldError(request, result, 'next'),
      });
    }
    setFlash(request, { key: 'security.done' });
    return reply.redirect(PATHS.security, 303);
  });
}
