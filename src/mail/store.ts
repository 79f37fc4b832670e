import { Prisma, type Db } from '../db/client.ts';
import { moveMessages, setFlags, type FolderRef, type SpecialUse } from './folders.ts';
import { searchTextOfRaw } from './ingest.ts';
import { isEmptySearch, parseSearch, searchCondition } from './search.ts';

// The webmail's reads and changes of stored mail. Every query names the mailbox: a message is
// never fetched, changed or deleted by its id alone, so one user can never reach another's mail.

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
  folder: FolderRef;
  seen: boolean;
  flagged: boolean;
  fromText: string;
  fromAddress: string;
  toText: string;
  subject: string;
  receivedAt: Date;
  size: number;
  hasAttachments: boolean;
}

/**
 * One page of a folder of the mailbox (or of every folder, when folderId is null), newest first,
 * 50 a page, optionally only the messages a search finds (src/mail/search.ts). Pages past the
 * middle are read from the oldest end of the (folder_id, received_at, id) index, so no page skips
 * more than half the folder.
 */
export async function listFolder(
  db: Db,
  mailboxId: number,
  folderId: number | null,
  options: { page?: number; search?: string } = {},
) {
  const search = (options.search ?? '').trim().slice(0, MAX_SEARCH_LENGTH);
  const query = parseSearch(search);
  const filter = isEmptySearch(query) ? Prisma.empty : Prisma.sql`AND ${searchCondition(query)}`;
  const inFolder = folderId === null ? Prisma.empty : Prisma.sql`AND folder_id = ${folderId}`;
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
      folder_id: number;
      folder_name: string;
      special_use: SpecialUse | null;
      seen: boolean;
      flagged: boolean;
      from_text: string;
      from_address: string;
      to_text: string;
      subject: string;
      received_at: Date;
      size: number;
      has_attachments: boolean;
    }[]
  >`SELECT m.id, m.folder_id, f.name AS folder_name, f.special_use::text AS special_use, m.seen, m.flagged,
           m.from_text, m.from_address, m.to_text, m.subject, m.received_at, m.size,
           jsonb_array_length(m.attachments) > 0 AS has_attachments
    FROM (SELECT * FROM messages WHERE ${where} ORDER BY ${order} LIMIT ${Math.max(0, limit)} OFFSET ${offset}) m
    JOIN folders f ON f.id = m.folder_id ORDER BY ${order}`;
  if (fromOldest) rows.reverse();
  const messages: MessageSummary[] = rows.map((r) => ({
    id: r.id,
    folder: { id: r.folder_id, name: r.folder_name, specialUse: r.special_use },
    seen: r.seen,
    flagged: r.flagged,
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

/** The bytes the mailbox holds. */
export async function storageUsed(db: Db, mailboxId: number): Promise<number> {
  const mailbox = await db.mailbox.findUnique({ where: { id: mailboxId }, select: { storageUsed: true } });
  return Number(mailbox?.storageUsed ?? 0n);
}

const MESSAGE_FIELDS = {
  id: true,
  folder: { select: { id: true, name: true, specialUse: true } },
  uid: true,
  seen: true,
  flagged: true,
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
    await setFlags(db, mailboxId, [id], { seen: true });
    message.seen = true;
  }
  return message;
}

/** The folder a message of the mailbox is in, or null when there is no such message. */
async function folderOfMessage(db: Db, mailboxId: number, id: bigint): Promise<FolderRef | null> {
  const message = await db.message.findFirst({
    where: { id, mailboxId },
    select: { folder: { select: { id: true, name: true, specialUse: true } } },
  });
  return message?.folder ?? null;
}

/** Marks a message of the mailbox read or unread; returns its folder, or null when there is no such message. */
export async function setSeen(db: Db, mailboxId: number, id: bigint, seen: boolean): Promise<FolderRef | null> {
  const folder = await folderOfMessage(db, mailboxId, id);
  if (folder) await setFlags(db, mailboxId, [id], { seen });
  return folder;
}

/** Flags a message of the mailbox for follow-up (\\Flagged) or not; false when there is no such message. */
export async function setFlagged(db: Db, mailboxId: number, id: bigint, flagged: boolean): Promise<boolean> {
  if (!(await folderOfMessage(db, mailboxId, id))) return false;
  await setFlags(db, mailboxId, [id], { flagged });
  return true;
}

/** Moves a message of the mailbox into one of its special folders; returns the folder it was in, or null. */
async function moveToSpecial(db: Db, mailboxId: number, id: bigint, use: SpecialUse): Promise<FolderRef | null> {
  const folder = await folderOfMessage(db, mailboxId, id);
  const target = await db.folder.findFirst({ where: { mailboxId, specialUse: use }, select: { id: true } });
  if (!folder || !target) return null;
  const moved = await moveMessages(db, mailboxId, [id], target.id);
  return moved.ok ? folder : null;
}

/**
 * Moves a message of the mailbox to the trash (a no-op when it is there already). Returns the
 * folder it was in, or null when there is no such message.
 */
export async function moveToTrash(db: Db, mailboxId: number, id: bigint): Promise<FolderRef | null> {
  return moveToSpecial(db, mailboxId, id, 'trash');
}

/**
 * Takes a message out of the trash: back to Envoyés when the mailbox sent it, else to the inbox.
 * Returns the folder's special use, or null when the trash holds no such message.
 */
export async function restore(
  db: Db,
  mailboxId: number,
  id: bigint,
  ownAddress: string,
): Promise<'sent' | 'inbox' | null> {
  const message = await db.message.findFirst({
    where: { id, mailboxId, folder: { specialUse: 'trash' } },
    select: { fromAddress: true },
  });
  if (!message) return null;
  const use = message.fromAddress.toLowerCase() === ownAddress.toLowerCase() ? 'sent' : 'inbox';
  return (await moveToSpecial(db, mailboxId, id, use)) ? use : null;
}

/**
 * Deletes a message of the mailbox for good, only from the trash, and gives its bytes back to the
 * mailbox's storage in the same transaction. False when the trash holds no such message.
 */
export async function deleteForever(db: Db, mailboxId: number, id: bigint): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const deleted = await tx.$queryRaw<{ size: number }[]>`
      DELETE FROM messages m USING folders f
      WHERE m.id = ${id} AND m.mailbox_id = ${mailboxId} AND f.id = m.folder_id AND f.special_use = 'trash'
      RETURNING m.size`;
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
      WITH gone AS (
        DELETE FROM messages m USING folders f
        WHERE m.mailbox_id = ${mailboxId} AND f.id = m.folder_id AND f.special_use = 'trash' RETURNING m.size
      )
      SELECT count(*)::int AS count, sum(size)::bigint AS bytes FROM gone`;
    const { count = 0, bytes = 0n } = deleted[0] ?? {};
    if (count > 0) {
      await tx.$executeRaw`
        UPDATE mailboxes SET storage_used = GREATEST(storage_used - ${bytes ?? 0n}, 0) WHERE id = ${mailboxId}`;
    }
    return count;
  });
}
