import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_FOLDER_NAME, parseFolderId } from '../../mail/folders.ts';
import { PATHS } from '../paths.ts';
import { sendRefusal, setFlash, takeFlash, type FormErrors } from '../shared.ts';
import { notFound, webmailPage } from './shared.ts';

const NameSchema = Type.Object({ name: Type.Optional(Type.String({ maxLength: 1000 })) });
const IdSchema = Type.Object({ id: Type.String({ maxLength: 40 }) });

/** Dossiers: the user creates, renames and deletes their own folders (special folders stay as they are). */
export default async function webmailFolderRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const mail = app.core.mail;

  /** The page; `refused` shows a refusal next to the create form's field (id null) or a rename form's. */
  async function foldersPage(
    request: FastifyRequest,
    reply: FastifyReply,
    refused?: { id: number | null; errors: FormErrors; value: string },
  ) {
    const folders = (await mail.listFolders(request.mailbox.id, { totals: true })).filter((f) => !f.specialUse);
    return webmailPage(
      request,
      reply,
      'folders',
      {
        title: request.t('webmail.foldersPage.title'),
        notice: takeFlash(request),
        maxName: MAX_FOLDER_NAME,
        create: {
          value: refused?.id === null ? refused.value : '',
          errors: refused?.id === null ? refused.errors : {},
        },
        folders: folders.map((f) => ({
          id: f.id,
          name: f.name,
          href: PATHS.webmail.folder(f),
          total: f.total,
          renameAction: PATHS.webmail.renameFolder(f.id),
          removeHref: PATHS.webmail.removeFolder(f.id),
          value: refused?.id === f.id ? refused.value : f.name,
          errors: refused?.id === f.id ? refused.errors : {},
        })),
      },
      'folders',
    );
  }

  /** A user folder of the mailbox named by the URL, or null after sending the 404 page. */
  async function userFolderOr404(request: FastifyRequest, reply: FastifyReply, text: string) {
    const id = parseFolderId(text);
    const folder = id === null ? null : await mail.getFolder(request.mailbox.id, id);
    if (folder && !folder.specialUse) return folder;
    await notFound(reply);
    return null;
  }

  app.get(PATHS.webmail.folders, async (request, reply) => foldersPage(request, reply));

  app.post(PATHS.webmail.folders, { schema: { body: NameSchema } }, async (request, reply) => {
    const created = await mail.createFolder(request.mailbox.id, request.body.name ?? '');
    if (!created.ok) {
      const value = request.body.name ?? '';
      return sendRefusal(reply, created, (errors) => foldersPage(request, reply, { id: null, errors, value }), 'name');
    }
    setFlash(request, { key: 'webmail.flash.folderCreated' });
    return reply.redirect(PATHS.webmail.folders, 303);
  });

  app.post(
    PATHS.webmail.renameFolder(':id'),
    { schema: { params: IdSchema, body: NameSchema } },
    async (request, reply) => {
      const folder = await userFolderOr404(request, reply, request.params.id);
      if (!folder) return reply;
      const renamed = await mail.renameFolder(request.mailbox.id, folder.id, request.body.name ?? '');
      if (!renamed.ok) {
        const value = request.body.name ?? '';
        const render = (errors: FormErrors) => foldersPage(request, reply, { id: folder.id, errors, value });
        return sendRefusal(reply, renamed, render, 'name');
      }
      setFlash(request, { key: 'webmail.flash.folderRenamed' });
      return reply.redirect(PATHS.webmail.folders, 303);
    },
  );

  // Deleting a folder that holds messages asks first: they go to Corbeille.
  app.get(PATHS.webmail.removeFolder(':id'), { schema: { params: IdSchema } }, async (request, reply) => {
    const folder = await userFolderOr404(request, reply, request.params.id);
    if (!folder) return reply;
    const total =
      (await mail.listFolders(request.mailbox.id, { totals: true })).find((f) => f.id === folder.id)?.total ?? 0;
    return webmailPage(
      request,
      reply,
      'confirm',
      {
        title: request.t('webmail.foldersPage.deleteTitle'),
        question: request.t.plural('webmail.foldersPage.deleteQuestion', total, { name: folder.name }),
        confirmLabel: request.t('webmail.foldersPage.delete'),
        action: PATHS.webmail.removeFolder(folder.id),
        cancelHref: PATHS.webmail.folders,
      },
      'folders',
    );
  });

  app.post(PATHS.webmail.removeFolder(':id'), { schema: { params: IdSchema } }, async (request, reply) => {
    const folder = await userFolderOr404(request, reply, request.params.id);
    if (!folder) return reply;
    const deleted = await mail.deleteFolder(request.mailbox.id, folder.id, { messagesTo: 'trash' });
    if (!deleted.ok) {
      const render = (errors: FormErrors) => foldersPage(request, reply, { id: folder.id, errors, value: folder.name });
      return sendRefusal(reply, deleted, render, 'name');
    }
    setFlash(request, { key: 'webmail.flash.folderDeleted' });
    return reply.redirect(PATHS.webmail.folders, 303);
  });
}
