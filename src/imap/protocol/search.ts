// SEARCH criteria (RFC 3501 §6.4.4) parsed into a tree; MODSEQ from RFC 7162 §3.1.5.

import { normalizeFlag } from './flags.ts';
import type { ImapArg } from './reader.ts';
import { parseSequenceSet, SequenceSetError, type SequenceSet } from './sequence-set.ts';

export const MAX_SEARCH_DEPTH = 32;

/** A calendar day; IMAP date comparisons ignore time and zone. */
export interface SearchDate {
  year: number;
  month: number;
  day: number;
}

export type SearchKey =
  | { type: 'all' }
  | { type: 'and'; keys: SearchKey[] }
  | { type: 'or'; left: SearchKey; right: SearchKey }
  | { type: 'not'; key: SearchKey }
  /** A system flag (`\Recent` included) or keyword, wanted set or unset. */
  | { type: 'flag'; flag: string; set: boolean }
  /** FROM, TO, CC, BCC and SUBJECT are header searches too; field is lower-cased. */
  | { type: 'header'; field: string; value: string }
  | { type: 'body'; value: string }
  | { type: 'text'; value: string }
  | { type: 'date'; field: 'internal' | 'sent'; op: 'before' | 'on' | 'since'; date: SearchDate }
  | { type: 'size'; op: 'larger' | 'smaller'; size: number }
  | { type: 'sequence'; set: SequenceSet }
  | { type: 'uid'; set: SequenceSet }
  | { type: 'modseq'; modseq: bigint; entry: { name: string; kind: 'priv' | 'shared' | 'all' } | null };

export interface SearchRequest {
  /** Upper-cased CHARSET, UTF-8 when none was given. */
  charset: string;
  key: SearchKey;
  /** True when MODSEQ was used: the response then ends with (MODSEQ n) (RFC 7162). */
  usesModseq: boolean;
}

/** A SEARCH the caller refuses: BADCHARSET becomes `NO [BADCHARSET (UTF-8 US-ASCII)]`, BAD a BAD. */
export class SearchError extends Error {
  constructor(
    readonly code: 'BAD' | 'BADCHARSET',
    message: string,
  ) {
    super(message);
  }
}

export const SEARCH_CHARSETS = ['UTF-8', 'US-ASCII'];

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DATE_RE = /^([0-9]{1,2})-([A-Za-z]{3})-([0-9]{4})$/;
const NUMBER_RE = /^[0-9]{1,10}$/;
const MODSEQ_RE = /^[0-9]{1,19}$/;

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  SEEN: ['\\Seen', true],
  RECENT: ['\\Recent', true],
  OLD: ['\\Recent', false],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
};
const HEADER_KEYS = new Set(['FROM', 'TO', 'CC', 'BCC', 'SUBJECT']);
const DATE_KEYS: Record<string, ['internal' | 'sent', 'before' | 'on' | 'since']> = {
  BEFORE: ['internal', 'before'],
  ON: ['internal', 'on'],
  SINCE: ['internal', 'since'],
  SENTBEFORE: ['sent', 'before'],
  SENTON: ['sent', 'on'],
  SENTSINCE: ['sent', 'since'],
};

function bad(message: string): never {
  throw new SearchError('BAD', message);
}

/** Parses an IMAP date (`d-Mon-yyyy`), refusing days that do not exist. */
export function parseImapDate(text: string): SearchDate {
  const match = DATE_RE.exec(text);
  const month = match ? MONTHS.indexOf(match[2]!.toUpperCase()) + 1 : 0;
  if (!match || month === 0) bad(`Invalid date: ${text.slice(0, 30)}`);
  const year = Number(match[3]);
  const day = Number(match[1]);
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > last) bad(`Invalid date: ${text}`);
  return { year, month, day };
}

class SearchParser {
  private pos = 0;
  usesModseq = false;

  constructor(private readonly args: ImapArg[]) {}

  done(): boolean {
    return this.pos >= this.args.length;
  }

  private take(what: string): ImapArg {
    const arg = this.args[this.pos++];
    if (!arg) bad(`SEARCH key is missing its ${what}`);
    return arg;
  }

  string(what: string): string {
    const arg = this.take(what);
    if (arg.kind === 'list') bad(`SEARCH ${what} must be a string`);
    return arg.kind === 'literal' ? arg.value.toString('utf8') : arg.value;
  }

  private atom(what: string): string {
    const arg = this.take(what);
    if (arg.kind !== 'atom') bad(`SEARCH ${what} must be an atom`);
    return arg.value;
  }

  private number(): number {
    const text = this.atom('number');
    if (!NUMBER_RE.test(text) || Number(text) > 4294967295) bad(`Invalid number: ${text}`);
    return Number(text);
  }

  private set(text: string): SequenceSet {
    try {
      return parseSequenceSet(text);
    } catch (error) {
      if (error instanceof SequenceSetError) bad(error.message);
      throw error;
    }
  }

