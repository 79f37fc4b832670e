import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mailProgramSettings } from '../../autoconfig/settings.ts';
import { sendErrorPage } from '../../plugins/errors.ts';
import { PATHS } from '../paths.ts';
import {
  adminActor,
  formatBytes,
  formatDateTime,
  sendRefusal,
  setFlash,
  takeFlash,
  type FormErrors,
} from '../shared.ts';

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

/** Courriel and Configuration Easymail: list, create, show, re-password and delete mailboxes. */
export default async function adminEasymailRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { accounts } = app.core;

  /** Configuration Easymail: the accounts, the three buttons and the status line. */
  async function renderEasymail(request: FastifyRequest, reply: FastifyReply, errors?: FormErrors) {
    const list = await accounts.listMailboxes(request.domain.id);
    return reply.page('admin/easymail', {
      domain: request.domain,
      section: 'email',
      ...list,
      status: request.t.plural('admin.easymail.status', list.available, { quota: list.quota }),
      notice: errors ? null : takeFlash(request),
      errors,
    });
  }

  /** Créer: the form, told before it is filled in when the quota is reached. */
  async function renderCreate(request: FastifyRequest, reply: FastifyReply, values: object = {}) {
    const list = await accounts.listMailboxes(request.domain.id);
    return reply.page('admin/create', {
      domain: request.domain,
      section: 'email',
      name: '',
      // Said before the form is filled in; after a refusal, the refusal says it next to its field.
      quotaReached: list.available === 0 && !('errors' in values),
      ...values,
    });
  }

  /** An account's page (guide step 12), with its refusals or a generated password shown once. */
  async function renderMailbox(
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    extra: { errors?: FormErrors } = {},
  ) {
    const mailbox = await accounts.getMailbox(request.domain, id);
    if (!mailbox) return sendErrorPage(reply, 404, 'notFound');
    const { lang, t } = request;
    const generated = extra.errors ? null : request.takeKeptSecret();
    return reply.page('admin/mailbox', {
      domain: request.domain,
      section: 'email',
      mailbox: {
        id: mailbox.id,
        address: mailbox.displayAddress,
        createdAt: formatDateTime(lang, mailbox.createdAt),
        storage: t('admin.mailbox.storageOf', {
          used: formatBytes(lang, mailbox.storageUsed),
          quota: formatBytes(lang, app.config.mailboxStorageBytes),
        }),
        lastSignIn: mailbox.lastSignInAt ? formatDateTime(lang, mailbox.lastSignInAt) : t('admin.mailbox.never'),
      },
      // The printable sheet for the employee: the mail program settings, never a password.
      mailSettings: { ...mailProgramSettings(app.config), address: mailbox.displayAddress },
      notice: generated || extra.errors ? null : takeFlash(request),
      generated,
      errors: extra.errors,
    });
  }

  app.get(PATHS.admin.email, async (request, reply) =>
    reply.page('admin/email', { domain: request.domain, section: 'email' }),
  );

  app.get(PATHS.admin.easymail, async (request, reply) => renderEasymail(request, reply));

  // The buttons of the selection form: one handler, so the page works without JavaScript.
  app.post(PATHS.admin.easymail, { schema: { body: SelectionSchema } }, async (request, reply) => {
    const { action, mailbox: id } = request.body;
    if (action === 'create') return reply.redirect(PATHS.admin.create, 303);
    if (id === undefined) {
      reply.code(422);
      return renderEasymail(request, reply, { mailbox: request.t('admin.easymail.errors.selectFirst') });
    }
    const mailbox = await accounts.getMailbox(request.domain, id);
    if (!mailbox) return sendErrorPage(reply, 404, 'notFound');
    return reply.redirect(action === 'show' ? PATHS.admin.mailbox(id) : PATHS.admin.remove(id), 303);
  });

  app.get(PATHS.admin.create, async (request, reply) => renderCreate(request, reply));

  app.post(PATHS.admin.create, { schema: { body: CreateSchema } }, async (request, reply) => {
    const { name, password } = request.body;
    const result = await accounts.createMailbox(request.domain, { name, password }, adminActor(request));
    if (!result.ok) {
      // The typed name comes back; the password never does, and the page says to type it again.
      const render = (errors: FormErrors) =>
        renderCreate(request, reply, { name: name.slice(0, 200), errors, retypePassword: password !== '' });
      return sendRefusal(reply, result, render, 'name');
    }
    setFlash(request, { key: 'admin.easymail.created', address: result.value.address });
    return reply.redirect(PATHS.admin.easymail, 303);
  });

  app.get(PATHS.admin.mailbox(':id'), { schema: { params: MailboxParamsSchema } }, async (request, reply) =>
    renderMailbox(request, reply, request.params.id),
  );

  // A page reached again by its address after a POST (the language switch does that) shows the account.
  app.get(PATHS.admin.mailboxPassword(':id'), { schema: { params: MailboxParamsSchema } }, async (request, reply) =>
    reply.redirect(PATHS.admin.mailbox(request.params.id), 303),
  );

  app.post(
    PATHS.admin.mailboxPassword(':id'),
    { schema: { params: MailboxParamsSchema, body: PasswordSchema } },
    async (request, reply) => {
      const { id } = request.params;
      const { action, password } = request.body;
      const chosen = action === 'generate' ? undefined : password;
      const result = await accounts.setMailboxPassword(request.domain, id, chosen, adminActor(request));
      if (!result.ok) {
        return sendRefusal(reply, result, (errors) => renderMailbox(request, reply, id, { errors }), 'password');
      }
      // A generated password is shown once, on the page this redirects to: a reload shows the
      // page without it and changes nothing. It waits in the session sealed, never in a URL.
      if (result.value.password) request.keepSecretForNextPage(result.value.password);
      else setFlash(request, { key: 'admin.mailbox.passwordSet', address: result.value.address });
      return reply.redirect(PATHS.admin.mailbox(id), 303);
    },
  );

  app.get(PATHS.admin.remove(':id'), { schema: { params: MailboxParamsSchema } }, async (request, reply) => {
    const mailbox = await accounts.getMailbox(request.domain, request.params.id);
    if (!mailbox) return sendErrorPage(reply, 404, 'notFound');
    return reply.page('admin/delete', {
      domain: request.domain,
      section: 'email',
      mailbox: { id: mailbox.id, address: mailbox.displayAddress },
    });
  });

  app.post(PATHS.admin.remove(':id'), { schema: { params: MailboxParamsSchema } }, async (request, reply) => {
    const result = await accounts.deleteMailbox(request.domain, request.params.id, adminActor(request));
    if (!result.ok) return sendErrorPage(reply, 404, 'notFound');
    setFlash(request, { key: 'admin.easymail.deleted', address: result.value });
    return reply.redirect(PATHS.admin.easymail, 303);
  });
}
