import { ok, refuse, type Result } from '../core/result.ts';
import type { Db } from '../db/client.ts';
import { readMessage } from './mime.ts';

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
  };
}

/**
 * The one way a message enters the store (SMTP, webmail, demo, imports): every recipient gets a
 * copy, or none does. Mailbox rows are locked in id order, so concurrent deliveries cannot push a
 * mailbox past storageLimit. Returns the new message ids, recipients first, the sent copy last.
 */
export async function ingestMessage(db: Db, input: IngestInput): Promise<Result<bigint[]>> {
  const metadata = await metadataOf(input.raw);
  const copies = [...new Set(input.recipients)].map((mailboxId) => ({
    mailboxId,
    folder: input.folder,
    seen: input.seen ?? false,
  }));
  if (input.sentCopyFor !== undefined) copies.push({ mailboxId: input.sentCopyFor, folder: 'sent', seen: true });
  if (copies.length === 0) return ok([]);

  const perMailbox = new Map<number, bigint>();
  for (const copy of copies) {
    perMailbox.set(copy.mailboxId, (perMailbox.get(copy.mailboxId) ?? 0n) + BigInt(metadata.size));
  }
  const ids = [...perMailbox.keys()].sort((a, b) => a - b);
  const limit = BigInt(input.storageLimit);

  return db.$transaction(
    async (tx) => {
      const locked = await tx.$queryRaw<{ id: number; storage_used: bigint; address: string }[]>`
        SELECT m.id, m.storage_used, m.local_part || '@' || d.name AS address
        FROM mailboxes m JOIN domains d ON d.id = m.domain_id
        WHERE m.id = ANY(${ids}::int[]) ORDER BY m.id FOR UPDATE OF m`;
      if (locked.length !== ids.length) return refuse('notFound', 'mail.errors.mailboxGone');
      for (const row of locked) {
        if (BigInt(row.storage_used) + perMailbox.get(row.id)! > limit) {
          return refuse('conflict', 'mail.errors.storageFull', { address: row.address });
        }
      }
      const created: bigint[] = [];
      for (const copy of copies) {
        const message = await tx.message.create({
          data: { ...metadata, ...copy, body: { create: { raw: new Uint8Array(input.raw) } } },
          select: { id: true },
        });
        created.push(message.id);
      }
      for (const [id, bytes] of perMailbox) {
        await tx.mailbox.update({ where: { id }, data: { storageUsed: { increment: bytes } } });
      }
      return ok(created);
    },
    // A 25 MiB message to many mailboxes takes a while to write; the default 5 s would abort it.
    { timeout: 120_000, maxWait: 10_000 },
  );
}