  key(depth: number): SearchKey {
    if (depth > MAX_SEARCH_DEPTH) bad('SEARCH nested too deep');
    const arg = this.take('key');
    if (arg.kind === 'list') {
      const inner = new SearchParser(arg.items);
      const keys: SearchKey[] = [];
      while (!inner.done()) keys.push(inner.key(depth + 1));
      this.usesModseq ||= inner.usesModseq;
      if (keys.length === 0) bad('Empty SEARCH group');
      return keys.length === 1 ? keys[0]! : { type: 'and', keys };
    }
    if (arg.kind !== 'atom') bad('SEARCH key must be an atom');
    const name = arg.value.toUpperCase();
    const flag = FLAG_KEYS[name];
    if (flag) return { type: 'flag', flag: flag[0], set: flag[1] };
    const date = DATE_KEYS[name];
    if (date) return { type: 'date', field: date[0], op: date[1], date: parseImapDate(this.string('date')) };
    if (HEADER_KEYS.has(name)) return { type: 'header', field: name.toLowerCase(), value: this.string('string') };
    switch (name) {
      case 'ALL':
        return { type: 'all' };
      case 'NEW':
        return {
          type: 'and',
          keys: [
            { type: 'flag', flag: '\\Recent', set: true },
            { type: 'flag', flag: '\\Seen', set: false },
          ],
        };
      case 'BODY':
        return { type: 'body', value: this.string('string') };
      case 'TEXT':
        return { type: 'text', value: this.string('string') };
      case 'HEADER': {
        const field = this.string('field name');
        if (!/^[\x21-\x39\x3b-\x7e]+$/.test(field)) bad('Invalid header field name');
        return { type: 'header', field: field.toLowerCase(), value: this.string('string') };
      }
      case 'KEYWORD':
      case 'UNKEYWORD':
        return { type: 'flag', flag: this.keyword(), set: name === 'KEYWORD' };
      case 'LARGER':
      case 'SMALLER':
        return { type: 'size', op: name === 'LARGER' ? 'larger' : 'smaller', size: this.number() };
      case 'NOT':
        return { type: 'not', key: this.key(depth + 1) };
      case 'OR': {
        const left = this.key(depth + 1);
        return { type: 'or', left, right: this.key(depth + 1) };
      }
      case 'UID':
        return { type: 'uid', set: this.set(this.atom('UID set')) };
      case 'MODSEQ':
        return this.modseq();
    }
    if (/^[0-9*]/.test(name)) return { type: 'sequence', set: this.set(arg.value) };
    bad(`Unknown SEARCH key: ${arg.value.slice(0, 50)}`);
  }

  private keyword(): string {
    const keyword = this.atom('keyword');
    if (keyword.startsWith('\\')) bad('KEYWORD takes a keyword, not a system flag');
    try {
      return normalizeFlag(keyword);
    } catch {
      bad(`Invalid keyword: ${keyword.slice(0, 50)}`);
    }
  }

  private modseq(): SearchKey {
    this.usesModseq = true;
    let entry: { name: string; kind: 'priv' | 'shared' | 'all' } | null = null;
    if (this.args[this.pos]?.kind === 'string') {
      const name = this.string('entry name');
      const kind = this.atom('entry type').toLowerCase();
      if (kind !== 'priv' && kind !== 'shared' && kind !== 'all') bad('Invalid MODSEQ entry type');
      entry = { name, kind };
    }
    const value = this.atom('mod-sequence');
    if (!MODSEQ_RE.test(value) || BigInt(value) > 9223372036854775807n) bad('Invalid MODSEQ value');
    return { type: 'modseq', modseq: BigInt(value), entry };
  }
}

/** Parses SEARCH's arguments (after SEARCH or UID SEARCH) into a criteria tree. */
export function parseSearch(args: ImapArg[]): SearchRequest {
  let rest = args;
  let charset = 'UTF-8';
  const first = rest[0];
  if (first?.kind === 'atom' && first.value.toUpperCase() === 'CHARSET') {
    const value = rest[1];
    if (!value || value.kind === 'list') bad('CHARSET needs a name');
    charset = (value.kind === 'literal' ? value.value.toString('latin1') : value.value).toUpperCase();
    if (!SEARCH_CHARSETS.includes(charset)) throw new SearchError('BADCHARSET', `Unsupported charset ${charset}`);
    rest = rest.slice(2);
  }
  const parser = new SearchParser(rest);
  const keys: SearchKey[] = [];
  while (!parser.done()) keys.push(parser.key(0));
  if (keys.length === 0) bad('SEARCH needs criteria');
  const key = keys.length === 1 ? keys[0]! : { type: 'and' as const, keys };
  return { charset, key, usesModseq: parser.usesModseq };
}
