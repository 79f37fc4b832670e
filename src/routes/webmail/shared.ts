import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../accounts/audit.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { FOLDERS, mailboxSummary, parseMessageId, type FolderName } from '../../mail/store.ts';
import { WEBMAIL_SIGN_IN } from '../../plugins/auth.ts';
import { sendErrorPage } from '../../plugins/errors.ts';
import { formatBytes } from '../shared.ts';

const SLUGS: Record<FolderName, string> = { inbox: 'reception', sent: 'envoyes', trash: 'corbeille' };

/** The folder a URL slug names, or null. */
export function folderOfSlug(slug: string): FolderName | null {
  return FOLDERS.find((folder) => SLUGS[folder] === slug) ?? null;
}

const message = (id: bigint | string) => `/webmail/messages/${id}`;
export const PATHS = {
  signIn: WEBMAIL_SIGN_IN,
  signOut: '/webmail/deconnexion',
  inbox: '/webmail/reception',
  folder: (folder: FolderName) => `/webmail/${SLUGS[folder]}`,
  emptyTrash: '/webmail/corbeille/vider',
  compose: '/webmail/nouveau',
  password: '/webmail/mot-de-passe',
  message,
  content: (id: bigint | string) => `${message(id)}/contenu`,
  attachment: (id: bigint | string, index: number) => `${message(id)}/pieces/${index}`,
  unread: (id: bigint | string) => `${message(id)}/non-lu`,
  trash: (id: bigint | string) => `${message(id)}/corbeille`,
  restore: (id: bigint | string) => `${message(id)}/restaurer`,
  remove: (id: bigint | string) => `${message(id)}/supprimer`,
} as const;

/** The signed-in webmail user as recorded in the audit log, with the client's address. */
export function mailboxActor(request: FastifyRequest): Actor {
  return { actor: `mailbox:${request.mailbox.address}`, clientAddress: request.ip };
}

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
  const summary = await mailboxSummary(request.server.db, request.mailbox.id);
  const quota = request.server.config.mailboxStorageBytes;
  const folders = FOLDERS.map((folder) => ({
    href: PATHS.folder(folder),
    name: t(`webmail.folders.${folder}` as MessageKey),
    unread: summary.unread[folder],
    unreadText: t.plural('webmail.nav.unread', summary.unread[folder]),
    current: folder === current,
  }));
  return reply.page(`webmail/${screen}`, {
    ...data,
    webmail: {
      address: request.mailbox.address,
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
