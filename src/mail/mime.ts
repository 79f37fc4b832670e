import { simpleParser, type AddressObject, type EmailAddress, type ParsedMail } from 'mailparser';

export interface AttachmentInfo {
  /** Position among the message's attachments: what readAttachment takes. */
  index: number;
  filename: string;
  contentType: string;
  size: number;
}

/** A message decoded for reading: header texts, bodies, attachment list. */
export interface ReadMessage {
  /** `Name <address>` as the From header gives it ('' when absent). */
  from: string;
  fromName: string;
  fromAddress: string;
  /** Every address of the From header (a message may name several authors). */
  fromAddresses: string[];
  replyTo: string[];
  to: string;
  cc: string;
  toAddresses: string[];
  ccAddresses: string[];
  subject: string;
  date: Date | undefined;
  messageId: string | undefined;
  references: string[];
  text: string;
  /** The HTML body as sent: unsafe, pass it through sanitizeMessageHtml before showing it. */
  html: string | undefined;
  /** The message's language from Content-Language (its first tag), when that is valid BCP 47. */
  language: string | undefined;
  attachments: AttachmentInfo[];
}

const PARSER_OPTIONS = {
  keepCidLinks: true, // cid: images are not inlined as data: URLs; the sanitiser drops them
  skipTextToHtml: true,
  skipTextLinks: true,
  checksumAlgo: false,
  maxHtmlLengthToParse: 2 * 1024 * 1024,
} as const;

// PostgreSQL text cannot hold NUL, and header values past these lengths are abuse, not mail.
const clean = (value: string | undefined, max: number) =>
  // eslint-disable-next-line no-control-regex
  (value ?? '').replace(/\u0000/g, '').slice(0, max);

function addressList(field: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  const flat = (list: EmailAddress[]): EmailAddress[] => list.flatMap((a) => (a.group ? flat(a.group) : [a]));
  return (Array.isArray(field) ? field : field ? [field] : []).flatMap((f) => flat(f.value));
}

const addressText = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field : field ? [field] : []).map((f) => f.text).join(', ');

/** A file name safe to offer for download: no path, no control characters, never empty. */
function safeFilename(name: string | undefined, index: number): string {
  const base = (name ?? '')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .split(/[/\\]/)
    .pop()!
    .trim()
    .slice(0, 200);
  return base && base !== '.' && base !== '..' ? base : `attachment-${index + 1}`;
}

/**
 * The first language of a Content-Language header (RFC 3282: a list, with comments) when it is a
 * well-formed BCP 47 tag, in canonical case (`fr`, `en-CA`); undefined otherwise.
 */
export function contentLanguage(value: unknown): string | undefined {
  const header = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof header !== 'string') return undefined;
  const tag = header
    .replace(/\([^)]*\)/g, '')
    .split(',')[0]!
    .trim();
  if (tag.length > 35 || !/^[a-z]{2,8}(?:-[a-z0-9]{1,8})*$/i.test(tag)) return undefined;
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined; // well-formed characters, not a well-formed tag (`en-`, `fr-a`)
  }
}

async function parse(raw: Buffer): Promise<ParsedMail | null> {
  try {
    return await simpleParser(raw, PARSER_OPTIONS);
  } catch {
    return null; // a message too broken to parse is still shown, as its raw text
  }
}

/** Decodes a stored message: headers (RFC 2047), bodies (any charset and transfer encoding), attachments. */
export async function readMessage(raw: Buffer): Promise<ReadMessage> {
  const mail = await parse(raw);
  if (!mail) {
    return {
      ...{ from: '', fromName: '', fromAddress: '', fromAddresses: [], replyTo: [], to: '', cc: '' },
      ...{ toAddresses: [], ccAddresses: [] },
      ...{ subject: '', date: undefined, messageId: undefined, references: [], html: undefined, attachments: [] },
      language: undefined,
      text: raw.toString('latin1'),
    };
  }
  const from = addressList(mail.from)[0];
  const date = mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : undefined;
  return {
    from: clean(mail.from?.text, 500),
    fromName: clean(from?.name, 300),
    fromAddress: clean(from?.address, 320),
    fromAddresses: addressList(mail.from).flatMap((a) => (a.address ? [a.address] : [])),
    replyTo: addressList(mail.replyTo).flatMap((a) => (a.address ? [a.address] : [])),
    to: clean(addressText(mail.to), 4000),
    cc: clean(addressText(mail.cc), 4000),
    toAddresses: addressList(mail.to).flatMap((a) => (a.address ? [a.address] : [])),
    ccAddresses: addressList(mail.cc).flatMap((a) => (a.address ? [a.address] : [])),
    subject: clean(mail.subject, 1000),
    date,
    messageId: mail.messageId ? clean(mail.messageId, 998) : undefined,
    references: typeof mail.references === 'string' ? [mail.references] : (mail.references ?? []),
    text: mail.text ?? '',
    html: mail.html || undefined,
    language: contentLanguage(mail.headers.get('content-language')),
    attachments: mail.attachments.map((a, index) => ({
      index,
      filename: safeFilename(a.filename, index),
      contentType: clean(a.contentType, 200),
      size: a.size,
    })),
  };
}

/** One attachment of a stored message by its index in readMessage's list, or null when there is none. */
export async function readAttachment(
  raw: Buffer,
  index: number,
): Promise<{ filename: string; contentType: string; content: Buffer } | null> {
  const attachment = (await parse(raw))?.attachments[index];
  if (!attachment) return null;
  return {
    filename: safeFilename(attachment.filename, index),
    contentType: attachment.contentType,
    content: attachment.content,
  };
}
