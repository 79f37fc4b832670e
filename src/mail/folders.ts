import { ok, refuse, type Refusal, type Result } from '../core/result.ts';
import type { Db } from '../db/client.ts';
import { Prisma } from '../db/client.ts';
import type { SpecialUse } from '../generated/prisma/enums.ts';

// A mailbox's folders, as the webmail and IMAP share them. Every query names the mailbox: a folder
// or a message is never reached by its id alone. UIDs and modseqs come from the folder's row,
// taken by one UPDATE … RETURNING as the last statement before commit, so the row stays locked
// only from there to the commit and UIDs grow in commit order.

export type { SpecialUse };

/** The special-use folders every mailbox has, in the order they are listed, with their IMAP names. */
export const SPECIAL_FOLDERS: readonly { use: SpecialUse; name: string }[] = [
  { use: 'inbox', name: 'INBOX' },
  { use: 'sent', name: 'Sent' },
  { use: 'drafts', name: 'Drafts' },
  { use: 'junk', name: 'Junk' },
  { use: 'archive', name: 'Archive' },
  { use: 'trash', name: 'Trash' },
];
export const MAX_FOLDER_NAME = 200;
export const MAX_FOLDERS = 500;
export const MAX_FOLDER_DEPTH = 10;
export const FOLDER_SEPARATOR = '/';

// A user folder may not take a special folder's name, in IMAP or in either language of the webmail.
const RESERVED_NAMES = new Set(
  [
    ...SPECIAL_FOLDERS.map((f) => f.name),
    ...['Boîte de réception', 'Envoyés', 'Brouillons', 'Courrier indésirable', 'Archives', 'Corbeille'],
    ...['Inbox', 'Sent', 'Drafts', 'Junk', 'Archive', 'Trash'],
  ].map((name) => name.toLowerCase()),
);

type Queries = Pick<Db, '$executeRaw' | '$queryRaw'>;

/** Gives the mailbox its six special-use folders (those it lacks); run in the transaction creating it. */
export async function ensureSpecialFolders(tx: Queries, mailboxId: number): Promise<void> {
  const rows = Prisma.join(SPECIAL_FOLDERS.map((f) => Prisma.sql`(${f.name}, ${f.use})`));
  await tx.$executeRaw`
    INSERT INTO folders (mailbox_id, name, special_use, uid_validity)
    SELECT ${mailboxId}::int, v.name, v.use::"SpecialUse", GREATEST(1, extract(epoch FROM now())::int)
    FROM (VALUES ${rows}) AS v(name, use)
    ON CONFLICT DO NOTHING`;
}

export interface FolderRef {
  id: number;
  name: string;
  specialUse: SpecialUse | null;
}
export interface FolderSummary extends FolderRef {
  uidValidity: number;
  uidNext: number;
  highestModseq: bigint;
  unread: number;
  total: number;
}

const specialRank = (use: SpecialUse | null) =>
  use ? SPECIAL_FOLDERS.findIndex((f) => f.use === use) : SPECIAL_FOLDERS.length;

/** Special folders first in their fixed order, then user folders by name, each parent before its children. */
function compareFolders(a: FolderRef, b: FolderRef): number {
  const rank = specialRank(a.specialUse) - specialRank(b.specialUse);
  if (rank !== 0 || a.specialUse) return rank;
  const left = a.name.split(FOLDER_SEPARATOR);
  const right = b.name.split(FOLDER_SEPARATOR);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const order = left[i]!.localeCompare(right[i]!, 'fr', { sensitivity: 'base' }) || left[i]!.localeCompare(right[i]!);
    if (order !== 0) return order;
  }
  return left.length - right.length;
}

/** The mailbox's folders with their unread counts, and their total counts when asked for. */
export async function listFolders(
  db: Db,
  mailboxId: number,
  options: { totals?: boolean } = {},
): Promise<FolderSummary[]> {
  // Unread counts read the (folder_id, seen) index; totals, which only the Dossiers page shows,
  // would read every message of the folder, so they are counted only when asked for.
  const totals = options.totals
    ? Prisma.sql`(SELECT count(*) FROM messages m WHERE m.folder_id = f.id)::int`
    : Prisma.sql`NULL::int`;
  const rows = await db.$queryRaw<
    {
      id: number;
      name: string;
      special_use: SpecialUse | null;
      uid_validity: number;
      uid_next: number;
      highest_modseq: bigint;
      unread: number;
      total: number | null;
    }[]
  >`SELECT f.id, f.name, f.special_use::text AS special_use, f.uid_validity, f.uid_next, f.highest_modseq,
           (SELECT count(*) FROM messages m WHERE m.folder_id = f.id AND NOT m.seen)::int AS unread,
           ${totals} AS total
    FROM folders f WHERE f.mailbox_id = ${mailboxId}`;
  return rows
    .map((r) => ({
      id: r.id,
      name: r.name,
      specialUse: r.special_use,
      uidValidity: r.uid_validity,
      uidNext: r.uid_next,
      highestModseq: r.highest_modseq,
      unread: r.unread,
      total: r.total ?? 0,
    }))
    .sort(compareFolders);
}

