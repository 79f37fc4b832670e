// ENVELOPE from header fields (RFC 3501 §7.4.2). Values stay as raw header text: encoded words
// are the client's to decode.

import type { Address, Envelope } from './response.ts';

/** A header field: lower-cased name, unfolded raw value. */
export interface HeaderValue {
  name: string;
  value: string;
}

type Token =
  | { type: 'word'; raw: string; text: string }
  | { type: 'comment'; text: string }
  | { type: 'angle'; text: string }
  | { type: 'special'; text: ',' | ':' | ';' };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (c === ',' || c === ':' || c === ';') {
      tokens.push({ type: 'special', text: c });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < input.length && input[j] !== '"') {
        if (input[j] === '\\' && j + 1 < input.length) j++;
        text += input[j];
        j++;
      }
      tokens.push({ type: 'word', raw: input.slice(i, j + 1), text });
      i = j + 1;
    } else if (c === '(') {
      let depth = 0;
      let j = i;
      for (; j < input.length; j++) {
        if (input[j] === '\\') j++;
        else if (input[j] === '(') depth++;
        else if (input[j] === ')' && --depth === 0) break;
      }
      tokens.push({ type: 'comment', text: input.slice(i + 1, j).trim() });
      i = j + 1;
    } else if (c === '<') {
      const end = input.indexOf('>', i);
      const stop = end === -1 ? input.length : end;
      tokens.push({ type: 'angle', text: input.slice(i + 1, stop).trim() });
      i = stop + 1;
    } else {
      let j = i;
      while (j < input.length && !' \t\r\n,:;"(<'.includes(input[j]!)) j++;
      tokens.push({ type: 'word', raw: input.slice(i, j), text: input.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

function splitAddress(spec: string, name: string | null): Address {
  let adl: string | null = null;
  let rest = spec;
  // An obsolete source route: <@a,@b:user@host>.
  const route = /^(@[^:]*):(.*)$/.exec(spec);
  if (route) {
    adl = route[1]!;
    rest = route[2]!;
  }
  const at = rest.lastIndexOf('@');
  const mailbox = at === -1 ? rest : rest.slice(0, at);
  const host = at === -1 ? '' : rest.slice(at + 1);
  return { name, adl, mailbox, host };
}

function mailbox(tokens: Token[]): Address | null {
  if (tokens.length === 0) return null;
  const angle = tokens.find((t) => t.type === 'angle');
  const words = (list: Token[]) =>
    list
      .filter((t) => t.type === 'word')
      .map((t) => t.text)
      .join(' ');
  if (angle) {
    const phrase = words(tokens.slice(0, tokens.indexOf(angle)));
    return splitAddress(angle.text, phrase || null);
  }
  const spec = tokens
    .filter((t) => t.type === 'word')
    .map((t) => (t.type === 'word' ? t.raw : ''))
    .join('');
  if (!spec) return null;
  const comment = tokens.find((t) => t.type === 'comment');
  return splitAddress(spec, comment?.text || null);
}

/** Parses an address-list header value into ENVELOPE addresses, with group markers. */
export function parseAddressList(value: string): Address[] {
  const result: Address[] = [];
  let current: Token[] = [];
  let inGroup = false;
  const flush = () => {
    const address = mailbox(current);
    if (address) result.push(address);
    current = [];
  };
  for (const token of tokenize(value)) {
    if (token.type === 'special' && token.text === ':' && !inGroup && !current.some((t) => t.type === 'angle')) {
      const name = current
        .filter((t) => t.type === 'word')
        .map((t) => t.text)
        .join(' ');
      result.push({ name: null, adl: null, mailbox: name, host: null });
      current = [];
      inGroup = true;
    } else if (token.type === 'special' && token.text === ';' && inGroup) {
      flush();
      result.push({ name: null, adl: null, mailbox: null, host: null });
      inGroup = false;
    } else if (token.type === 'special' && token.text === ',') {
      flush();
    } else if (token.type !== 'special') {
      current.push(token);
    }
  }
  flush();
  if (inGroup) result.push({ name: null, adl: null, mailbox: null, host: null });
  return result;
}

/** Builds the ENVELOPE from a message's header fields (first occurrence of each wins). */
export function buildEnvelope(headers: readonly HeaderValue[]): Envelope {
  const text = (name: string): string | null => {
    const value = headers.find((h) => h.name === name)?.value.trim();
    return value ? value : null;
  };
  const addresses = (name: string): Address[] | null => {
    const value = text(name);
    const list = value ? parseAddressList(value) : [];
    return list.length > 0 ? list : null;
  };
  const from = addresses('from');
  return {
    date: text('date'),
    subject: text('subject'),
    from,
    // RFC 3501: an absent or empty Sender or Reply-To is the From value.
    sender: addresses('sender') ?? from,
    replyTo: addresses('reply-to') ?? from,
    to: addresses('to'),
    cc: addresses('cc'),
    bcc: addresses('bcc'),
    inReplyTo: text('in-reply-to'),
    messageId: text('message-id'),
  };
}
