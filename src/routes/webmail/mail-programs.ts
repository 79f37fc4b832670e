import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appleProfile } from '../../autoconfig/apple-profile.ts';
import { mailProgramSettings } from '../../autoconfig/settings.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { sendErrorPage } from '../../plugins/errors.ts';
import { PATHS } from '../paths.ts';
import type { FormErrors } from '../shared.ts';
import { webmailPage } from './shared.ts';

/** The step-by-step guides of the page, each with its number of steps in the catalogues. */
const GUIDES = { outlook: 5, appleMail: 4, iphone: 5, android: 6, thunderbird: 3 } as const;

const ProfileSchema = Type.Object({
  includePassword: Type.Optional(Type.Literal('1')),
  password: Type.String({ maxLength: 1024, default: '' }),
});

/**
 * Logiciel de courriel: the settings a mail program needs, the steps for the common ones, and the
 * Apple profile, which holds the password only when the user asks and types it right.
 */
export default async function webmailMailProgramRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const settings = mailProgramSettings(app.config);

  function render(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { errors?: FormErrors; include?: boolean } = {},
  ) {
    const { t } = request;
    const params = { address: request.mailbox.displayAddress, host: settings.hostname };
    const guides = Object.entries(GUIDES).map(([id, count]) => ({
      id,
      title: t(`mailPrograms.${id}.title` as MessageKey),
      steps: Array.from({ length: count }, (_, n) => t(`mailPrograms.${id}.${n + 1}` as MessageKey, params)),
    }));
    return webmailPage(request, reply, 'mail-programs', {
      title: t('mailPrograms.title'),
      mailSettings: { ...settings, address: request.mailbox.displayAddress },
      guides,
      profile: Boolean(settings.incoming[0] && settings.outgoing[0]),
      ...extra,
    });
  }

  function sendProfile(request: FastifyRequest, reply: FastifyReply, password?: string) {
    const { address } = request.mailbox;
    const profile = appleProfile(
      settings,
      address,
      {
        displayName: `${app.config.brandName} — ${request.mailbox.displayAddress}`,
        description: request.t('mailPrograms.profile.description', { address: request.mailbox.displayAddress }),
        organization: app.config.brandName,
      },
      password,
    );
    if (!profile) return sendErrorPage(reply, 404, 'notFound');
    // The stored address is ASCII (punycode domain, a local part of [a-z0-9._-]): safe in the header.
    return reply
      .type('application/x-apple-aspen-config')
      .header('content-disposition', `attachment; filename="${address}.mobileconfig"`)
      .send(profile);
  }

  app.get(PATHS.webmail.mailPrograms, async (request, reply) => render(request, reply));

  app.get(PATHS.webmail.appleProfile, async (request, reply) => sendProfile(request, reply));

  // With the password: a POST with the form's token, the password checked before it goes in the file.
  app.post(PATHS.webmail.appleProfile, { schema: { body: ProfileSchema } }, async (request, reply) => {
    const { includePassword, password } = request.body;
    if (!includePassword) return sendProfile(request, reply);
    if (!(await app.core.accounts.verifyMailboxPassword(request.mailbox.id, password))) {
      reply.code(422);
      return render(request, reply, {
        errors: { password: request.t('mailPrograms.profile.passwordWrong') },
        include: true,
      });
    }
    return sendProfile(request, reply, password);
  });
}
