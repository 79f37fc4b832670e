// MIME part splitter for BODYSTRUCTURE and section fetches (RFC 3501 §6.4.5, RFC 2045/2046).
// It only finds byte ranges; nothing is decoded. Malformed mail still yields a tree: a header
// without a blank line ends at the first line that is not a header field, a multipart without
// boundaries becomes one text/plain part, an unclosed multipart ends where its parent ends.

import { buildEnvelope, type HeaderValue } from './envelope.ts';
import type { PartialRange, Section } from './fetch-items.ts';
import type { BodyParams, BodyStructure, Disposition, Envelope } from './response.ts';

export interface HeaderField extends HeaderValue {
  /** Byte range of the whole field, continuation lines and line ending included. */
  start: number;
  end: number;
}

export interface MimePart {
  /** The header is [headerStart, bodyStart) with its blank line; the body is [bodyStart, end). */
  headerStart: number;
  bodyStart: number;
  end: number;
  /** True when a blank line ended the header. */
  blankLine: boolean;
  headers: HeaderField[];
  /** Lower-cased media type and subtype. */
  type: string;
  subtype: string;
  params: BodyParams;
  children: MimePart[];
  /** For message/rfc822: the enclosed message. */
  message: MimePart | null;
}

export interface MimeLimits {
  /** Multiparts and enclosed messages nested deeper are treated as opaque parts. */
  maxDepth: number;
  /** Parts beyond this count are not split out (the last part found runs on). */
  maxParts: number;
}

const DEFAULT_MIME_LIMITS: MimeLimits = { maxDepth: 32, maxParts: 10_000 };
const LF = 0x0a;
const CR = 0x0d;
const FIELD_RE = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:/;
const TOKEN_RE = /^[!#$%&'*+\-.^_`{|}~0-9A-Za-z]+$/;

function decodeText(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return text.includes('\ufffd') ? bytes.toString('latin1') : text;
}

function lineEnd(raw: Buffer, from: number, end: number): number {
  const lf = raw.indexOf(LF, from);
  return lf === -1 || lf >= end ? end : lf + 1;
}

function isBlank(raw: Buffer, start: number, stop: number): boolean {
  const length = stop - start;
  return (length === 1 && raw[start] === LF) || (length === 2 && raw[start] === CR && raw[start + 1] === LF);
}

interface ParsedHeader {
  fields: HeaderField[];
  bodyStart: number;
  blank: boolean;
}

function parseHeader(raw: Buffer, start: number, end: number): ParsedHeader {
  const parsed = scanHeader(raw, start, end);
  for (const field of parsed.fields) field.value = fieldValue(raw, field);
  return parsed;
}

function scanHeader(raw: Buffer, start: number, end: number): ParsedHeader {
  const fields: HeaderField[] = [];
  let pos = start;
  while (pos < end) {
    const stop = lineEnd(raw, pos, end);
    if (isBlank(raw, pos, stop)) return { fields, bodyStart: stop, blank: true };
    const first = raw[pos];
    const last = fields[fields.length - 1];
    if ((first === 0x20 || first === 0x09) && last) {
      last.end = stop;
    } else {
      const match = FIELD_RE.exec(raw.subarray(pos, Math.min(stop, pos + 200)).toString('latin1'));
      if (!match) return { fields, bodyStart: pos, blank: false };
      fields.push({ name: match[1]!.toLowerCase(), value: '', start: pos, end: stop });
    }
    pos = stop;
  }
  return { fields, bodyStart: end, blank: false };
}

function fieldValue(raw: Buffer, field: HeaderField): string {
  const text = decodeText(raw.subarray(field.start, field.end));
  return text
    .slice(text.indexOf(':') + 1)
    .replace(/\r?\n(?=[ \t])/g, '')
    .replace(/\r?\n$/, '')
    .trim();
}

/** Splits a structured header value into its main value and parameters (names upper-cased). */
export function parseParams(value: string): { value: string; params: BodyParams } {
  const params: BodyParams = [];
  const semicolon = value.indexOf(';');
  const main = (semicolon === -1 ? value : value.slice(0, semicolon)).trim();
  let i = semicolon === -1 ? value.length : semicolon + 1;
  while (i < value.length) {
    const eq = value.indexOf('=', i);
    if (eq === -1) break;
    const name = value.slice(i, eq).trim();
    let j = eq + 1;
    while (value[j] === ' ' || value[j] === '\t') j++;
    let paramValue = '';
    if (value[j] === '"') {
      j++;
      while (j < value.length && value[j] !== '"') {
        if (value[j] === '\\' && j + 1 < value.length) j++;
        paramValue += value[j];
        j++;
      }
      j = value.indexOf(';', j);
    } else {
      const stop = value.indexOf(';', j);
      paramValue = value.slice(j, stop === -1 ? value.length : stop).trim();
      j = stop;
    }
    if (TOKEN_RE.test(name)) params.push([name.toUpperCase(), paramValue]);
    if (j === -1) break;
    i = j + 1;
  }
  return { value: main, params };
}

function header(part: MimePart, name: string): string | null {
  return part.headers.find((h) => h.name === name)?.value || null;
}

// Finds delimiter lines "--boundary" (or the close "--boundary--") inside [start, end).
function findParts(raw: Buffer, boundary: string, start: number, end: number, room: number): [number, number][] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const ranges: [number, number][] = [];
  let partStart = -1;
  let pos = start;
  while (pos < end) {
    const at = raw.indexOf(delimiter, pos);
    if (at === -1 || at + delimiter.length > end) break;
    const stop = lineEnd(raw, at, end);
    pos = at + delimiter.length;
    if (at !== start && raw[at - 1] !== LF) continue;
    const rest = raw.subarray(at + delimiter.length, stop).toString('latin1');
    const close = rest.startsWith('--');
    if (!/^[ \t]*\r?\n?$/.test(close ? rest.slice(2) : rest)) continue;
    if (partStart !== -1) {
      // The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
      let partEnd = at;
      if (partEnd > partStart && raw[partEnd - 1] === LF) partEnd--;
      if (partEnd > partStart && raw[partEnd - 1] === CR) partEnd--;
      ranges.push([partStart, partEnd]);
      if (ranges.length >= room) return ranges;
    }
    if (close) return ranges;
    partStart = stop;
    pos = stop;
  }
  if (partStart !== -1) ranges.push([partStart, end]);
  return ranges;
}

