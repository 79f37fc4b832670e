import { ok, refuse, type Refusal, type Result } from '../core/result.ts';
import type { Db } from '../db/client.ts';
import { Prisma } from '../db/client.ts';
import { readMessage } from './mime.ts';
import { searchTextOf } from './search.ts';

export interface IngestInput {
  /** Mailbox ids that receive the message (duplicates receive it once). */
  recipients: number[];
  /** The whole message as it will be stored and served. */
  raw: Buffer;
  folder: 'inbox' | 'sent';
  seen?: boolean;
  /** Bytes each mailbox may hold (config.mailboxStorageBytes). */
  storageLimit: number;
  /** A mailbox that also keeps a seen copy in its sent folder, in the same transaction (webmail sending). */
  sentCopyFor?: number;
}

const MAX_LISTED_ATTACHMENTS = 200;

/**
 * A message's uid between its insert and the end of its transaction: negative, so never a real
 * UID, and distinct for every message being delivered at once, so the (folder_id, uid) unique
 * index never makes one delivery wait for another.
 */
const placeholderUid = (id: bigint) => -Number(id % 2_147_483_647n) - 1;

/** The metadata columns of a message, read from its headers. */
async function metadataOf(raw: Buffer) {
  const message = await readMessage(raw);
  const year = message.date?.getUTCFullYear() ?? 0;
  return {
    fromText: message.fromName || message.fromAddress,
    fromAddress: message.fromAddress,
    toText: message.to,
    ccText: message.cc,
    subject: message.subject,
    sentAt: year >= 1900 && year <= 9999 ? message.date! : null,
    messageIdHeader: message.messageId ?? null,
    size: raw.length,
    attachments: message.attachments
      .slice(0, MAX_LISTED_ATTACHMENTS)
      .map(({ filename, contentType, size }) => ({ filename, contentType, size })),
    searchText: searchTextOf({
      from: `${message.fromName} ${message.fromAddress}`,
      to: `${message.to} ${message.cc}`,
      subject: message.subject,
      body: message.text,
    }),
  };
}

/** The search_text of a stored message, from its raw bytes (for messages stored before search existed). */
export async function searchTextOfRaw(raw: Buffer): Promise<string> {
  return (await metadataOf(raw)).searchText;
}

type Metadata = Awaited<ReturnType<typeof metadataOf>>;
type Copy = { mailboxId: number; folder: 'inbox' | 'sent'; seen: boolean };

/** A refusal thrown out of a transaction, so that it rolls back, and returned as a value. */
class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
  }
}

/** Why a mailbox could not be charged: it is full, or it is gone. */
async function uncharged(db: Db | Prisma.TransactionClient, mailboxId: number): Promise<Refusal> {
  const named = await db.$queryRaw<{ address: string }[]>`
    SELECT m.local_part || '@' || d.name AS address FROM mailboxes m JOIN domains d ON d.id = m.domain_id
    WHERE m.id = ${mailboxId}`;
  const address = named[0]?.address;
  return address
    ? refuse('conflict', 'mail.errors.storageFull', { address })
    : refuse('notFound', 'mail.errors.mailboxGone');
}

/**
 * One copy in one statement: the conditional charge of the mailbox's storage, then the message
 * and its body inserted from the charged row, committed together before it returns (or nothing
 * at all when the charge finds no room or no mailbox). The charge's row lock is held only for
 * the statement and its commit; under READ COMMITTED a delivery that waited for it re-checks the
 * condition on the row as the other left it, so the quota holds under races.
 */
async function ingestOne(
  db: Db,
  copy: Copy,
  m: Metadata,
  attachments: string,
  raw: Uint8Array,
  storageLimit: number,
): Promise<Result<bigint[]>> {
  // The folder's row is updated after the charge, so it stays locked only from there to the commit,
  // and UIDs grow in commit order.
  const created = await db.$queryRaw<{ id: bigint }[]>`
    WITH charged AS (
      UPDATE mailboxes SET storage_used = storage_used + ${m.size}
      WHERE id = ${copy.mailboxId} AND storage_used + ${m.size} <= ${storageLimit}
        AND EXISTS (SELECT 1 FROM folders WHERE mailbox_id = ${copy.mailboxId} AND special_use = ${copy.folder}::"SpecialUse")
      RETURNING id
    ), folder AS (
      UPDATE folders SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1
      WHERE mailbox_id = (SELECT id FROM charged) AND special_use = ${copy.folder}::"SpecialUse"
      RETURNING id, mailbox_id, uid_next - 1 AS uid, highest_modseq
    ), message AS (
      INSERT INTO messages (mailbox_id, folder_id, uid, modseq, seen, from_text, from_address, to_text, cc_text,
                            subject, sent_at, message_id_header, size, attachments, search_text)
      SELECT mailbox_id, id, uid, highest_modseq, ${copy.seen}, ${m.fromText}, ${m.fromAddress}, ${m.toText},
             ${m.ccText}, ${m.subject}, ${m.sentAt}, ${m.messageIdHeader}, ${m.size}, ${attachments}::jsonb,
             ${m.searchText}
      FROM folder RETURNING id
    ), body AS (
      INSERT INTO message_bodies (message_id, raw) SELECT id, ${raw} FROM message
    )
    SELECT id FROM message`;
  if (created.length === 1) return ok([created[0]!.id]);
  return uncharged(db, copy.mailboxId);
}

