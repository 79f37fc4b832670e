// FETCH attributes (RFC 3501 §6.4.5) and the CONDSTORE CHANGEDSINCE modifier (RFC 7162 §3.1.4).

import type { ImapArg } from './reader.ts';

export const MAX_PART_DEPTH = 32;

export type SectionText = 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME';

/** A body section: a part path (empty for the whole message) and what of it. */
export interface Section {
  part: number[];
  text: SectionText | null;
  /** Header field names for HEADER.FIELDS[.NOT], upper-cased. */
  fields: string[];
}

export interface PartialRange {
  start: number;
  length: number;
}

export type SimpleFetchItem =
  'UID' | 'FLAGS' | 'INTERNALDATE' | 'RFC822.SIZE' | 'ENVELOPE' | 'BODY' | 'BODYSTRUCTURE' | 'MODSEQ';

export type FetchItem =
  | { type: SimpleFetchItem }
  | {
      type: 'SECTION';
      section: Section;
      partial: PartialRange | null;
      /** False for BODY.PEEK and RFC822.HEADER: fetching does not set \Seen. */
      setsSeen: boolean;
      /** The name to answer with, e.g. `BODY[HEADER.FIELDS (FROM)]<0>` or `RFC822.TEXT`. */
      responseName: string;
    };

export interface FetchRequest {
  items: FetchItem[];
  /** CHANGEDSINCE modseq, if given (it also adds MODSEQ to the items). */
  changedSince: bigint | null;
  /** True when some item sets \Seen. */
  setsSeen: boolean;
}

/** A malformed FETCH; the caller answers BAD. */
export class FetchSyntaxError extends Error {}

const MACROS: Record<string, SimpleFetchItem[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

const SIMPLE = new Set<string>([
  'UID',
  'FLAGS',
  'INTERNALDATE',
  'RFC822.SIZE',
  'ENVELOPE',
  'BODY',
  'BODYSTRUCTURE',
  'MODSEQ',
]);
const NUMBER_RE = /^(0|[1-9][0-9]{0,9})$/;
const NZ_RE = /^[1-9][0-9]{0,9}$/;
const MODSEQ_RE = /^[1-9][0-9]{0,18}$/;
const FIELD_NAME_RE = /^[\x21-\x39\x3b-\x7e]+$/;
const SECTION_ITEM_RE = /^(BODY(?:\.PEEK)?)\[([^\]]*)\](?:<([^>]*)>)?$/i;

function fail(message: string): never {
  throw new FetchSyntaxError(message);
}

function parseNumber(text: string, nonZero: boolean): number {
  if (!(nonZero ? NZ_RE : NUMBER_RE).test(text) || Number(text) > 4294967295) fail(`Invalid number: ${text}`);
  return Number(text);
}

/** Parses the bracketed section text, e.g. `1.2.HEADER.FIELDS (FROM TO)`. */
export function parseSection(text: string): Section {
  const match = /^([^ ]*)(?: \((.*)\))?$/s.exec(text);
  if (!match) fail(`Invalid section: ${text}`);
  const spec = match[1]!;
  const list = match[2];
  const words = spec === '' ? [] : spec.split('.');
  if (words.includes('')) fail(`Invalid section: ${text}`);
  const part: number[] = [];
  while (words.length > 0 && /^[0-9]+$/.test(words[0]!)) {
    part.push(parseNumber(words.shift()!, true));
    if (part.length > MAX_PART_DEPTH) fail('Section part nested too deep');
  }
  const name = words.join('.').toUpperCase();
  let sectionText: SectionText | null = null;
  if (name === 'HEADER' || name === 'TEXT' || name === 'HEADER.FIELDS' || name === 'HEADER.FIELDS.NOT') {
    sectionText = name;
  } else if (name === 'MIME' && part.length > 0) {
    sectionText = 'MIME';
  } else if (name !== '') {
    fail(`Invalid section: ${text}`);
  }
  const wantsFields = sectionText === 'HEADER.FIELDS' || sectionText === 'HEADER.FIELDS.NOT';
  if (wantsFields !== (list !== undefined)) fail(`Invalid section: ${text}`);
  const fields = list === undefined ? [] : parseFieldList(list);
  if (wantsFields && fields.length === 0) fail('Empty header field list');
  return { part, text: sectionText, fields };
}