class Splitter {
  private count = 0;

  constructor(
    private readonly raw: Buffer,
    private readonly limits: MimeLimits,
  ) {}

  part(start: number, end: number, depth: number, digest: boolean): MimePart {
    this.count++;
    const { fields, bodyStart, blank } = parseHeader(this.raw, start, end);
    const part: MimePart = {
      headerStart: start,
      bodyStart,
      end,
      blankLine: blank,
      headers: fields,
      type: digest ? 'message' : 'text',
      subtype: digest ? 'rfc822' : 'plain',
      params: digest ? [] : [['CHARSET', 'us-ascii']],
      children: [],
      message: null,
    };
    const contentType = header(part, 'content-type');
    if (contentType) {
      const { value, params } = parseParams(contentType);
      const [type, subtype, extra] = value.toLowerCase().split('/');
      if (type && subtype && extra === undefined && TOKEN_RE.test(type) && TOKEN_RE.test(subtype)) {
        part.type = type;
        part.subtype = subtype;
        part.params = params;
      }
    }
    const enclosing = part.type === 'message' && part.subtype === 'rfc822';
    // body-type-msg needs an envelope, so an enclosed message we cannot read is shown as opaque.
    if (
      (depth >= this.limits.maxDepth && (part.type === 'multipart' || enclosing)) ||
      (enclosing && !this.isIdentity(part))
    ) {
      part.type = 'application';
      part.subtype = 'octet-stream';
      part.params = [];
    } else if (part.type === 'multipart') {
      this.splitMultipart(part, depth);
    } else if (enclosing) {
      part.message = this.part(part.bodyStart, end, depth + 1, false);
    }
    return part;
  }

  private isIdentity(part: MimePart): boolean {
    const encoding = (header(part, 'content-transfer-encoding') ?? '7bit').toLowerCase();
    return encoding === '7bit' || encoding === '8bit' || encoding === 'binary';
  }

  private splitMultipart(part: MimePart, depth: number): void {
    const boundary = part.params.find(([name]) => name === 'BOUNDARY')?.[1];
    const room = Math.max(1, this.limits.maxParts - this.count);
    const ranges = boundary ? findParts(this.raw, boundary, part.bodyStart, part.end, room) : [];
    const digest = part.subtype === 'digest';
    for (const [start, stop] of ranges) part.children.push(this.part(start, stop, depth + 1, digest));
    if (part.children.length === 0) {
      // Without parts the grammar cannot describe it; the body is shown as one plain part.
      this.count++;
      part.children.push({
        headerStart: part.bodyStart,
        bodyStart: part.bodyStart,
        end: part.end,
        blankLine: false,
        headers: [],
        type: 'text',
        subtype: 'plain',
        params: [['CHARSET', 'us-ascii']],
        children: [],
        message: null,
      });
    }
  }
}

/** Splits a raw RFC 5322 message into its MIME part tree (the root is the message itself). */
export function parseMimeTree(raw: Buffer, limits: MimeLimits = DEFAULT_MIME_LIMITS): MimePart {
  return new Splitter(raw, limits).part(0, raw.length, 0, false);
}

function countLines(raw: Buffer, start: number, end: number): number {
  let lines = 0;
  for (let pos = raw.indexOf(LF, start); pos !== -1 && pos < end; pos = raw.indexOf(LF, pos + 1)) lines++;
  return end > start && raw[end - 1] !== LF ? lines + 1 : lines;
}

