// Mailbox names on the wire: modified UTF-7 (RFC 3501 §5.1.3), or plain UTF-8 once the client has
// enabled UTF8=ACCEPT (RFC 6855 §3).

/** An invalid mailbox name; the caller answers BAD (syntax) or NO. */
export class MailboxNameError extends Error {}

const BASE64_RE = /^[A-Za-z0-9+,]+$/;
// C0 and C1 controls and DEL have no place in a mailbox name, however they are encoded.
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function printable(code: number): boolean {
  return code >= 0x20 && code <= 0x7e;
}

function encodeRun(run: string): string {
  const bytes = Buffer.from(run, 'utf16le').swap16();
  return `&${bytes.toString('base64').replace(/=+$/, '').replace(/\//g, ',')}-`;
}

/** Encodes a mailbox name in modified UTF-7. */
export function encodeMutf7(name: string): string {
  let out = '';
  let run = '';
  for (const char of name) {
    const code = char.charCodeAt(0);
    if (printable(code)) {
      if (run) out += encodeRun(run);
      run = '';
      out += char === '&' ? '&-' : char;
    } else {
      run += char;
    }
  }
  return run ? out + encodeRun(run) : out;
}

/** Decodes a modified UTF-7 name, refusing every encoding that is not the one canonical form. */
export function decodeMutf7(wire: string): string {
  let out = '';
  let i = 0;
  while (i < wire.length) {
    const code = wire.charCodeAt(i);
    if (!printable(code)) throw new MailboxNameError('Mailbox name has a character that must be encoded');
    if (code !== 0x26) {
      out += wire[i++];
      continue;
    }
    const end = wire.indexOf('-', i + 1);
    if (end === -1) throw new MailboxNameError('Mailbox name has an unterminated & shift');
    const encoded = wire.slice(i + 1, end);
    if (encoded === '') {
      out += '&';
    } else {
      if (!BASE64_RE.test(encoded)) throw new MailboxNameError('Mailbox name has invalid modified BASE64');
      const bytes = Buffer.from(encoded.replace(/,/g, '/'), 'base64');
      if (bytes.length % 2 !== 0) throw new MailboxNameError('Mailbox name has invalid modified BASE64');
      out += Buffer.from(bytes).swap16().toString('utf16le');
    }
    i = end + 1;
  }
  if (LONE_SURROGATE_RE.test(out)) throw new MailboxNameError('Mailbox name has invalid UTF-16');
  // Re-encoding catches encoded printable ASCII, split shifts, padding and stray bits.
  if (encodeMutf7(out) !== wire) throw new MailboxNameError('Mailbox name is not canonical modified UTF-7');
  if (CONTROL_RE.test(out)) throw new MailboxNameError('Mailbox name has a control character');
  return out;
}

/** The mailbox name a client sent, decoded as the session's mode wants. */
export function mailboxNameFromWire(wire: string, utf8Accept: boolean): string {
  if (!utf8Accept) return decodeMutf7(wire);
  if (CONTROL_RE.test(wire)) throw new MailboxNameError('Mailbox name has a control character');
  return wire;
}

/** A mailbox name as the session's mode sends it (the writer then quotes or makes it a literal). */
export function mailboxNameToWire(name: string, utf8Accept: boolean): string {
  return utf8Accept ? name : encodeMutf7(name);
}
