import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { ok, refuse, refuseAll, type Problem, type Refusal, type Result } from '../core/result.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import { findDeliverableMailbox, MAX_RECIPIENTS, parseAddress, type DeliverableMailbox } from './addresses.ts';
import { normalizeDomainName } from '../accounts/names.ts';
import { ingestMessage } from './ingest.ts';
import type { Logger } from '../core/logger.ts';

export interface OutgoingMessage {
  /** Each entry one address or several (`a@x.ca, "Name" <b@y.ca>`), as typed. */
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  attachments: { filename: string; contentType: string; content: Buffer }[];
  /** The Message-ID being answered, angle brackets included. */
  inReplyTo?: string;
  references?: string[];
}

export interface SentMessage {
  /** The Message-ID header given to the message. */
  messageId: string;
  /** The copies delivered to hosted mailboxes' inboxes. */
  deliveredIds: bigint[];
  /** The sender's copy in its sent folder. */
  sentId: bigint;
  /** Outside recipients the relay accepted, and those it refused. */
  relayed: string[];
  rejected: string[];
}

interface Recipient {
  name: string;
  address: string;
  field: 'to' | 'cc';
}

// eslint-disable-next-line no-control-regex
const withoutControls = (text: string) => text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
const MESSAGE_ID = /^<[^<>\s]{1,900}>$/;

/** The recipients of the To and Cc fields, or the refusal naming, in each field, its first address that is not one. */
function parseRecipients(message: OutgoingMessage): Result<Recipient[]> {
  const recipients: Recipient[] = [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const field of ['to', 'cc'] as const) {
    const addresses = message[field].flatMap((entry) =>
      entry.trim() ? addressparser(entry, { flatten: true }).map((a) => ({ ...a, entry })) : [],
    );
    for (const { name, address, entry } of addresses) {
      const parsed = parseAddress(address.trim());
      if (!parsed) {
        problems.push({
          message: 'mail.errors.invalidAddress',
          params: { address: (address || entry).slice(0, 200) },
          field,
        });
        break;
      }
      if (seen.has(parsed.address.toLowerCase())) continue;
      seen.add(parsed.address.toLowerCase());
      recipients.push({ name: withoutControls(name).slice(0, 200), address: parsed.address, field });
    }
  }
  const invalid = refuseAll('invalid', problems);
  if (invalid) return invalid;
  if (recipients.length === 0) return refuse('invalid', 'mail.errors.noRecipient', undefined, 'to');
  if (recipients.length > MAX_RECIPIENTS)
    return refuse('invalid', 'mail.errors.tooManyRecipients', { max: MAX_RECIPIENTS }, 'to');
  return ok(recipients);
}

/** Builds the message as it will be stored and relayed: CRLF line ends, From the sender, a fresh Message-ID. */
function composeMessage(senderAddress: string, recipients: Recipient[], message: OutgoingMessage) {
  const messageId = `<${randomUUID()}@${senderAddress.split('@')[1]}>`;
  const references = (message.references ?? []).filter((r) => MESSAGE_ID.test(r)).slice(-50);
  const composer = new MailComposer({
    from: senderAddress,
    to: recipients.filter((r) => r.field === 'to').map(({ name, address }) => ({ name, address })),
    cc: recipients.filter((r) => r.field === 'cc').map(({ name, address }) => ({ name, address })),
    subject: withoutControls(message.subject).slice(0, 998),
    messageId,
    date: new Date(),
    ...(message.inReplyTo && MESSAGE_ID.test(message.inReplyTo) ? { inReplyTo: message.inReplyTo } : {}),
    ...(references.length > 0 ? { references } : {}),
    text: message.text.replace(/\r\n?/g, '\n'),
    attachments: message.attachments.map((a) => ({
      filename: withoutControls(a.filename).replace(/[/\\]/g, '_').slice(0, 200) || 'attachment',
      contentType: /^[\w.+-]+\/[\w.+-]+$/.test(a.contentType) ? a.contentType : 'application/octet-stream',
      content: a.content,
      // Without it nodemailer marks a forwarded message/rfc822 part inline, and readers merge it into the text.
      contentDisposition: 'attachment' as const,
    })),
    newline: 'win',
    disableFileAccess: true, // content only: never read a path or URL named in the message
    disableUrlAccess: true,
  });
  return { messageId, build: () => composer.compile().build() };
}

/**
 * Sends a message from a hosted mailbox: hosted recipients get it at once, others through the
 * relay (refused plainly when none is configured), and the sender keeps a copy in Envoyés.
 * Every refusal is decided before anything is delivered.
 */
