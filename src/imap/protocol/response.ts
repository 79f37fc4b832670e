// Response writer (RFC 3501 §7, §9): values become atoms, quoted strings or literals, and the
// ENVELOPE and BODYSTRUCTURE structures are written from plain objects.

/** An address as ENVELOPE carries it; a group is bracketed by (NIL NIL name NIL) and (NIL NIL NIL NIL). */
export interface Address {
  name: string | null;
  adl: string | null;
  mailbox: string | null;
  host: string | null;
}

/** ENVELOPE fields, holding the raw (not decoded) header text. */
export interface Envelope {
  date: string | null;
  subject: string | null;
  from: Address[] | null;
  sender: Address[] | null;
  replyTo: Address[] | null;
  to: Address[] | null;
  cc: Address[] | null;
  bcc: Address[] | null;
  inReplyTo: string | null;
  messageId: string | null;
}

/** Ordered parameter pairs, names upper-cased, values as sent. */
export type BodyParams = [string, string][];

export interface Disposition {
  type: string;
  params: BodyParams | null;
}

export interface BodyExtension {
  md5: string | null;
  disposition: Disposition | null;
  language: string[] | null;
  location: string | null;
}

export interface SinglePartFields extends BodyExtension {
  type: string;
  subtype: string;
  params: BodyParams | null;
  id: string | null;
  description: string | null;
  encoding: string;
  /** Octets of the body in its transfer encoding. */
  size: number;
}

export interface BasicPart extends SinglePartFields {
  kind: 'basic';
}

export interface TextPart extends SinglePartFields {
  kind: 'text';
  lines: number;
}

export interface MessagePart extends SinglePartFields {
  kind: 'message';
  envelope: Envelope;
  body: BodyStructure;
  lines: number;
}

export interface MultiPart {
  kind: 'multipart';
  parts: BodyStructure[];
  subtype: string;
  params: BodyParams | null;
  disposition: Disposition | null;
  language: string[] | null;
  location: string | null;
}

export type BodyStructure = BasicPart | TextPart | MessagePart | MultiPart;

/** An atom written as is (`FLAGS`, `\Seen`, `BODY[TEXT]<0>`). */
export class Atom {
  constructor(readonly text: string) {}
}

/** Values written one after the other with no space, as `1*body` and `1*address` want. */
export class Adjacent {
  constructor(readonly items: ImapValue[]) {}
}

/** A value as written: null is NIL, a string is quoted or a literal, a Buffer is always a literal. */
export type ImapValue = null | number | bigint | string | Buffer | Atom | Adjacent | ImapValue[];

export interface WriteOptions {
  /** UTF8=ACCEPT is enabled: 8-bit text may go in quoted strings (RFC 6855 §3). */
  utf8?: boolean;
}

/** Wraps text to be written as an atom. */
export function atom(text: string): Atom {
  return new Atom(text);
}

const MAX_QUOTED = 1024;

// Collects output pieces so literals (Buffers) are never converted to strings.
class Output {
  readonly pieces: (string | Buffer)[] = [];
  private text = '';

  add(text: string): void {
    this.text += text;
  }

  addBytes(bytes: Buffer): void {
    if (this.text) this.pieces.push(this.text);
    this.text = '';
    this.pieces.push(bytes);
  }

  toBuffer(): Buffer {
    if (this.text) this.pieces.push(this.text);
    this.text = '';
    return Buffer.concat(this.pieces.map((piece) => (typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece)));
  }
}

/** True when the text can be sent as a quoted string rather than a literal. */
export function canQuote(text: string, options: WriteOptions = {}): boolean {
  if (text.length > MAX_QUOTED) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0 || code === 0x0a || code === 0x0d) return false;
    if (code > 0x7f && !options.utf8) return false;
  }
  return true;
}

function writeString(out: Output, text: string, options: WriteOptions): void {
  if (canQuote(text, options)) {
    out.add(`"${text.replace(/[\\"]/g, '\\$&')}"`);
    return;
  }
  const bytes = Buffer.from(text, 'utf8');
  out.add(`{${bytes.length}}\r\n`);
  out.addBytes(bytes);
}

function writeValue(out: Output, value: ImapValue, options: WriteOptions): void {
  if (value === null) out.add('NIL');
  else if (typeof value === 'number' || typeof value === 'bigint') out.add(String(value));
  else if (typeof value === 'string') writeString(out, value, options);
  else if (value instanceof Atom) out.add(value.text);
  else if (value instanceof Adjacent) value.items.forEach((item) => writeValue(out, item, options));
  else if (Buffer.isBuffer(value)) {
    out.add(`{${value.length}}\r\n`);
    out.addBytes(value);
  } else {
    out.add('(');
    value.forEach((item, i) => {
      if (i > 0) out.add(' ');
      writeValue(out, item, options);
    });
    out.add(')');
  }
}

