import { Prisma, type Db } from '../db/client.ts';
import { searchTextOfRaw } from './ingest.ts';
import { isEmptySearch, parseSearch, searchCondition } from './search.ts';

// The webmail's reads and changes of stored mail. Every query names the mailbox: a message is
// never fetched, changed or deleted by its id alone, so one user can never reach another's mail.

export type FolderName = 'inbox' | 'sent' | 'trash';
export const FOLDERS: readonly FolderName[] = ['inbox', 'sent', 'trash'];
export const PAGE_SIZE = 50;
/** A search counts its hits up to this many, then says "more than": counting them all costs what they cost. */
export const MAX_COUNTED_HITS = 500;
/** The longest search kept: the rest of what is typed is ignored. */
export const MAX_SEARCH_LENGTH = 200;

/** A message id from a URL: 1 to 18 digits (always within bigint), else null. */
export function parseMessageId(text: string): bigint | null {
  return /^[1-9]\d{0,17}$/.test(text) ? BigInt(text) : null;
}

/** One line of a folder page. */
export interface MessageSummary {
  id: bigint;
  folder: FolderName;
  seen: boolean;
  fromText: string;
  fromAddress: string;
  toText: string;
  subject: string;
  receivedAt: Date;
  size: number;
  hasAttachments: boolean;
}

/**
 * One page of a folder (or of every folder, when folder is null), newest first, 50 a page,
 * optionally only the messages a search finds (src/mail/search.ts). Pages past the middle are
 * read from the oldest end of the (mailbox, folder, received_at, id) index, so no page skips more
 * than half the folder.
 */
