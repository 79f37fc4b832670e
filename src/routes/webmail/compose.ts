import fastifyMultipart, { type MultipartFile } from '@fastify/multipart';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  draftForward,
  draftReply,
  forwardedAttachment,
  forwardedFileName,
  threadingOf,
  type Draft,
  type Original,
} from '../../mail/compose.ts';
import { parseMessageId } from '../../mail/store.ts';
import { requireMailboxUser } from '../../plugins/auth.ts';
import { PATHS } from '../paths.ts';
import { formatBytes, formatDateTime, sendRefusal, setFlash, type FormErrors } from '../shared.ts';
import { notFound, webmailPage } from './shared.ts';

const MAX_FILES = 10;
const MAX_TEXT_BYTES = 1024 * 1024;

interface Upload {
  files: { filename: string; contentType: string; content: Buffer }[];
  /** Files received, kept or not. */
  count: number;
  bytes: number;
  tooLarge: boolean;
}
const uploads = new WeakMap<FastifyRequest, Upload>();
function uploadOf(request: FastifyRequest): Upload {
  let upload = uploads.get(request);
  if (!upload) uploads.set(request, (upload = { files: [], count: 0, bytes: 0, tooLarge: false }));
  return upload;
}

const ComposeQuerySchema = Type.Object({
  repondre: Type.Optional(Type.String({ maxLength: 40 })),
  transferer: Type.Optional(Type.String({ maxLength: 40 })),
});
const ComposeSchema = Type.Object({
  to: Type.String({ maxLength: 20_000, default: '' }),
  cc: Type.String({ maxLength: 20_000, default: '' }),
  subject: Type.String({ maxLength: 2000, default: '' }),
  text: Type.String({ maxLength: MAX_TEXT_BYTES, default: '' }),
  repondre: Type.String({ maxLength: 40, default: '' }),
  transferer: Type.String({ maxLength: 40, default: '' }),
});

/**
 * Nouveau message: a new message, a reply (Re:, quoted text, In-Reply-To and References) or a
 * forward (Tr:/Fwd:, the original attached), with attachments sent as multipart/form-data.
 */