const FOLDER_FIELDS = {
  id: true,
  name: true,
  specialUse: true,
  uidValidity: true,
  uidNext: true,
  highestModseq: true,
} as const;

/** A folder of the mailbox, or null when it has none of that id. */
export async function getFolder(db: Db, mailboxId: number, id: number) {
  return db.folder.findFirst({ where: { id, mailboxId }, select: FOLDER_FIELDS });
}

/** The mailbox's special-use folder, or null (a mailbox deleted meanwhile). */
export async function getSpecialFolder(db: Db, mailboxId: number, use: SpecialUse) {
  return db.folder.findFirst({ where: { mailboxId, specialUse: use }, select: FOLDER_FIELDS });
}

/** A folder id from a URL: 1 to 9 digits, else null. */
export function parseFolderId(text: string): number | null {
  return /^[1-9]\d{0,8}$/.test(text) ? Number(text) : null;
}

/** The problem with a user folder's name, or null when it is acceptable (uniqueness aside). */
function nameProblem(name: string): Refusal | null {
  if (name === '') return refuse('invalid', 'folders.errors.empty', undefined, 'name');
  if (name.length > MAX_FOLDER_NAME)
    return refuse('invalid', 'folders.errors.tooLong', { max: MAX_FOLDER_NAME }, 'name');
  if (/\p{Cc}/u.test(name)) return refuse('invalid', 'folders.errors.control', undefined, 'name');
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//'))
    return refuse('invalid', 'folders.errors.separator', undefined, 'name');
  if (name.split(FOLDER_SEPARATOR).length > MAX_FOLDER_DEPTH)
    return refuse('invalid', 'folders.errors.tooDeep', { max: MAX_FOLDER_DEPTH }, 'name');
  if (RESERVED_NAMES.has(name.toLowerCase())) return refuse('conflict', 'folders.errors.reserved', undefined, 'name');
  return null;
}

const parentOf = (name: string) => name.slice(0, Math.max(0, name.lastIndexOf(FOLDER_SEPARATOR)));
const isUniqueViolation = (error: unknown) =>
  (error as { code?: string }).code === 'P2002' || /23505|unique constraint/i.test(String(error));

type Tx = Prisma.TransactionClient;