/**
 * The one way a message enters the store (SMTP, webmail, demo, imports): every recipient gets a
 * copy, or none does. The message is parsed once, before the transaction; the storage quota is
 * taken at its end by one conditional update per mailbox, so deliveries to one mailbox wait for
 * each other only for that update and the commit, never across parsing or the body write, and
 * can still never push a mailbox past storageLimit. Returns the new message ids, recipients
 * first, the sent copy last.
 */
export async function ingestMessage(db: Db, input: IngestInput): Promise<Result<bigint[]>> {
  const metadata = await metadataOf(input.raw);
  const copies: Copy[] = [...new Set(input.recipients)].map((mailboxId) => ({
    mailboxId,
    folder: input.folder,
    seen: input.seen ?? false,
  }));
  if (input.sentCopyFor !== undefined) copies.push({ mailboxId: input.sentCopyFor, folder: 'sent', seen: true });
  if (copies.length === 0) return ok([]);

  const perMailbox = new Map<number, number>();
  for (const copy of copies) perMailbox.set(copy.mailboxId, (perMailbox.get(copy.mailboxId) ?? 0) + metadata.size);
  // In id order, so two deliveries to the same mailboxes always take their row locks in one order.
  const charges = [...perMailbox].sort(([a], [b]) => a - b);
  const m = metadata;
  const attachments = JSON.stringify(m.attachments);
  const raw = new Uint8Array(input.raw);

  // One copy (an SMTP delivery to one mailbox, most mail): a single statement, so one round trip
  // and PostgreSQL's own implicit transaction instead of an interactive one with five.
  if (copies.length === 1) return ingestOne(db, copies[0]!, m, attachments, raw, input.storageLimit);

  try {
    return await db.$transaction(
      async (tx) => {
        const mailboxIds = copies.map((c) => c.mailboxId);
        const folders = await tx.$queryRaw<{ id: number; mailbox_id: number; special_use: string }[]>`
          SELECT id, mailbox_id, special_use::text AS special_use FROM folders
          WHERE mailbox_id = ANY(${mailboxIds}::int[]) AND special_use IN ('inbox', 'sent')`;
        const folderOf = (c: (typeof copies)[number]) =>
          folders.find((f) => f.mailbox_id === c.mailboxId && f.special_use === c.folder)?.id;
        if (copies.some((c) => folderOf(c) === undefined))
          throw new Refused(refuse('notFound', 'mail.errors.mailboxGone'));
        // Each row's uid holds a placeholder, unique to it, until the UIDs are taken at the end.
        const newIds = await tx.$queryRaw<{ id: bigint }[]>`
          SELECT nextval(pg_get_serial_sequence('messages', 'id')) AS id FROM generate_series(1, ${copies.length})`;
        const ids = newIds.map((row) => row.id);
        const rows = Prisma.join(
          copies.map(
            (c, i) => Prisma.sql`(${ids[i]!}, ${c.mailboxId}, ${folderOf(c)!}, ${placeholderUid(ids[i]!)}, ${c.seen},
              ${m.fromText}, ${m.fromAddress}, ${m.toText}, ${m.ccText}, ${m.subject}, ${m.sentAt},
              ${m.messageIdHeader}, ${m.size}, ${attachments}::jsonb, ${m.searchText})`,
          ),
        );
        await tx.$executeRaw`
          INSERT INTO messages (id, mailbox_id, folder_id, uid, seen, from_text, from_address, to_text, cc_text,
                                subject, sent_at, message_id_header, size, attachments, search_text)
          VALUES ${rows}`;
        await tx.$executeRaw`
          INSERT INTO message_bodies (message_id, raw) SELECT id, ${raw} FROM unnest(${ids}::bigint[]) AS id`;
        for (const [mailboxId, bytes] of charges) {
          const charged = await tx.$queryRaw<{ id: number }[]>`
            UPDATE mailboxes SET storage_used = storage_used + ${bytes}
            WHERE id = ${mailboxId} AND storage_used + ${bytes} <= ${input.storageLimit} RETURNING id`;
          if (charged.length === 1) continue;
          throw new Refused(await uncharged(tx, mailboxId));
        }
        // Last, in folder id order: each folder's row stays locked only from its update to the commit.
        const byFolder = new Map<number, bigint[]>();
        copies.forEach((c, i) => byFolder.set(folderOf(c)!, [...(byFolder.get(folderOf(c)!) ?? []), ids[i]!]));
        for (const [folderId, folderIds] of [...byFolder].sort(([a], [b]) => a - b)) {
          await tx.$executeRaw`
            WITH bump AS (
              UPDATE folders SET uid_next = uid_next + ${folderIds.length}, highest_modseq = highest_modseq + 1
              WHERE id = ${folderId} RETURNING uid_next - ${folderIds.length} AS first_uid, highest_modseq
            )
            UPDATE messages m SET uid = bump.first_uid + n.ord - 1, modseq = bump.highest_modseq
            FROM bump, unnest(${folderIds}::bigint[]) WITH ORDINALITY AS n(id, ord) WHERE m.id = n.id`;
        }
        return ok(ids);
      },
      // A 25 MiB message to many mailboxes takes a while to write; the default 5 s would abort it.
      { timeout: 120_000, maxWait: 10_000 },
    );
  } catch (error) {
    if (error instanceof Refused) return error.refusal;
    // A mailbox deleted meanwhile: its messages' foreign key refuses the insert.
    if ((error as { code?: string }).code === 'P2003' || /foreign key/i.test(String(error))) {
      return refuse('notFound', 'mail.errors.mailboxGone');
    }
    throw error;
  }
}