function parseFieldList(list: string): string[] {
  const fields: string[] = [];
  for (const token of list.match(/"(?:[^"\\]|\\.)*"|[^ ]+/g) ?? []) {
    const name = token.startsWith('"') ? token.slice(1, -1).replace(/\\(.)/g, '$1') : token;
    if (!FIELD_NAME_RE.test(name)) fail(`Invalid header field name: ${name}`);
    fields.push(name.toUpperCase());
  }
  return fields;
}

/** Writes a section back the way the response names it, e.g. `1.HEADER.FIELDS (FROM TO)`. */
export function formatSection(section: Section): string {
  const words = section.part.map(String);
  if (section.text) words.push(section.text);
  const spec = words.join('.');
  return section.fields.length > 0 ? `${spec} (${section.fields.join(' ')})` : spec;
}

function sectionItem(name: string, sectionText: string, partialText: string | undefined): FetchItem {
  const section = parseSection(sectionText);
  let partial: PartialRange | null = null;
  if (partialText !== undefined) {
    const [start, length, extra] = partialText.split('.');
    if (start === undefined || length === undefined || extra !== undefined) fail(`Invalid partial: <${partialText}>`);
    partial = { start: parseNumber(start, false), length: parseNumber(length, true) };
  }
  const responseName = `BODY[${formatSection(section)}]${partial ? `<${partial.start}>` : ''}`;
  return { type: 'SECTION', section, partial, setsSeen: name === 'BODY', responseName };
}

function parseItem(text: string): FetchItem {
  const upper = text.toUpperCase();
  if (SIMPLE.has(upper)) return { type: upper as SimpleFetchItem };
  const whole: Section = { part: [], text: null, fields: [] };
  switch (upper) {
    case 'RFC822':
      return { type: 'SECTION', section: whole, partial: null, setsSeen: true, responseName: 'RFC822' };
    case 'RFC822.HEADER':
      return {
        type: 'SECTION',
        section: { ...whole, text: 'HEADER' },
        partial: null,
        setsSeen: false,
        responseName: 'RFC822.HEADER',
      };
    case 'RFC822.TEXT':
      return {
        type: 'SECTION',
        section: { ...whole, text: 'TEXT' },
        partial: null,
        setsSeen: true,
        responseName: 'RFC822.TEXT',
      };
  }
  const match = SECTION_ITEM_RE.exec(text);
  if (!match) fail(`Unknown FETCH item: ${text.slice(0, 100)}`);
  return sectionItem(match[1]!.toUpperCase(), match[2]!, match[3]);
}

function parseModifiers(arg: ImapArg): bigint {
  if (arg.kind !== 'list') fail('Invalid FETCH modifiers');
  const [name, value, ...rest] = arg.items;
  if (name?.kind !== 'atom' || name.value.toUpperCase() !== 'CHANGEDSINCE' || rest.length > 0) {
    fail('Unknown FETCH modifier');
  }
  if (value?.kind !== 'atom' || !MODSEQ_RE.test(value.value)) fail('Invalid CHANGEDSINCE value');
  const modseq = BigInt(value.value);
  if (modseq > 9223372036854775807n) fail('Invalid CHANGEDSINCE value');
  return modseq;
}

/** Parses FETCH's arguments after the sequence set: one item, a macro, or a list; then modifiers. */
export function parseFetchItems(args: ImapArg[], options: { uid?: boolean } = {}): FetchRequest {
  const [spec, modifiers, ...rest] = args;
  if (!spec || rest.length > 0) fail('FETCH needs a sequence set and items');
  let items: FetchItem[];
  if (spec.kind === 'atom' && MACROS[spec.value.toUpperCase()]) {
    items = MACROS[spec.value.toUpperCase()]!.map((type) => ({ type }));
  } else if (spec.kind === 'atom') {
    items = [parseItem(spec.value)];
  } else if (spec.kind === 'list' && spec.items.length > 0) {
    items = spec.items.map((item) => {
      if (item.kind !== 'atom') fail('Invalid FETCH item');
      return parseItem(item.value);
    });
  } else {
    fail('Invalid FETCH items');
  }
  const changedSince = modifiers ? parseModifiers(modifiers) : null;
  const has = (type: SimpleFetchItem) => items.some((item) => item.type === type);
  if (options.uid && !has('UID')) items.unshift({ type: 'UID' });
  if (changedSince !== null && !has('MODSEQ')) items.push({ type: 'MODSEQ' });
  const setsSeen = items.some((item) => item.type === 'SECTION' && item.setsSeen);
  return { items, changedSince, setsSeen };
}
