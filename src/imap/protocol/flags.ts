// Message flags and STORE arguments (RFC 3501 §2.3.2, §6.4.6; UNCHANGEDSINCE from RFC 7162 §3.1.3).

import type { ImapArg } from './reader.ts';

export const SYSTEM_FLAGS = ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'] as const;

export type SystemFlag = (typeof SYSTEM_FLAGS)[number];

/** An invalid flag or STORE request; the caller answers BAD. */
export class FlagError extends Error {}

const MAX_KEYWORD_LENGTH = 128;
// atom-specials from RFC 3501 §9: ( ) { SP CTL % * " \ ]
// eslint-disable-next-line no-control-regex
const KEYWORD_RE = /^[^(){ \x00-\x1f\x7f%*"\\\]]+$/;
const MODSEQ_RE = /^[0-9]{1,19}$/;
const SYSTEM_BY_UPPER = new Map<string, SystemFlag>(SYSTEM_FLAGS.map((flag) => [flag.toUpperCase(), flag]));

/** True for \Seen, \Answered, \Flagged, \Deleted and \Draft (any case). */
export function isSystemFlag(flag: string): boolean {
  return SYSTEM_BY_UPPER.has(flag.toUpperCase());
}

/** Validates a flag a client may store, returning system flags in their canonical case. */
export function normalizeFlag(text: string): string {
  if (text.startsWith('\\')) {
    const system = SYSTEM_BY_UPPER.get(text.toUpperCase());
    if (!system) throw new FlagError(`Flag cannot be stored: ${text.slice(0, 50)}`);
    return system;
  }
  if (text.length > MAX_KEYWORD_LENGTH || !KEYWORD_RE.test(text)) {
    throw new FlagError(`Invalid keyword: ${text.slice(0, 50)}`);
  }
  return text;
}

/** Parses flags given as one list or as atoms, without duplicates (keywords compare case-insensitively). */
export function parseFlags(args: ImapArg[]): string[] {
  const items = args.length === 1 && args[0]!.kind === 'list' ? args[0]!.items : args;
  const seen = new Set<string>();
  const flags: string[] = [];
  for (const item of items) {
    if (item.kind !== 'atom') throw new FlagError('Flags must be atoms');
    const flag = normalizeFlag(item.value);
    if (seen.has(flag.toUpperCase())) continue;
    seen.add(flag.toUpperCase());
    flags.push(flag);
  }
  return flags;
}

export interface StoreRequest {
  mode: 'add' | 'remove' | 'replace';
  silent: boolean;
  flags: string[];
  /** UNCHANGEDSINCE modseq, if given. */
  unchangedSince: bigint | null;
}

/** Parses STORE's arguments after the sequence set: `[(UNCHANGEDSINCE n)] [+|-]FLAGS[.SILENT] flags`. */
export function parseStore(args: ImapArg[]): StoreRequest {
  let rest = args;
  let unchangedSince: bigint | null = null;
  const first = rest[0];
  if (first?.kind === 'list') {
    const [name, value, ...extra] = first.items;
    if (name?.kind !== 'atom' || name.value.toUpperCase() !== 'UNCHANGEDSINCE' || extra.length > 0) {
      throw new FlagError('Unknown STORE modifier');
    }
    if (value?.kind !== 'atom' || !MODSEQ_RE.test(value.value) || BigInt(value.value) > 9223372036854775807n) {
      throw new FlagError('Invalid UNCHANGEDSINCE value');
    }
    unchangedSince = BigInt(value.value);
    rest = rest.slice(1);
  }
  const item = rest[0];
  const match = item?.kind === 'atom' ? /^([+-]?)FLAGS(\.SILENT)?$/i.exec(item.value) : null;
  if (!match) throw new FlagError('STORE needs FLAGS, +FLAGS or -FLAGS');
  if (rest.length < 2) throw new FlagError('STORE needs flags');
  const mode = match[1] === '+' ? 'add' : match[1] === '-' ? 'remove' : 'replace';
  const flagArgs = rest.slice(1);
  if (flagArgs.length > 1 && flagArgs.some((arg) => arg.kind === 'list')) throw new FlagError('Invalid flag list');
  return { mode, silent: match[2] !== undefined, flags: parseFlags(flagArgs), unchangedSince };
}
