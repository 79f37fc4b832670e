import { readMessage } from './mime.ts';

// Drafting a reply or a forward from a stored message: what the new message's fields start as.

/** The stored message a reply or forward starts from. */
export interface Original {
  id: bigint;
  folder: { specialUse: string | null };
  subject: string;
  size: number;
  sentAt: Date | null;
  receivedAt: Date;
  messageIdHeader: string | null;
  raw: Buffer;
}

/** The fields of a draft. */
export interface Draft {
  to: string;
  cc: string;
  subject: string;
  text: string;
}

const REPLY_PREFIX = /^re\s*:/i;
const FORWARD_PREFIX = /^(tr|fwd?)\s*:/i;

/** The subject with prefix in front, unless it already starts with one of that kind. */
function prefixed(subject: string, prefix: string, already: RegExp): string {
  return already.test(subject.trim()) ? subject : `${prefix} ${subject}`;
}

/** Text quoted the way mail programs quote it: `> ` before every line. */
export function quote(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => (line ? `> ${line}` : '>'))
    .join('\n');
}

/** A file name for a forwarded message: its subject without characters file systems dislike. */
export function forwardedFileName(subject: string): string {
  const name = subject
    .replace(/[\p{Cc}\p{Cf}/\\:*?"<>|]/gu, '')
    .trim()
    .slice(0, 80);
  return `${name || 'message'}.eml`;
}

/**
 * A reply: to the Reply-To (else the sender; for one's own sent message, its recipients again),
 * `Re:` once, and the original's text quoted under a line saying who wrote it and when.
 */
export async function draftReply(original: Original, introduce: (from: string, date: Date) => string): Promise<Draft> {
  const parsed = await readMessage(original.raw);
  const to =
    original.folder.specialUse === 'sent'
      ? parsed.toAddresses
      : parsed.replyTo.length > 0
        ? parsed.replyTo
        : [parsed.fromAddress].filter(Boolean);
  const intro = introduce(parsed.from || parsed.fromAddress, original.sentAt ?? original.receivedAt);
  return {
    to: to.join(', '),
    cc: '',
    subject: prefixed(parsed.subject, 'Re:', REPLY_PREFIX),
    text: `\n\n${intro}\n${quote(parsed.text)}\n`,
  };
}

/** A forward: the subject with the language's prefix; the original travels whole as an attachment. */
export function draftForward(original: Original, prefix: string): Draft {
  return { to: '', cc: '', subject: prefixed(original.subject, prefix, FORWARD_PREFIX), text: '' };
}

/** The threading headers of a reply: In-Reply-To the original, References its chain and it. */
export async function threadingOf(original: Original): Promise<{ inReplyTo?: string; references?: string[] }> {
  if (!original.messageIdHeader) return {};
  const parsed = await readMessage(original.raw);
  return { inReplyTo: original.messageIdHeader, references: [...parsed.references, original.messageIdHeader] };
}

/** The original attached to a forward, as message/rfc822. */
export function forwardedAttachment(original: Original) {
  return { filename: forwardedFileName(original.subject), contentType: 'message/rfc822', content: original.raw };
}