export async function listFolder(
  db: Db,
  mailboxId: number,
  folder: FolderName | null,
  options: { page?: number; search?: string } = {},
) {
  const search = (options.search ?? '').trim().slice(0, MAX_SEARCH_LENGTH);
  const query = parseSearch(search);
  const filter = isEmptySearch(query) ? Prisma.empty : Prisma.sql`AND ${searchCondition(query)}`;
  const inFolder = folder ? Prisma.sql`AND folder = ${folder}::"Folder"` : Prisma.empty;
  const where = Prisma.sql`mailbox_id = ${mailboxId} ${inFolder} ${filter}`;
  const searching = filter !== Prisma.empty;
  const counted = searching
    ? await db.$queryRaw<{ total: number }[]>`
        SELECT count(*)::int AS total FROM (SELECT 1 FROM messages WHERE ${where} LIMIT ${MAX_COUNTED_HITS + 1}) hits`
    : await db.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total FROM messages WHERE ${where}`;
  const total = counted[0]?.total ?? 0;
  const moreThan = searching && total > MAX_COUNTED_HITS;
  const pages = Math.max(1, Math.ceil(Math.min(total, MAX_COUNTED_HITS) / PAGE_SIZE));
  const page = Math.min(Math.max(1, Math.trunc(options.page ?? 1) || 1), pages);
  const skip = (page - 1) * PAGE_SIZE;

  // Past the middle of a folder, reading from its oldest end skips fewer rows (not for a capped count).
  const fromOldest = !moreThan && skip > total / 2;
  const offset = fromOldest ? Math.max(0, total - skip - PAGE_SIZE) : skip;
  const limit = fromOldest ? total - skip - offset : PAGE_SIZE;
  const order = fromOldest ? Prisma.sql`received_at ASC, id ASC` : Prisma.sql`received_at DESC, id DESC`;
  const rows = await db.$queryRaw<
    {
      id: bigint;
      folder: FolderName;
      seen: boolean;
      from_text: string;
      from_address: string;
      to_text: string;
      subject: string;
      received_at: Date;
      size: number;
      has_attachments: boolean;
    }[]
  >`SELECT id, folder::text AS folder, seen, from_text, from_address, to_text, subject, received_at, size,
           jsonb_array_length(attachments) > 0 AS has_attachments
    FROM messages WHERE ${where} ORDER BY ${order} LIMIT ${Math.max(0, limit)} OFFSET ${offset}`;
  if (fromOldest) rows.reverse();
  const messages: MessageSummary[] = rows.map((r) => ({
    id: r.id,
    folder: r.folder,
    seen: r.seen,
    fromText: r.from_text,
    fromAddress: r.from_address,
    toText: r.to_text,
    subject: r.subject,
    receivedAt: r.received_at,
    size: r.size,
    hasAttachments: r.has_attachments,
  }));
  return { messages, total: moreThan ? MAX_COUNTED_HITS : total, moreThan, page, pages, search };
}

/**
 * Gives search_text to messages stored before search existed, a batch at a time; returns how many
 * it did (0 once none is left). Run by the maintenance loop.
 */
export async function indexUnsearchedMessages(db: Db, batch = 200): Promise<number> {
  const pending = await db.$queryRaw<{ id: bigint; raw: Uint8Array }[]>`
    SELECT m.id, b.raw FROM messages m JOIN message_bodies b ON b.message_id = m.id
    WHERE m.search_text IS NULL LIMIT ${batch}`;
  for (const row of pending) {
    const text = await searchTextOfRaw(Buffer.from(row.raw));
    await db.$executeRaw`UPDATE messages SET search_text = ${text} WHERE id = ${row.id}`;
  }
  return pending.length;
}

/** Unread messages per folder, and the bytes the mailbox holds. */
export async function mailboxSummary(db: Db, mailboxId: number) {
  const [counts, mailbox] = await Promise.all([
    db.message.groupBy({ by: ['folder'], where: { mailboxId, seen: false }, _count: { _all: true } }),
    db.mailbox.findUnique({ where: { id: mailboxId }, select: { storageUsed: true } }),
  ]);
  const unread: Record<FolderName, number> = { inbox: 0, sent: 0, trash: 0 };
  for (const row of counts) unread[row.folder] = row._count._all;
  return { unread, storageUsed: Number(mailbox?.storageUsed ?? 0n) };
}

const MESSAGE_FIELDS = {
  id: true,
  folder: true,
  seen: true,
  fromText: true,
  fromAddress: true,
  toText: true,
  ccText: true,
  subject: true,
  sentAt: true,
  receivedAt: true,
  messageIdHeader: true,
  size: true,
} as const;

/** A message of the mailbox with its raw bytes, without changing it; null when the mailbox has no such message. */
export async function getRaw(db: Db, mailboxId: number, id: bigint) {
  const message = await db.message.findFirst({
    where: { id, mailboxId },
    select: { ...MESSAGE_FIELDS, body: { select: { raw: true } } },
  });
  if (!message) return null;
  const { body, ...fields } = message;
  return { ...fields, raw: Buffer.from(body?.raw ?? new Uint8Array()) };
}

/** A message of the mailbox for reading (marked seen, as reading it does); null when there is none. */
export async function getMessage(db: Db, mailboxId: number, id: bigint) {
  const message = await getRaw(db, mailboxId, id);
  if (message && !message.seen) {
    await db.message.updateMany({ where: { id, mailboxId }, data: { seen: true } });
    message.seen = true;
  }
  return message;
}

/** Marks a message of the mailbox read or unread; returns its folder, or null when there is no such message. */
export async function setSeen(db: Db, mailboxId: number, id: bigint, seen: boolean): Promise<FolderName | null> {
  const rows = await db.$queryRaw<{ folder: FolderName }[]>`
    UPDATE messages SET seen = ${seen} WHERE id = ${id} AND mailbox_id = ${mailboxId} RETURNING folder::text AS folder`;
  return rows[0]?.folder ?? null;
}

/**
 * Moves a message of the mailbox to the trash (a no-op when it is there already). Returns the
 * folder it was in, or null when there is no such message.
 */
export async function moveToTrash(db: Db, mailboxId: number, id: bigint): Promise<FolderName | null> {
  const rows = await db.$queryRaw<{ folder: FolderName }[]>`
    WITH old AS (SELECT id, folder FROM messages WHERE id = ${id} AND mailbox_id = ${mailboxId} FOR UPDATE)
    UPDATE messages m SET folder = 'trash' FROM old WHERE m.id = old.id RETURNING old.folder::text AS folder`;
  return rows[0]?.folder ?? null;
}

/**
 * Takes a message out of the trash: back to Envoyés when the mailbox sent it, else to the inbox.
 * Returns the folder it went to, or null when the trash holds no such message.
 */
export async function restore(db: Db, mailboxId: number, id: bigint, ownAddress: string): Promise<FolderName | null> {
  const rows = await db.$queryRaw<{ folder: FolderName }[]>`
    UPDATE messages SET folder = (CASE WHEN lower(from_address) = lower(${ownAddress}) THEN 'sent' ELSE 'inbox' END)::"Folder"
    WHERE id = ${id} AND mailbox_id = ${mailboxId} AND folder = 'trash'
    RETURNING folder::text AS folder`;
  return rows[0]?.folder ?? null;
}

/**
 * Deletes a message of the mailbox for good, only from the trash, and gives its bytes back to the
 * mailbox's storage in the same transaction. False when the trash holds no such message.
 */
export async function deleteForever(db: Db, mailboxId: number, id: bigint): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const deleted = await tx.$queryRaw<{ size: number }[]>`
      DELETE FROM messages WHERE id = ${id} AND mailbox_id = ${mailboxId} AND folder = 'trash' RETURNING size`;
    const size = deleted[0]?.size;
    if (size === undefined) return false;
    await tx.$executeRaw`
      UPDATE mailboxes SET storage_used = GREATEST(storage_used - ${size}, 0) WHERE id = ${mailboxId}`;
    return true;
  });
}

/** Deletes every message in the mailbox's trash, giving their bytes back; returns how many. */
export async function emptyTrash(db: Db, mailboxId: number): Promise<number> {
  return db.$transaction(async (tx) => {
    const deleted = await tx.$queryRaw<{ count: number; bytes: bigint | null }[]>`
      WITH gone AS (DELETE FROM messages WHERE mailbox_id = ${mailboxId} AND folder = 'trash' RETURNING size)
      SELECT count(*)::int AS count, sum(size)::bigint AS bytes FROM gone`;
    const { count = 0, bytes = 0n } = deleted[0] ?? {};
    if (count > 0) {
      await tx.$executeRaw`
        UPDATE mailboxes SET storage_used = GREATEST(storage_used - ${bytes ?? 0n}, 0) WHERE id = ${mailboxId}`;
    }
    return count;
  });
}