/** Serialises one value (without line ending), e.g. for tests or to embed in a larger response. */
export function formatValue(value: ImapValue, options: WriteOptions = {}): Buffer {
  const out = new Output();
  writeValue(out, value, options);
  return out.toBuffer();
}

function line(prefix: string, values: ImapValue[], options: WriteOptions): Buffer {
  const out = new Output();
  out.add(prefix);
  for (const value of values) {
    out.add(' ');
    writeValue(out, value, options);
  }
  out.add('\r\n');
  return out.toBuffer();
}

/** `* v1 v2 ...` — e.g. untaggedData([5, atom('FETCH'), [atom('UID'), 9]]) → `* 5 FETCH (UID 9)`. */
export function untaggedData(values: ImapValue[], options: WriteOptions = {}): Buffer {
  return line('*', values, options);
}

export type Status = 'OK' | 'NO' | 'BAD' | 'PREAUTH' | 'BYE';

// Human-readable text must stay on one line and cannot start with '['.
function cleanText(text: string): string {
  const clean = text.replace(/[\r\n\0]+/g, ' ').trim();
  return clean.startsWith('[') ? ` ${clean}` : clean || 'done';
}

/** `<tag> OK|NO|BAD [code] text` (code without brackets, e.g. `APPENDUID 3 12`). */
export function taggedStatus(tag: string, status: 'OK' | 'NO' | 'BAD', text: string, code?: string): Buffer {
  return Buffer.from(`${tag} ${status} ${code ? `[${code}] ` : ''}${cleanText(text)}\r\n`, 'utf8');
}

/** `* OK|NO|BAD|PREAUTH|BYE [code] text`. */
export function untaggedStatus(status: Status, text: string, code?: string): Buffer {
  return Buffer.from(`* ${status} ${code ? `[${code}] ` : ''}${cleanText(text)}\r\n`, 'utf8');
}

/** `+ text` — the continuation request, e.g. continuation('Ready for literal data'). */
export function continuation(text = 'Ready for literal data'): Buffer {
  return Buffer.from(`+ ${text.replace(/[\r\n\0]+/g, ' ')}\r\n`, 'utf8');
}

function addressList(list: Address[] | null): ImapValue {
  if (!list || list.length === 0) return null;
  return [new Adjacent(list.map((a) => [a.name, a.adl, a.mailbox, a.host]))];
}

/** The ENVELOPE value: (date subject from sender reply-to to cc bcc in-reply-to message-id). */
export function envelopeValue(envelope: Envelope): ImapValue {
  return [
    envelope.date,
    envelope.subject,
    addressList(envelope.from),
    addressList(envelope.sender),
    addressList(envelope.replyTo),
    addressList(envelope.to),
    addressList(envelope.cc),
    addressList(envelope.bcc),
    envelope.inReplyTo,
    envelope.messageId,
  ];
}

function paramsValue(params: BodyParams | null): ImapValue {
  return params && params.length > 0 ? params.flat() : null;
}

function dispositionValue(disposition: Disposition | null): ImapValue {
  return disposition ? [disposition.type, paramsValue(disposition.params)] : null;
}

function languageValue(language: string[] | null): ImapValue {
  if (!language || language.length === 0) return null;
  return language.length === 1 ? language[0]! : language;
}

/** The BODYSTRUCTURE value, or with extended false the BODY value (no extension data). */
export function bodyStructureValue(body: BodyStructure, extended = true): ImapValue {
  if (body.kind === 'multipart') {
    const parts = new Adjacent(body.parts.map((part) => bodyStructureValue(part, extended)));
    const value: ImapValue[] = [parts, body.subtype];
    if (extended) {
      value.push(
        paramsValue(body.params),
        dispositionValue(body.disposition),
        languageValue(body.language),
        body.location,
      );
    }
    return value;
  }
  const value: ImapValue[] = [
    body.type,
    body.subtype,
    paramsValue(body.params),
    body.id,
    body.description,
    body.encoding,
    body.size,
  ];
  if (body.kind === 'message') value.push(envelopeValue(body.envelope), bodyStructureValue(body.body, extended));
  if (body.kind === 'message' || body.kind === 'text') value.push(body.lines);
  if (extended) value.push(body.md5, dispositionValue(body.disposition), languageValue(body.language), body.location);
  return value;
}