export default async function webmailComposeRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { config } = app;
  const { mail } = app.core;

  // Checked before the body is read, so nobody signed out can make the server read an upload.
  app.addHook('onRequest', requireMailboxUser);
  // Multipart parsing exists in this scope only. Files are buffered one by one; past the message
  // size limit the rest is drained unread, and the form says the message is too large.
  await app.register(fastifyMultipart, {
    attachFieldsToBody: true,
    throwFileSizeLimit: false,
    limits: { files: MAX_FILES, fileSize: config.maxMessageBytes, fields: 20, fieldSize: MAX_TEXT_BYTES, parts: 40 },
    async onFile(this: FastifyRequest, part: MultipartFile) {
      const upload = uploadOf(this);
      if (part.filename) upload.count += 1;
      if (upload.tooLarge) {
        for await (const _chunk of part.file); // drain without keeping
        return;
      }
      const content = await part.toBuffer();
      if (!part.filename && content.length === 0) return; // the file input left empty
      upload.bytes += content.length;
      if (part.file.truncated || upload.bytes > config.maxMessageBytes) {
        upload.tooLarge = true;
        upload.files = [];
        return;
      }
      upload.files.push({ filename: part.filename, contentType: part.mimetype, content });
    },
  });
  // The form's text fields become plain strings, as from any other form, so the CSRF check and
  // the body schema read `_csrf`, `to`… the usual way; files stay aside in `uploads`.
  app.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    const fields: Record<string, string> = {};
    for (const [key, entry] of Object.entries((request.body ?? {}) as Record<string, unknown>)) {
      for (const part of [entry].flat() as { type?: string; value?: unknown; valueTruncated?: boolean }[]) {
        if (part?.type !== 'field') continue;
        if (part.valueTruncated) uploadOf(request).tooLarge = true;
        if (typeof part.value === 'string' && !(key in fields)) fields[key] = part.value;
      }
    }
    request.body = fields;
  });

  /** The original of a reply or forward: one of the user's own messages, or null. */
  async function originalOf(request: FastifyRequest, text: string | undefined): Promise<Original | null | undefined> {
    if (!text) return undefined;
    const id = parseMessageId(text);
    return id === null ? null : mail.getRaw(request.mailbox.id, id);
  }

  async function composePage(
    request: FastifyRequest,
    values: Draft,
    extra: { replyTo?: string; forward?: Original; errors?: FormErrors; reattach?: boolean },
  ) {
    const { t, lang } = request;
    const forward = extra.forward;
    return {
      title: extra.replyTo
        ? t('webmail.compose.replyTitle')
        : forward
          ? t('webmail.compose.forwardTitle')
          : t('webmail.compose.title'),
      values,
      replyTo: extra.replyTo ?? '',
      forwardOf: forward ? String(forward.id) : '',
      forwardNote: forward
        ? t('webmail.compose.forwardNote', {
            name: forwardedFileName(forward.subject),
            size: formatBytes(lang, forward.size),
          })
        : '',
      attachmentsHint: extra.reattach
        ? t('webmail.compose.reattach')
        : t('webmail.compose.attachmentsHint', { files: MAX_FILES, size: formatBytes(lang, config.maxMessageBytes) }),
      errors: extra.errors,
      cancelHref:
        forward || extra.replyTo ? PATHS.webmail.message(forward?.id ?? extra.replyTo ?? '') : PATHS.webmail.inbox,
    };
  }

  app.get(PATHS.webmail.compose, { schema: { querystring: ComposeQuerySchema } }, async (request, reply) => {
    const { t, lang } = request;
    const replied = await originalOf(request, request.query.repondre);
    const forwarded = replied === undefined ? await originalOf(request, request.query.transferer) : undefined;
    if (replied === null || forwarded === null) return notFound(reply);
    const introduce = (from: string, date: Date) =>
      t('webmail.compose.quoteIntro', { date: formatDateTime(lang, date), from });
    const values = replied
      ? await draftReply(replied, introduce)
      : forwarded
        ? draftForward(forwarded, t('webmail.compose.forwardPrefix'))
        : { to: '', cc: '', subject: '', text: '' };
    const data = await composePage(request, values, {
      replyTo: replied ? String(replied.id) : undefined,
      forward: forwarded ?? undefined,
    });
    return webmailPage(request, reply, 'compose', data, 'compose');
  });

  app.post(PATHS.webmail.compose, { schema: { body: ComposeSchema } }, async (request, reply) => {
    const { to, cc, subject, text } = request.body;
    const replied = await originalOf(request, request.body.repondre);
    const forwarded = await originalOf(request, request.body.transferer);
    if (replied === null || forwarded === null) return notFound(reply);
    const upload = uploadOf(request);
    const values = { to, cc, subject, text };
    const extra = { replyTo: replied ? String(replied.id) : undefined, forward: forwarded ?? undefined };

    const render = async (errors: FormErrors) => {
      const data = await composePage(request, values, { ...extra, errors, reattach: upload.count > 0 });
      return webmailPage(request, reply, 'compose', data, 'compose');
    };
    if (upload.tooLarge) {
      const max = Math.floor(config.maxMessageBytes / 1024 / 1024);
      reply.code(422);
      return render({ attachments: request.t('mail.errors.tooLarge', { max }) });
    }
    const threading = replied ? await threadingOf(replied) : {};
    const attachments = [...upload.files, ...(forwarded ? [forwardedAttachment(forwarded)] : [])];
    const result = await mail.sendMessage(
      { mailboxId: request.mailbox.id, address: request.mailbox.address },
      { to: [to], cc: [cc], subject, text, attachments, ...threading },
      request.log,
    );
    if (!result.ok)
      return sendRefusal(
        reply,
        { ...result, kind: result.kind === 'notFound' ? 'invalid' : result.kind },
        render,
        'form',
      );
    const { rejected } = result.value;
    setFlash(
      request,
      rejected.length > 0
        ? { key: 'webmail.flash.sentExcept', address: rejected.join(', ') }
        : { key: 'webmail.flash.sent' },
    );
    return reply.redirect(PATHS.webmail.special('sent'), 303);
  });
}
