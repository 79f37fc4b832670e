import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readAttachment, readMessage } from '../../mail/mime.ts';
import { sanitizeMessageHtml, textToHtml } from '../../mail/sanitize.ts';
import { parseFolderId, type FolderRef, type SpecialUse } from '../../mail/folders.ts';
import { MAX_SEARCH_LENGTH } from '../../mail/store.ts';
import { formatBytes, formatDateTime, formatShortDateTime, setFlash, takeFlash } from '../shared.ts';
import { PATHS, SPECIAL_SLUGS } from '../paths.ts';
import { folderLabel, messageIdOr404, notFound, webmailPage } from './shared.ts';

const ListQuerySchema = Type.Object({
  page: Type.Optional(Type.String({ maxLength: 20 })),
  q: Type.Optional(Type.String({ maxLength: 1000 })),
  dans: Type.Optional(Type.String({ maxLength: 10 })),
});
const IdSchema = Type.Object({ id: Type.String({ maxLength: 40 }) });
const AttachmentSchema = Type.Object({ id: Type.String({ maxLength: 40 }), n: Type.String({ maxLength: 10 }) });
const ImagesSchema = Type.Object({ images: Type.Optional(Type.String({ maxLength: 10 })) });
const MoveSchema = Type.Object({ dossier: Type.Optional(Type.String({ maxLength: 20 })) });
const FlagSchema = Type.Object({ suivre: Type.Optional(Type.String({ maxLength: 1 })) });

// Types a browser shows or plays without running anything; every other type (HTML, SVG, XML,
// scripts, unknown) is sent as application/octet-stream, so a download can never become a page.
const INERT_TYPES = new Set([
  'application/pdf',
  'application/zip',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'text/plain',
  'text/csv',
  'audio/mpeg',
  'audio/ogg',
  'audio/wav',
  'video/mp4',
  'video/webm',
]);

/** The Content-Type an attachment is served with: its own when inert, else application/octet-stream. */
export function downloadType(contentType: string): string {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return INERT_TYPES.has(type) ? type : 'application/octet-stream';
}

/** `attachment` with an ASCII fallback name and the exact name in RFC 5987 / RFC 6266 form. */
export function attachmentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%;]/g, '_') || 'attachment';
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** The policy of a message's HTML frame: nothing runs, nothing loads but inline images, unless asked. */
export function frameCsp(remoteImages: boolean): string {
  return [
    "default-src 'none'",
    `img-src data:${remoteImages ? ' https: http:' : ''}`,
    // The sanitiser keeps inline style attributes whose values cannot name a URL.
    "style-src 'unsafe-inline'",
    "frame-ancestors 'self'",
    "form-action 'none'",
    "base-uri 'none'",
    // The iframe's sandbox, carried by the document itself: opened alone (a new tab, a bookmark),
    // it still has an opaque origin and no scripts. Links may still open in a new, normal tab.
    'sandbox allow-popups allow-popups-to-escape-sandbox',
  ].join('; ');
}

