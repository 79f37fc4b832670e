import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SequenceSetError,
  formatSequenceSet,
  isSequenceSet,
  parseSequenceSet,
  resolveSequenceNumbers,
  resolveUidIndexes,
  resolveUids,
  sequenceNumbersInRange,
  sequenceSetContains,
} from '../src/imap/protocol/sequence-set.ts';

test('parses a single number', () => {
  assert.deepEqual(parseSequenceSet('7'), { ranges: [{ from: 7, to: 7 }] });
});

test('parses 1:*', () => {
  assert.deepEqual(parseSequenceSet('1:*'), { ranges: [{ from: 1, to: '*' }] });
});

test('parses 2,4:7,9', () => {
  assert.deepEqual(parseSequenceSet('2,4:7,9').ranges, [
    { from: 2, to: 2 },
    { from: 4, to: 7 },
    { from: 9, to: 9 },
  ]);
});

test('parses *:3 and * alone', () => {
  assert.deepEqual(parseSequenceSet('*:3').ranges, [{ from: '*', to: 3 }]);
  assert.deepEqual(parseSequenceSet('*').ranges, [{ from: '*', to: '*' }]);
});

test('accepts 4294967295', () => {
  assert.deepEqual(parseSequenceSet('4294967295').ranges, [{ from: 4294967295, to: 4294967295 }]);
});

for (const bad of [
  '1:*:*',
  '0',
  '4294967296',
  '99999999999',
  '',
  ',',
  '1,',
  ',1',
  '1,,2',
  '1:',
  ':1',
  '01',
  '-1',
  '1.5',
  'a',
  '1 2',
  '**',
  '1:2:3',
  '+1',
]) {
  test(`refuses the sequence set ${JSON.stringify(bad)}`, () => {
    assert.throws(() => parseSequenceSet(bad), SequenceSetError);
    assert.equal(isSequenceSet(bad), false);
  });
}

test('resolves sequence numbers against a message count, ascending and without duplicates', () => {
  assert.deepEqual(resolveSequenceNumbers(parseSequenceSet('5,1:3,2,*'), 10), [1, 2, 3, 5, 10]);
});

test('resolves *:3 the same as 3:*', () => {
  assert.deepEqual(resolveSequenceNumbers(parseSequenceSet('*:3'), 5), [3, 4, 5]);
});

test('clips sequence numbers above the count and reports them out of range', () => {
  const set = parseSequenceSet('4:9');
  assert.deepEqual(resolveSequenceNumbers(set, 5), [4, 5]);
  assert.equal(sequenceNumbersInRange(set, 5), false);
  assert.equal(sequenceNumbersInRange(parseSequenceSet('1:*'), 5), true);
  assert.equal(sequenceNumbersInRange(parseSequenceSet('*'), 0), false);
});

test('resolves nothing in an empty mailbox', () => {
  assert.deepEqual(resolveSequenceNumbers(parseSequenceSet('1:*'), 0), []);
  assert.deepEqual(resolveUids(parseSequenceSet('1:*'), []), []);
});

test('resolves a UID set against sorted UIDs', () => {
  const uids = [3, 7, 8, 20, 21, 100];
  assert.deepEqual(resolveUids(parseSequenceSet('1:8,21,50:60'), uids), [3, 7, 8, 21]);
  assert.deepEqual(resolveUidIndexes(parseSequenceSet('7:20'), uids), [1, 2, 3]);
});

test('n:* includes the last UID even when n is above it', () => {
  assert.deepEqual(resolveUids(parseSequenceSet('500:*'), [3, 7, 100]), [100]);
});

test('resolves 1:4294967295 against 50,000 UIDs without expanding the range', () => {
  const uids = Array.from({ length: 50_000 }, (_, i) => i * 3 + 1);
  const started = performance.now();
  const all = resolveUids(parseSequenceSet('1:4294967295'), uids);
  const some = resolveSequenceNumbers(parseSequenceSet('1:4294967295'), 50_000);
  assert.equal(all.length, 50_000);
  assert.equal(some.length, 50_000);
  assert.ok(performance.now() - started < 200);
});

test('resolves many single numbers efficiently', () => {
  const uids = Array.from({ length: 50_000 }, (_, i) => i + 1);
  const text = Array.from({ length: 5000 }, (_, i) => String(i * 10 + 1)).join(',');
  const result = resolveUids(parseSequenceSet(text), uids);
  assert.equal(result.length, 5000);
  assert.equal(result[4999], 49991);
});

test('tells whether a number is in a set with * as the maximum', () => {
  const set = parseSequenceSet('2:4,*');
  assert.ok(sequenceSetContains(set, 3, 10));
  assert.ok(sequenceSetContains(set, 10, 10));
  assert.ok(!sequenceSetContains(set, 9, 10));
});

test('formats numbers as a compact set', () => {
  assert.equal(formatSequenceSet([1, 2, 3, 5, 7, 8]), '1:3,5,7:8');
  assert.equal(formatSequenceSet([]), '');
  assert.equal(formatSequenceSet([9, 4, 5]), '9,4:5');
});
