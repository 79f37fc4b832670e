import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MessageKey } from '../../i18n/index.ts';
import type { FolderRef } from '../../mail/folders.ts';
import { parseMessageId } from '../../mail/store.ts';
import { sendErrorPage } from '../../plugins/errors.ts';
import { PATHS } from '../paths.ts';
import { formatBytes } from '../shared.ts';

/** The message id of a route parameter, or null after sending the 404 page (malformed ids included). */
export async function messageIdOr404(reply: FastifyReply, text: string): Promise<bigint | null> {
  const id = parseMessageId(text);
  if (id === null) await notFound(reply);
  return id;
}

/** The 404 page: what any id that is not one of the user's own messages gets. */
export function notFound(reply: FastifyReply) {
  return sendErrorPage(reply, 404, 'notFound');
}

/** A folder's name as the reader sees it: a special folder's in the reader's language, else the user's own. */
export function folderLabel(request: FastifyRequest, folder: Pick<FolderRef, 'name' | 'specialUse'>): string {
  return folder.specialUse ? request.t(`webmail.folders.${folder.specialUse}` as MessageKey) : folder.name;
}

/**
 * Renders a webmail screen with its navigation: folders with unread counts, the user's address and
 * storage. `current` marks the navigation entry of the screen.
 */
export async function webmailPage(
  request: FastifyRequest,
  reply: FastifyReply,
  screen: string,
  data: Record<string, unknown> & { title: string },
  current?: number | 'compose' | 'password' | 'folders',
) {
  const { t, lang } = request;
  const mail = request.server.core.mail;
  const [list, storageUsed] = await Promise.all([
    mail.listFolders(request.mailbox.id),
    mail.storageUsed(request.mailbox.id),
  ]);
  const quota = request.server.config.mailboxStorageBytes;
  // A user folder shows its last level, indented under its parent: `Projets/2026` is `2026`.
  const folders = list.map((folder) => ({
    href: PATHS.webmail.folder(folder),
    name: folder.specialUse ? folderLabel(request, folder) : folder.name.split('/').at(-1)!,
    fullName: folderLabel(request, folder),
    depth: folder.specialUse ? 0 : folder.name.split('/').length - 1,
    unread: folder.unread,
    unreadText: t.plural('webmail.nav.unread', folder.unread),
    current: folder.id === current,
  }));
  return reply.page(`webmail/${screen}`, {
    ...data,
    webmail: {
      address: request.mailbox.displayAddress,
      folders,
      current,
      storage: t('webmail.nav.storage', {
        used: formatBytes(lang, storageUsed),
        quota: formatBytes(lang, quota),
        percent: Math.min(100, Math.round((storageUsed / quota) * 100)),
      }),
      storageHigh: storageUsed / quota >= 0.9,
    },
  });
}
