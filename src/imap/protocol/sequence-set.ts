// Sequence sets (RFC 3501 §9 sequence-set). Resolution works on ranges and binary search, so a
// set such as 1:4294967295 costs as much as 1:2.

export const MAX_NZ_NUMBER = 4294967295;

/** One part of a set; `'*'` is the largest number in use. */
export type SeqNumber = number | '*';

export interface SequenceRange {
  from: SeqNumber;
  to: SeqNumber;
}

export interface SequenceSet {
  ranges: SequenceRange[];
}

/** A malformed sequence set; the caller answers BAD. */
export class SequenceSetError extends Error {}

const NUMBER_RE = /^[1-9][0-9]{0,9}$/;

function parseSeqNumber(text: string, set: string): SeqNumber {
  if (text === '*') return '*';
  const value = NUMBER_RE.test(text) ? Number(text) : 0;
  if (value < 1 || value > MAX_NZ_NUMBER) throw new SequenceSetError(`Invalid sequence set: ${set}`);
  return value;
}

/** Parses `1:*`, `2,4:7,9`, `*:3`, throwing SequenceSetError for anything RFC 3501 refuses. */
export function parseSequenceSet(text: string): SequenceSet {
  if (text.length === 0) throw new SequenceSetError('Empty sequence set');
  const ranges = text.split(',').map((part) => {
    const bounds = part.split(':');
    if (bounds.length > 2) throw new SequenceSetError(`Invalid sequence set: ${text}`);
    const from = parseSeqNumber(bounds[0]!, text);
    const to = bounds.length === 2 ? parseSeqNumber(bounds[1]!, text) : from;
    return { from, to };
  });
  return { ranges };
}

/** True when the text is a syntactically valid sequence set (used to tell SEARCH keys from sets). */
export function isSequenceSet(text: string): boolean {
  try {
    parseSequenceSet(text);
    return true;
  } catch {
    return false;
  }
}

// Ranges as ordered [low, high] pairs with '*' replaced by max, sorted and merged.
function normalise(set: SequenceSet, max: number): [number, number][] {
  const pairs = set.ranges.map((range): [number, number] => {
    const a = range.from === '*' ? max : range.from;
    const b = range.to === '*' ? max : range.to;
    return a <= b ? [a, b] : [b, a];
  });
  pairs.sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const pair of pairs) {
    const last = merged[merged.length - 1];
    if (last && pair[0] <= last[1] + 1) last[1] = Math.max(last[1], pair[1]);
    else merged.push([pair[0], pair[1]]);
  }
  return merged;
}

/** Message sequence numbers (ascending, unique) that the set selects in a mailbox of `count` messages. */
export function resolveSequenceNumbers(set: SequenceSet, count: number): number[] {
  const result: number[] = [];
  if (count === 0) return result;
  for (const [low, high] of normalise(set, count)) {
    for (let n = low; n <= Math.min(high, count); n++) result.push(n);
  }
  return result;
}

/** False when the set names a sequence number above `count` (RFC 3501 makes that a BAD). */
export function sequenceNumbersInRange(set: SequenceSet, count: number): boolean {
  const fits = (n: SeqNumber) => n === '*' || n <= count;
  return count > 0 && set.ranges.every((range) => fits(range.from) && fits(range.to));
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Indexes into `uids` (sorted ascending) of the messages the UID set selects, ascending. */
export function resolveUidIndexes(set: SequenceSet, uids: readonly number[]): number[] {
  const result: number[] = [];
  const last = uids[uids.length - 1];
  if (last === undefined) return result;
  // '*' is the highest UID in use, so n:* always includes the last message even when n > it.
  for (const [low, high] of normalise(set, last)) {
    const end = lowerBound(uids, high + 1);
    for (let i = lowerBound(uids, low); i < end; i++) result.push(i);
  }
  return result;
}

/** The UIDs from `uids` (sorted ascending) that the UID set selects, ascending. */
export function resolveUids(set: SequenceSet, uids: readonly number[]): number[] {
  return resolveUidIndexes(set, uids).map((i) => uids[i]!);
}

/** True when `value` is in the set, where `*` stands for `max` (for SEARCH evaluation). */
export function sequenceSetContains(set: SequenceSet, value: number, max: number): boolean {
  return set.ranges.some((range) => {
    const a = range.from === '*' ? max : range.from;
    const b = range.to === '*' ? max : range.to;
    return value >= Math.min(a, b) && value <= Math.max(a, b);
  });
}

/** Writes numbers as a compact set (`1:3,7,9:10`), in the given order, for COPYUID and APPENDUID. */
export function formatSequenceSet(numbers: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < numbers.length) {
    const start = numbers[i]!;
    let end = start;
    while (i + 1 < numbers.length && numbers[i + 1] === end + 1) end = numbers[++i]!;
    parts.push(start === end ? String(start) : `${start}:${end}`);
    i++;
  }
  return parts.join(',');
}