function disposition(part: MimePart): Disposition | null {
  const value = header(part, 'content-disposition');
  if (!value) return null;
  const parsed = parseParams(value);
  if (!TOKEN_RE.test(parsed.value)) return null;
  return { type: parsed.value.toUpperCase(), params: parsed.params.length > 0 ? parsed.params : null };
}

function language(part: MimePart): string[] | null {
  const value = header(part, 'content-language');
  const tags = value
    ?.split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
  return tags && tags.length > 0 ? tags : null;
}

/** Describes a part (the root for the whole message) as a BODYSTRUCTURE tree. */
export function bodyStructureOf(part: MimePart, raw: Buffer): BodyStructure {
  const extension = {
    disposition: disposition(part),
    language: language(part),
    location: header(part, 'content-location'),
  };
  if (part.type === 'multipart') {
    return {
      kind: 'multipart',
      parts: part.children.map((child) => bodyStructureOf(child, raw)),
      subtype: part.subtype.toUpperCase(),
      params: part.params.length > 0 ? part.params : null,
      ...extension,
    };
  }
  const fields = {
    type: part.type.toUpperCase(),
    subtype: part.subtype.toUpperCase(),
    params: part.params.length > 0 ? part.params : null,
    id: header(part, 'content-id'),
    description: header(part, 'content-description'),
    encoding: (header(part, 'content-transfer-encoding') ?? '7bit').toUpperCase(),
    size: part.end - part.bodyStart,
    md5: header(part, 'content-md5'),
    ...extension,
  };
  if (part.message) {
    const message = part.message;
    return {
      kind: 'message',
      ...fields,
      envelope: buildEnvelope(message.headers),
      body: bodyStructureOf(message, raw),
      lines: countLines(raw, part.bodyStart, part.end),
    };
  }
  if (part.type === 'text') return { kind: 'text', ...fields, lines: countLines(raw, part.bodyStart, part.end) };
  return { kind: 'basic', ...fields };
}

/** The ENVELOPE of a message (or enclosed message) part. */
export function envelopeOf(part: MimePart): Envelope {
  return buildEnvelope(part.headers);
}

/** Builds the part tree and BODYSTRUCTURE of a raw message in one call. */
export function describeMessage(raw: Buffer, limits?: MimeLimits) {
  const tree = parseMimeTree(raw, limits);
  return { tree, bodyStructure: bodyStructureOf(tree, raw), envelope: envelopeOf(tree) };
}

// Part n of a message: its multipart children, or for a single-part message the body as part 1.
function partOfMessage(message: MimePart, n: number): MimePart | null {
  if (message.type === 'multipart') return message.children[n - 1] ?? null;
  return n === 1 ? message : null;
}

/** Finds the part a section path names (RFC 3501 §6.4.5 part numbering), or null. */
export function findPart(root: MimePart, path: readonly number[]): MimePart | null {
  let node: MimePart | null = null;
  for (const n of path) {
    if (node === null) node = partOfMessage(root, n);
    else if (node.type === 'multipart') node = node.children[n - 1] ?? null;
    else if (node.message) node = partOfMessage(node.message, n);
    else node = null;
    if (node === null) return null;
  }
  return node ?? root;
}

function headerFields(raw: Buffer, message: MimePart, names: readonly string[], not: boolean): Buffer {
  const wanted = new Set(names.map((name) => name.toLowerCase()));
  const pieces = message.headers
    .filter((field) => wanted.has(field.name) !== not)
    .map((field) => raw.subarray(field.start, field.end));
  if (message.blankLine) pieces.push(Buffer.from('\r\n'));
  return Buffer.concat(pieces);
}

/** The bytes of a FETCH section (with an optional <start.length> partial), or null if it does not exist. */
export function extractSection(
  raw: Buffer,
  root: MimePart,
  section: Section,
  partial: PartialRange | null = null,
): Buffer | null {
  const bytes = sectionBytes(raw, root, section);
  if (bytes === null || partial === null) return bytes;
  return bytes.subarray(Math.min(partial.start, bytes.length), Math.min(partial.start + partial.length, bytes.length));
}

function sectionBytes(raw: Buffer, root: MimePart, section: Section): Buffer | null {
  const node = findPart(root, section.part);
  if (node === null) return null;
  if (section.text === null) return section.part.length === 0 ? raw : raw.subarray(node.bodyStart, node.end);
  if (section.text === 'MIME') return raw.subarray(node.headerStart, node.bodyStart);
  const message = section.part.length === 0 ? root : node.message;
  if (message === null) return null;
  switch (section.text) {
    case 'HEADER':
      return raw.subarray(message.headerStart, message.bodyStart);
    case 'TEXT':
      return raw.subarray(message.bodyStart, message.end);
    case 'HEADER.FIELDS':
      return headerFields(raw, message, section.fields, false);
    case 'HEADER.FIELDS.NOT':
      return headerFields(raw, message, section.fields, true);
  }
}
