import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  createMailbox,
  deleteMailbox,
  getMailbox,
  listMailboxes,
  setMailboxPassword,
} from '../../accounts/mailboxes.ts';
import { sendErrorPage } from '../../plugins/errors.ts';
import { fieldError, formatBytes, formatDateTime, setFlash, takeFlash } from '../shared.ts';
import { adminActor, PATHS } from './shared.ts';

const MailboxParamsSchema = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

const SelectionSchema = Type.Object({
  action: Type.Union([Type.Literal('create'), Type.Literal('show'), Type.Literal('delete')]),
  mailbox: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })),
});

const CreateSchema = Type.Object({
  name: Type.String({ maxLength: 1024, default: '' }),
  password: Type.String({ maxLength: 1024, default: '' }),
});

const PasswordSchema = Type.Object({
  action: Type.Union([Type.Literal('set'), Type.Literal('generate')]),
  password: Type.String({ maxLength: 1024, default: '' }),
});

type FieldError = { field: string; message: string };

/** Renders Configuration Easymail: the accounts, the three buttons and the status line. */
async function renderEasymail(request: FastifyRequest, reply: FastifyReply, error?: string) {
  const accounts = await listMailboxes(request.server.db, request.domain.id);
  return reply.page('admin/easymail', {
    domain: request.domain,
    section: 'email',
    ...accounts,
    status: request.t.plural('easymail.status', accounts.available, { quota: accounts.quota }),
    notice: error ? null : takeFlash(request),
    error,
  });
}

/** Renders an account's page (guide step 12), with a refusal or a password shown once. */
async function renderMailbox(
  request: FastifyRequest,
  reply: FastifyReply,
  id: number,
  extra: { error?: FieldError; generated?: string } = {},
) {
  const mailbox = await getMailbox(request.server.db, request.domain, id);
  if (!mailbox) return sendErrorPage(reply, 404, 'notFound');
  const { lang, t } = request;
  return reply.page('admin/mailbox', {
    domain: request.domain,
    section: 'email',
    mailbox: {
      id: mailbox.id,
      address: mailbox.address,
      createdAt: formatDateTime(lang, mailbox.createdAt),
      storage: t('mailboxDetail.storageOf', {
        used: formatBytes(lang, mailbox.storageUsed),
        quota: formatBytes(lang, request.server.config.mailboxStorageBytes),
      }),
      lastSignIn: mailbox.lastSignInAt ? formatDateTime(lang, mailbox.lastSignInAt) : t('mailboxDetail.never'),
    },
    notice: extra.generated || extra.error ? null : takeFlash(request),
    ...extra,
  });
}

/** Courriel and Configuration Easymail: list, create, show, re-password and delete mailboxes. */
export default async function adminEasymailRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(PATHS.email, async (request, reply) =>
    reply.page('admin/email', { domain: request.domain, section: 'email' }),
  );

  app.get(PATHS.easymail, async (request, reply) => renderEasymail(request, reply));

  // The three buttons of the selection form: one handler, so the page works without JavaScript.
  app.post(PATHS.easymail, { schema: { body: SelectionSchema } }, async (request, reply) => {
    const { action, mailbox: id } = request.body;
    if (action === 'create') return reply.redirect(PATHS.create, 303);
    if (id === undefined) {
      reply.code(422);
      return renderEasymail(request, reply, request.t('easymail.errors.selectFirst'));
    }
    const mailbox = await getMailbox(app.db, request.domain, id);
    if (!mailbox) return sendErrorPage(reply, 404, 'notFound');
    return reply.redirect(action === 'show' ? PATHS.mailbox(id) : PATHS.remove(id), 303);
  });

  app.get(PATHS.create, async (request, reply) =>
    reply.page('admin/create', { domain: request.domain, section: 'email', name: '' }),
  );

  app.post(PATHS.create, { schema: { body: CreateSchema } }, async (request, reply) => {
    const { name, password } = request.body;
    const result = await createMailbox(app.db, request.domain, { name, password }, adminActor(request));
    if (!result.ok) {
      reply.code(422);
      return reply.page('admin/create', {
        domain: request.domain,
        section: 'email',
        name: name.slice(0, 100),
        error: fieldError(request, result, 'name'),
      });
    }
    setFlash(request, { key: 'easymail.created', address: result.value.address });
    return reply.redirect(PATHS.easymail, 303);
  });

  app.get('/admin/courriel/comptes/:id', { schema: { params: MailboxParamsSchema } }, async (request, reply) =>
    renderMailbox(request, reply, request.params.id),
  );

  // A page reached again by its address after a POST (the language switch does that) shows the account.
  app.get(
    '/admin/courriel/comptes/:id/mot-de-passe',
    { schema: { params: MailboxParamsSchema } },
    async (request, reply) => reply.redirect(PATHS.mailbox(request.params.id), 303),
  );

  app.post(
    '/admin/courriel/comptes/:id/mot-de-passe',
    { schema: { params: MailboxParamsSchema, body: PasswordSchema } },
    async (request, reply) => {
      const { id } = request.params;
      const { action, password } = request.body;
      const chosen = action === 'generate' ? undefined : password;
      const result = await setMailboxPassword(app.db, request.domain, id, chosen, adminActor(request));
      if (!result.ok) {
        if (result.message === 'mailbox.errors.notFound') return sendErrorPage(reply, 404, 'notFound');
        reply.code(422);
        return renderMailbox(request, reply, id, { error: fieldError(request, result, 'password') });
      }
      if (result.value.password) {
        // Shown on this response only: never in a URL or the session (and, signed in, never cached).
        return renderMailbox(request, reply, id, { generated: result.value.password });
      }
      setFlash(request, { key: 'mailboxDetail.passwordSet', address: result.value.address });
      return reply.redirect(PATHS.mailbox(id), 303);
    },
  );

  app.get(
    '/admin/courriel/comptes/:id/supprimer',
    { schema: { params: MailboxParamsSchema } },
    async (request, reply) => {
      const mailbox = await getMailbox(app.db, request.domain, request.params.id);
      if (!mailbox) return sendErrorPage(reply, 404, 'notFound');
      return reply.page('admin/delete', {
        domain: request.domain,
        section: 'email',
        mailbox: { id: mailbox.id, address: mailbox.address },
      });
    },
  );

  app.post(
    '/admin/courriel/comptes/:id/supprimer',
    { schema: { params: MailboxParamsSchema } },
    async (request, reply) => {
      const result = await deleteMailbox(app.db, request.domain, request.params.id, adminActor(request));
      if (!result.ok) return sendErrorPage(reply, 404, 'notFound');
      setFlash(request, { key: 'easymail.deleted', address: result.value });
      return reply.redirect(PATHS.easymail, 303);
    },
  );
}