/** Locks the mailbox's folder list (creations and renames of one mailbox run one at a time). */
async function lockFolders(tx: Tx, mailboxId: number): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM mailboxes WHERE id = ${mailboxId} FOR UPDATE`;
  return rows.length === 1;
}

/** Whether another folder of the mailbox has this name, ignoring case. */
async function nameTaken(tx: Tx, mailboxId: number, name: string, except: number | null = null) {
  const rows = await tx.$queryRaw<{ id: number }[]>`
    SELECT id FROM folders WHERE mailbox_id = ${mailboxId} AND lower(name) = lower(${name})
      AND id IS DISTINCT FROM ${except}::int`;
  return rows.length > 0;
}

/** Runs a folder change, answering a name taken meanwhile (the unique index) as a refusal. */
async function changeFolders<T>(db: Db, work: (tx: Tx) => Promise<Result<T>>, name: string): Promise<Result<T>> {
  try {
    return await db.$transaction(work);
  } catch (error) {
    if (isUniqueViolation(error)) return refuse('conflict', 'folders.errors.taken', { name }, 'name');
    throw error;
  }
}

/** Creates a user folder; its parent (`Projets` for `Projets/2026`) must exist. */
export async function createFolder(db: Db, mailboxId: number, typed: string): Promise<Result<{ id: number }>> {
  const name = typed.trim();
  const problem = nameProblem(name);
  if (problem) return problem;
  return changeFolders(
    db,
    async (tx) => {
      if (!(await lockFolders(tx, mailboxId))) return refuse('notFound', 'folders.errors.notFound');
      const count = await tx.folder.count({ where: { mailboxId } });
      if (count >= MAX_FOLDERS) return refuse('conflict', 'folders.errors.tooMany', { max: MAX_FOLDERS }, 'name');
      if (await nameTaken(tx, mailboxId, name)) return refuse('conflict', 'folders.errors.taken', { name }, 'name');
      const parent = parentOf(name);
      if (parent && !(await nameTaken(tx, mailboxId, parent)))
        return refuse('invalid', 'folders.errors.noParent', { parent }, 'name');
      const rows = await tx.$queryRaw<{ id: number }[]>`
        INSERT INTO folders (mailbox_id, name, uid_validity)
        VALUES (${mailboxId}, ${name}, GREATEST(1, extract(epoch FROM now())::int)) RETURNING id`;
      return ok({ id: rows[0]!.id });
    },
    name,
  );
}

/**
 * Renames a user folder and, with it, its subfolders (`Projets/2026` follows `Projets`). Special
 * folders keep their names.
 */
export async function renameFolder(
  db: Db,
  mailboxId: number,
  id: number,
  typed: string,
): Promise<Result<{ id: number; name: string }>> {
  const name = typed.trim();
  return changeFolders(
    db,
    async (tx) => {
      if (!(await lockFolders(tx, mailboxId))) return refuse('notFound', 'folders.errors.notFound');
      const folder = await tx.folder.findFirst({ where: { id, mailboxId } });
      if (!folder) return refuse('notFound', 'folders.errors.notFound');
      if (folder.specialUse) return refuse('conflict', 'folders.errors.special', undefined, 'name');
      const problem = nameProblem(name);
      if (problem) return problem;
      if (name === folder.name) return ok({ id, name });
      const prefix = folder.name + FOLDER_SEPARATOR;
      if (name.toLowerCase().startsWith(prefix.toLowerCase()))
        return refuse('invalid', 'folders.errors.intoItself', undefined, 'name');
      if (await nameTaken(tx, mailboxId, name, id)) return refuse('conflict', 'folders.errors.taken', { name }, 'name');
      const parent = parentOf(name);
      if (parent && !(await nameTaken(tx, mailboxId, parent)))
        return refuse('invalid', 'folders.errors.noParent', { parent }, 'name');
      const children = await tx.$queryRaw<{ id: number; name: string }[]>`
        SELECT id, name FROM folders WHERE mailbox_id = ${mailboxId} AND starts_with(lower(name), lower(${prefix}))`;
      for (const child of children) {
        const childProblem = nameProblem(name + child.name.slice(folder.name.length));
        if (childProblem) return childProblem;
      }
      await tx.$executeRaw`
        UPDATE folders SET name = ${name} || substr(name, char_length(${folder.name}) + 1)
        WHERE mailbox_id = ${mailboxId} AND (id = ${id} OR starts_with(lower(name), lower(${prefix})))`;
      return ok({ id, name });
    },
    name,
  );
}

/**
 * Deletes a user folder that has no subfolders. Its messages go to Corbeille (`messagesTo:
 * 'trash'`, the webmail) or are deleted with it, their bytes given back to the mailbox (`'delete'`,
 * IMAP DELETE). Returns how many messages it held.
 */
export async function deleteFolder(
  db: Db,
  mailboxId: number,
  id: number,
  options: { messagesTo: 'trash' | 'delete' },
): Promise<Result<number>> {
  return db.$transaction(async (tx) => {
    if (!(await lockFolders(tx, mailboxId))) return refuse('notFound', 'folders.errors.notFound');
    const folder = await tx.folder.findFirst({ where: { id, mailboxId } });
    if (!folder) return refuse('notFound', 'folders.errors.notFound');
    if (folder.specialUse) return refuse('conflict', 'folders.errors.special');
    const children = await tx.$queryRaw<{ id: number }[]>`
      SELECT id FROM folders WHERE mailbox_id = ${mailboxId} 
        AND starts_with(lower(name), lower(${folder.name + FOLDER_SEPARATOR}))
      LIMIT 1`;
    if (children.length > 0) return refuse('conflict', 'folders.errors.hasChildren');
    let count: number;
    if (options.messagesTo === 'trash') {
      const trash = await tx.folder.findFirst({ where: { mailboxId, specialUse: 'trash' } });
      if (!trash) return refuse('notFound', 'folders.errors.notFound');
      const ids = await tx.$queryRaw<{ id: bigint }[]>`
        SELECT id FROM messages WHERE folder_id = ${id} AND mailbox_id = ${mailboxId} ORDER BY id FOR UPDATE`;
      count = await moveLocked(
        tx,
        trash.id,
        ids.map((r) => r.id),
      );
    } else {
      const gone = await tx.$queryRaw<{ count: number; bytes: bigint | null }[]>`
        WITH gone AS (DELETE FROM messages WHERE folder_id = ${id} AND mailbox_id = ${mailboxId} RETURNING size)
        SELECT count(*)::int AS count, sum(size)::bigint AS bytes FROM gone`;
      count = gone[0]?.count ?? 0;
      await tx.$executeRaw`
        UPDATE mailboxes SET storage_used = GREATEST(storage_used - ${gone[0]?.bytes ?? 0n}, 0) WHERE id = ${mailboxId}`;
    }
    await tx.$executeRaw`DELETE FROM folders WHERE id = ${id} AND mailbox_id = ${mailboxId}`;
    return ok(count);
  });
}

/**
 * Gives locked messages of one mailbox new UIDs in the target folder, in the order they arrived, and
 * moves them there: one update of the folder's row, so its lock lasts from here to the commit.
 */
async function moveLocked(tx: Tx, targetId: number, ids: bigint[]): Promise<number> {
  if (ids.length === 0) return 0;
  return tx.$executeRaw`
    WITH ordered AS (
      SELECT id, row_number() OVER (ORDER BY received_at, id)::int AS n FROM messages WHERE id = ANY(${ids}::bigint[])
    ), bump AS (
      UPDATE folders SET uid_next = uid_next + ${ids.length}, highest_modseq = highest_modseq + 1
      WHERE id = ${targetId} RETURNING uid_next - ${ids.length} AS first_uid, highest_modseq
    )
    UPDATE messages m SET folder_id = ${targetId}, uid = bump.first_uid + ordered.n - 1, modseq = bump.highest_modseq
    FROM ordered, bump WHERE m.id = ordered.id`;
}

/**
 * Moves messages of the mailbox into one of its folders; each gets a new UID there. Messages
 * already in the target, or not the mailbox's, are left alone. Returns how many moved.
 */
export async function moveMessages(
  db: Db,
  mailboxId: number,
  ids: bigint[],
  targetFolderId: number,
): Promise<Result<number>> {
  return db.$transaction(async (tx) => {
    const target = await tx.folder.findFirst({ where: { id: targetFolderId, mailboxId }, select: { id: true } });
    if (!target) return refuse('notFound', 'folders.errors.notFound');
    // In id order, so that two changes of the same messages take their row locks in one order.
    const locked = await tx.$queryRaw<{ id: bigint }[]>`
      SELECT id FROM messages
      WHERE mailbox_id = ${mailboxId} AND id = ANY(${ids}::bigint[]) AND folder_id <> ${target.id}
      ORDER BY id FOR UPDATE`;
    return ok(
      await moveLocked(
        tx,
        target.id,
        locked.map((r) => r.id),
      ),
    );
  });
}

export interface FlagChanges {
  seen?: boolean;
  answered?: boolean;
  flagged?: boolean;
  deleted?: boolean;
  draft?: boolean;
  /** The message's whole keyword list. */
  keywords?: string[];
}

/**
 * Changes flags of messages of the mailbox. Each message whose flags change takes a new modseq,
 * its folder's highest_modseq plus one, in one statement. Returns the messages changed.
 */
export async function setFlags(
  db: Db,
  mailboxId: number,
  ids: bigint[],
  changes: FlagChanges,
): Promise<{ id: bigint; folderId: number; modseq: bigint }[]> {
  const value = (flag: keyof Omit<FlagChanges, 'keywords'>) => changes[flag] ?? null;
  const keywords = changes.keywords ?? null;
  return db.$queryRaw`
    WITH changed AS (
      SELECT id, folder_id FROM messages
      WHERE mailbox_id = ${mailboxId} AND id = ANY(${ids}::bigint[])
        AND (seen IS DISTINCT FROM COALESCE(${value('seen')}::boolean, seen)
          OR answered IS DISTINCT FROM COALESCE(${value('answered')}::boolean, answered)
          OR flagged IS DISTINCT FROM COALESCE(${value('flagged')}::boolean, flagged)
          OR deleted IS DISTINCT FROM COALESCE(${value('deleted')}::boolean, deleted)
          OR draft IS DISTINCT FROM COALESCE(${value('draft')}::boolean, draft)
          OR keywords IS DISTINCT FROM COALESCE(${keywords}::text[], keywords))
      ORDER BY id FOR UPDATE
    ), bump AS (
      UPDATE folders SET highest_modseq = highest_modseq + 1
      WHERE id IN (SELECT folder_id FROM changed) RETURNING id, highest_modseq
    )
    UPDATE messages m
    SET seen = COALESCE(${value('seen')}::boolean, m.seen),
        answered = COALESCE(${value('answered')}::boolean, m.answered),
        flagged = COALESCE(${value('flagged')}::boolean, m.flagged),
        deleted = COALESCE(${value('deleted')}::boolean, m.deleted),
        draft = COALESCE(${value('draft')}::boolean, m.draft),
        keywords = COALESCE(${keywords}::text[], m.keywords),
        modseq = bump.highest_modseq
    FROM changed JOIN bump ON bump.id = changed.folder_id
    WHERE m.id = changed.id
    RETURNING m.id, m.folder_id AS "folderId", m.modseq`;
}