export async function sendMessage(
  db: Db,
  config: Config,
  sender: { mailboxId: number; address: string },
  message: OutgoingMessage,
  log?: Logger,
): Promise<Result<SentMessage>> {
  const parsed = parseRecipients(message);
  if (!parsed.ok) return parsed;
  const recipients = parsed.value;

  const local: DeliverableMailbox[] = [];
  const outside: string[] = [];
  for (const recipient of recipients) {
    const found = await findRecipient(db, config, recipient.address);
    if (!found.ok) {
      const message =
        found.message === 'mail.errors.outsideMailDisabled' ? found.message : 'mail.errors.unknownRecipient';
      return refuse('invalid', message, { address: recipient.address }, recipient.field);
    }
    if (found.value.mailbox) local.push(found.value.mailbox);
    else outside.push(recipient.address);
  }

  const composed = composeMessage(sender.address, recipients, message);
  const raw = await composed.build();
  if (raw.length > config.maxMessageBytes) {
    return refuse(
      'invalid',
      'mail.errors.tooLarge',
      { max: Math.floor(config.maxMessageBytes / 1024 / 1024) },
      'attachments',
    );
  }
  const full = await storageRefusal(db, config, sender, local, raw.length);
  if (full) return full;

  const sentOut = await relayMessage(config, sender.address, outside, raw, log);
  if (!sentOut.ok) return sentOut;
  const { relayed, rejected } = sentOut.value;

  const stored = await ingestMessage(db, {
    recipients: local.map((m) => m.id),
    raw,
    folder: 'inbox',
    storageLimit: config.mailboxStorageBytes,
    sentCopyFor: sender.mailboxId,
  });
  if (!stored.ok) return stored;
  const ids = stored.value;
  return ok({ messageId: composed.messageId, deliveredIds: ids.slice(0, -1), sentId: ids.at(-1)!, relayed, rejected });
}

/** The refusal when the sender's copy or a hosted recipient's copy would not fit its storage quota. */
async function storageRefusal(
  db: Db,
  config: Config,
  sender: { mailboxId: number },
  local: DeliverableMailbox[],
  size: number,
): Promise<Refusal | null> {
  const limit = BigInt(config.mailboxStorageBytes);
  const own = await db.mailbox.findUnique({ where: { id: sender.mailboxId }, select: { storageUsed: true } });
  const ownCopies = 1 + local.filter((m) => m.id === sender.mailboxId).length;
  if (!own || own.storageUsed + BigInt(size * ownCopies) > limit)
    return refuse('conflict', 'mail.errors.senderStorageFull');
  const full = local.find((m) => m.id !== sender.mailboxId && m.storageUsed + BigInt(size) > limit);
  return full ? refuse('conflict', 'mail.errors.storageFull', { address: full.address }, 'to') : null;
}

/**
 * Where mail for an address goes: a hosted mailbox (notFound when the domain is ours but the
 * mailbox is not, unavailable while it is suspended), or outside through the relay (refused while
 * none is configured).
 */
export async function findRecipient(
  db: Db,
  config: Config,
  address: string,
): Promise<Result<{ mailbox: DeliverableMailbox | null }>> {
  const domain = normalizeDomainName(address.slice(address.lastIndexOf('@') + 1));
  const hosted = domain ? (await db.domain.count({ where: { name: domain } })) > 0 : false;
  if (hosted) {
    const mailbox = await findDeliverableMailbox(db, address);
    return mailbox.ok ? ok({ mailbox: mailbox.value }) : mailbox;
  }
  if (!domain || !parseAddress(address)) return refuse('notFound', 'mail.errors.unknownRecipient', { address });
  if (!config.relayUrl) return refuse('invalid', 'mail.errors.outsideMailDisabled', { address });
  return ok({ mailbox: null });
}

/** Hands a message to the relay for outside recipients; the relay's refusals come back by address. */
async function relayMessage(
  config: Config,
  from: string,
  to: string[],
  raw: Buffer,
  log?: Logger,
): Promise<Result<{ relayed: string[]; rejected: string[] }>> {
  if (to.length === 0) return ok({ relayed: [], rejected: [] });
  const transport = nodemailer.createTransport({
    url: config.relayUrl,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  });
  try {
    const info = await transport.sendMail({ envelope: { from, to }, raw });
    return ok({ relayed: info.accepted.map(String), rejected: info.rejected.map(String) });
  } catch (error) {
    log?.child({ subsystem: 'mail' }).warn({ err: error, recipients: to.length }, 'relay refused a message');
    return refuse('unavailable', 'mail.errors.relayFailed');
  } finally {
    transport.close();
  }
}

/**
 * Sends a message a mail program submitted, as it is: hosted recipients get it through
 * ingestMessage, others through the relay. No copy goes to Envoyés: mail programs file their own.
 */
export async function submitMessage(
  db: Db,
  config: Config,
  sender: { mailboxId: number; address: string },
  recipients: { local: number[]; outside: string[] },
  raw: Buffer,
  log?: Logger,
): Promise<Result<{ deliveredIds: bigint[]; relayed: string[]; rejected: string[] }>> {
  const sentOut = await relayMessage(config, sender.address, recipients.outside, raw, log);
  if (!sentOut.ok) return sentOut;
  const stored = await ingestMessage(db, {
    recipients: recipients.local,
    raw,
    folder: 'inbox',
    storageLimit: config.mailboxStorageBytes,
  });
  if (!stored.ok) return stored;
  return ok({ deliveredIds: stored.value, ...sentOut.value });
}
