import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MessageKey } from '../../i18n/index.ts';
import { FOLDERS, parseMessageId, type FolderName } from '../../mail/store.ts';
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

/**
 * Renders a webmail screen with its navigation: folders with unread counts, the user's address and
 * storage. `current` marks the navigation entry of the screen.
 */
export async function webmailPage(
  request: FastifyRequest,
  reply: FastifyReply,
  screen: string,
  data: Record<string, unknown> & { title: string },
  current?: FolderName | 'compose' | 'password',
) {
  const { t, lang } = request;
  const summary = await request.server.core.mail.mailboxSummary(request.mailbox.id);
  const quota = request.server.config.mailboxStorageBytes;
  const folders = FOLDERS.map((folder) => ({
    href: PATHS.webmail.folder(folder),
    name: t(`webmail.folders.${folder}` as MessageKey),
    unread: summary.unread[folder],
    unreadText: t.plural('webmail.nav.unread', summary.unread[folder]),
    current: folder === current,
  }));
  return reply.page(`webmail/${screen}`, {
    ...data,
    webmail: {
      address: request.mailbox.displayAddress,
      folders,
      current,
      storage: t('webmail.nav.storage', {
        used: formatBytes(lang, summary.storageUsed),
        quota: formatBytes(lang, quota),
        percent: Math.min(100, Math.round((summary.storageUsed / quota) * 100)),
      }),
      storageHigh: summary.storageUsed / quota >= 0.9,
    },
  });
}