/** Folder pages, reading a message, its frame and attachments, and moving or deleting it. */
export default async function webmailMailRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const mail = app.core.mail;

  /** The mailbox's special folder of that use (every mailbox has all six). */
  const specialFolder = async (request: FastifyRequest, use: SpecialUse) =>
    (await mail.getSpecialFolder(request.mailbox.id, use))!;

  type ListRequest = FastifyRequest<{ Querystring: { page?: string; q?: string; dans?: string } }>;
  async function folderPage(request: ListRequest, reply: FastifyReply, folder: FolderRef) {
    const { t, lang } = request;
    const pageText = request.query.page ?? '';
    const search = (request.query.q ?? '').trim().slice(0, MAX_SEARCH_LENGTH);
    // `dans=tout`: the search runs in every folder, each result naming its folder.
    const everywhere = Boolean(search) && request.query.dans === 'tout';
    const list = await mail.listFolder(request.mailbox.id, everywhere ? null : folder.id, {
      page: /^\d{1,6}$/.test(pageText) ? Number(pageText) : 1,
      search,
    });
    const href = (page: number) => {
      const query = new URLSearchParams({
        ...(search ? { q: search } : {}),
        ...(everywhere ? { dans: 'tout' } : {}),
        ...(page > 1 ? { page: String(page) } : {}),
      });
      return `${PATHS.webmail.folder(folder)}${query.size ? `?${query}` : ''}`;
    };
    const name = folderLabel(request, folder);
    return webmailPage(
      request,
      reply,
      'folder',
      {
        title: name,
        folder: folder.specialUse,
        folderName: name,
        folderHref: PATHS.webmail.folder(folder),
        notice: takeFlash(request),
        search: list.search,
        everywhere,
        searchMax: MAX_SEARCH_LENGTH,
        searchSummary: list.moreThan
          ? t('webmail.search.summaryMany', { max: list.total, query: list.search })
          : t.plural('webmail.search.summary', list.total, { query: list.search }),
        caption: list.moreThan
          ? t('webmail.list.captionMany', { folder: name, max: list.total, page: list.page, pages: list.pages })
          : t.plural('webmail.list.caption', list.total, { folder: name, page: list.page, pages: list.pages }),
        total: list.total,
        page: list.page,
        pages: list.pages,
        previousHref: list.page > 1 ? href(list.page - 1) : null,
        nextHref: list.page < list.pages ? href(list.page + 1) : null,
        messages: list.messages.map((m) => ({
          href: PATHS.webmail.message(m.id),
          folderName: folderLabel(request, m.folder),
          unread: !m.seen,
          flagged: m.flagged,
          correspondent: m.folder.specialUse === 'sent' ? m.toText || '—' : m.fromText || m.fromAddress || '—',
          subject: m.subject || t('webmail.message.noSubject'),
          hasAttachments: m.hasAttachments,
          iso: m.receivedAt.toISOString(),
          date: formatShortDateTime(lang, m.receivedAt),
          size: formatBytes(lang, m.size),
        })),
      },
      folder.id,
    );
  }

  for (const use of Object.keys(SPECIAL_SLUGS) as SpecialUse[]) {
    app.get(PATHS.webmail.special(use), { schema: { querystring: ListQuerySchema } }, async (request, reply) =>
      folderPage(request, reply, await specialFolder(request, use)),
    );
  }

  app.get(
    PATHS.webmail.userFolder(':id'),
    { schema: { params: IdSchema, querystring: ListQuerySchema } },
    async (request, reply) => {
      const id = parseFolderId(request.params.id);
      const folder = id === null ? null : await mail.getFolder(request.mailbox.id, id);
      // A special folder has its own address: its id alone is not one.
      if (!folder || folder.specialUse) return notFound(reply);
      return folderPage(request, reply, folder);
    },
  );

  app.get(
    PATHS.webmail.message(':id'),
    { schema: { params: IdSchema, querystring: ImagesSchema } },
    async (request, reply) => {
      const id = await messageIdOr404(reply, request.params.id);
      if (id === null) return reply;
      const message = await mail.getMessage(request.mailbox.id, id);
      if (!message) return notFound(reply);
      const { t, lang } = request;
      const parsed = await readMessage(message.raw);
      const images = request.query.images === '1';
      const blockedImageLabel = t('webmail.message.blockedImage');
      const blockedRemoteImages =
        parsed.html && !images
          ? sanitizeMessageHtml(parsed.html, { allowRemoteImages: false, blockedImageLabel }).blockedRemoteImages
          : 0;
      const date = message.sentAt ?? message.receivedAt;
      const subject = message.subject || t('webmail.message.noSubject');
      const folders = await mail.listFolders(request.mailbox.id);
      return webmailPage(
        request,
        reply,
        'message',
        {
          title: subject,
          subject,
          folder: message.folder.specialUse,
          folderName: folderLabel(request, message.folder),
          folderHref: PATHS.webmail.folder(message.folder),
          flagged: message.flagged,
          flagAction: PATHS.webmail.flag(id),
          moveAction: PATHS.webmail.move(id),
          moveTargets: folders
            .filter((f) => f.id !== message.folder.id)
            .map((f) => ({ id: f.id, name: folderLabel(request, f) })),
          notice: takeFlash(request),
          from: parsed.fromName ? `${parsed.fromName} <${parsed.fromAddress}>` : parsed.fromAddress || parsed.from,
          to: message.toText,
          cc: message.ccText,
          iso: date.toISOString(),
          date: formatDateTime(lang, date),
          attachments: parsed.attachments.map((a) => ({
            href: PATHS.webmail.attachment(id, a.index),
            filename: a.filename,
            size: formatBytes(lang, a.size),
          })),
          messageHref: PATHS.webmail.message(id),
          frameSrc: parsed.html ? `${PATHS.webmail.content(id)}${images ? '?images=1' : ''}` : null,
          blockedRemoteImages,
          blockedText: t.plural('webmail.message.imagesBlocked', blockedRemoteImages),
          textHtml: parsed.html ? '' : textToHtml(parsed.text),
          replyHref: PATHS.webmail.reply(id),
          forwardHref: PATHS.webmail.forward(id),
          unreadAction: PATHS.webmail.unread(id),
          trashAction: PATHS.webmail.trash(id),
          restoreAction: PATHS.webmail.restore(id),
          removeHref: PATHS.webmail.remove(id),
        },
        message.folder.id,
      );
    },
  );

  // The message's HTML, sanitised, as a document of its own for the page's sandboxed frame. Its
  // policy replaces the site's for this response only: the page may frame it, nothing in it runs.
  app.get(
    PATHS.webmail.content(':id'),
    {
      schema: { params: IdSchema, querystring: ImagesSchema },
      helmet: { contentSecurityPolicy: false, xFrameOptions: false },
    },
    async (request, reply) => {
      const id = await messageIdOr404(reply, request.params.id);
      if (id === null) return reply;
      const message = await mail.getRaw(request.mailbox.id, id);
      if (!message) return notFound(reply);
      const images = request.query.images === '1';
      const parsed = await readMessage(message.raw);
      const html = parsed.html
        ? sanitizeMessageHtml(parsed.html, {
            allowRemoteImages: images,
            blockedImageLabel: request.t('webmail.message.blockedImage'),
          }).html
        : `<pre style="white-space: pre-wrap">${textToHtml(parsed.text)}</pre>`;
      const document = await reply.viewAsync('partials/webmail-frame.eta', {
        // The message's own language, not the reader's: a French message is read out in French.
        lang: parsed.language,
        title: message.subject || request.t('webmail.message.noSubject'),
        html,
      });
      return reply
        .header('content-security-policy', frameCsp(images))
        .header('x-content-type-options', 'nosniff')
        .type('text/html; charset=utf-8')
        .send(document);
    },
  );

  app.get(
    PATHS.webmail.attachment(':id', ':n'),
    {
      schema: { params: AttachmentSchema },
      helmet: { contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], sandbox: [] } } },
    },
    async (request, reply) => {
      const id = await messageIdOr404(reply, request.params.id);
      if (id === null) return reply;
      if (!/^\d{1,4}$/.test(request.params.n)) return notFound(reply);
      const message = await mail.getRaw(request.mailbox.id, id);
      const attachment = message ? await readAttachment(message.raw, Number(request.params.n)) : null;
      if (!attachment) return notFound(reply);
      return reply
        .header('content-type', downloadType(attachment.contentType))
        .header('content-disposition', attachmentDisposition(attachment.filename))
        .header('x-content-type-options', 'nosniff')
        .send(attachment.content);
    },
  );

  app.post(PATHS.webmail.unread(':id'), { schema: { params: IdSchema } }, async (request, reply) => {
    const id = await messageIdOr404(reply, request.params.id);
    if (id === null) return reply;
    const folder = await mail.setSeen(request.mailbox.id, id, false);
    if (!folder) return notFound(reply);
    setFlash(request, { key: 'webmail.flash.markedUnread' });
    return reply.redirect(PATHS.webmail.folder(folder), 303);
  });

  app.post(PATHS.webmail.trash(':id'), { schema: { params: IdSchema } }, async (request, reply) => {
    const id = await messageIdOr404(reply, request.params.id);
    if (id === null) return reply;
    const folder = await mail.moveToTrash(request.mailbox.id, id);
    if (!folder) return notFound(reply);
    setFlash(request, { key: 'webmail.flash.trashed' });
    return reply.redirect(PATHS.webmail.folder(folder), 303);
  });

  app.post(PATHS.webmail.restore(':id'), { schema: { params: IdSchema } }, async (request, reply) => {
    const id = await messageIdOr404(reply, request.params.id);
    if (id === null) return reply;
    const folder = await mail.restore(request.mailbox.id, id, request.mailbox.address);
    if (!folder) return notFound(reply);
    setFlash(request, { key: folder === 'sent' ? 'webmail.flash.restoredSent' : 'webmail.flash.restoredInbox' });
    return reply.redirect(PATHS.webmail.special('trash'), 303);
  });

  // Deleting for good asks first: the page names the message, the POST deletes it.
  app.get(PATHS.webmail.remove(':id'), { schema: { params: IdSchema } }, async (request, reply) => {
    const id = await messageIdOr404(reply, request.params.id);
    if (id === null) return reply;
    const message = await mail.getRaw(request.mailbox.id, id);
    if (!message || message.folder.specialUse !== 'trash') return notFound(reply);
    const subject = message.subject || request.t('webmail.message.noSubject');
    return webmailPage(
      request,
      reply,
      'confirm',
      {
        title: request.t('webmail.remove.title'),
        question: request.t('webmail.remove.question', { subject }),
        confirmLabel: request.t('webmail.message.deleteForever'),
        action: PATHS.webmail.remove(id),
        cancelHref: PATHS.webmail.message(id),
      },
      message.folder.id,
    );
  });

  app.post(PATHS.webmail.remove(':id'), { schema: { params: IdSchema } }, async (request, reply) => {
    const id = await messageIdOr404(reply, request.params.id);
    if (id === null) return reply;
    if (!(await mail.deleteForever(request.mailbox.id, id))) return notFound(reply);
    setFlash(request, { key: 'webmail.flash.deleted' });
    return reply.redirect(PATHS.webmail.special('trash'), 303);
  });

  app.post(PATHS.webmail.move(':id'), { schema: { params: IdSchema, body: MoveSchema } }, async (request, reply) => {
    const id = await messageIdOr404(reply, request.params.id);
    if (id === null) return reply;
    const target = parseFolderId(request.body.dossier ?? '');
    const moved = target === null ? null : await mail.moveMessages(request.mailbox.id, [id], target);
    if (!moved?.ok || !(await mail.getRaw(request.mailbox.id, id))) return notFound(reply);
    setFlash(request, { key: 'webmail.flash.moved' });
    return reply.redirect(PATHS.webmail.message(id), 303);
  });

  app.post(PATHS.webmail.flag(':id'), { schema: { params: IdSchema, body: FlagSchema } }, async (request, reply) => {
    const id = await messageIdOr404(reply, request.params.id);
    if (id === null) return reply;
    const flagged = request.body.suivre === '1';
    if (!(await mail.setFlagged(request.mailbox.id, id, flagged))) return notFound(reply);
    setFlash(request, { key: flagged ? 'webmail.flash.flagged' : 'webmail.flash.unflagged' });
    return reply.redirect(PATHS.webmail.message(id), 303);
  });

  app.get(PATHS.webmail.emptyTrash, async (request, reply) =>
    webmailPage(
      request,
      reply,
      'confirm',
      {
        title: request.t('webmail.trash.empty'),
        question: request.t('webmail.trash.question'),
        confirmLabel: request.t('webmail.trash.empty'),
        action: PATHS.webmail.emptyTrash,
        cancelHref: PATHS.webmail.special('trash'),
      },
      (await specialFolder(request, 'trash')).id,
    ),
  );

  app.post(PATHS.webmail.emptyTrash, async (request, reply) => {
    await mail.emptyTrash(request.mailbox.id);
    setFlash(request, { key: 'webmail.flash.emptied' });
    return reply.redirect(PATHS.webmail.special('trash'), 303);
  });
}
