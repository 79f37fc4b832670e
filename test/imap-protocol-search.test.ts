import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SearchError, parseImapDate, parseSearch, type SearchKey } from '../src/imap/protocol/search.ts';
import { CommandReader, type ImapArg } from '../src/imap/protocol/reader.ts';

function searchArgs(text: string | Buffer): ImapArg[] {
  const reader = new CommandReader();
  reader.push(Buffer.concat([Buffer.from('a SEARCH '), Buffer.from(text), Buffer.from('\r\n')]));
  const event = reader.next();
  if (event?.type !== 'command') throw new Error(JSON.stringify(event));
  return event.command.args;
}

const key = (text: string): SearchKey => parseSearch(searchArgs(text)).key;

test('parses ALL', () => {
  assert.deepEqual(parseSearch(searchArgs('ALL')), { charset: 'UTF-8', key: { type: 'all' }, usesModseq: false });
});

test('parses flag keys and their negations', () => {
  assert.deepEqual(key('seen'), { type: 'flag', flag: '\\Seen', set: true });
  assert.deepEqual(key('UNANSWERED'), { type: 'flag', flag: '\\Answered', set: false });
  assert.deepEqual(key('OLD'), { type: 'flag', flag: '\\Recent', set: false });
  assert.deepEqual(key('KEYWORD $Junk'), { type: 'flag', flag: '$Junk', set: true });
  assert.deepEqual(key('UNKEYWORD work'), { type: 'flag', flag: 'work', set: false });
});

test('parses NEW as recent and unseen', () => {
  assert.deepEqual(key('NEW'), {
    type: 'and',
    keys: [
      { type: 'flag', flag: '\\Recent', set: true },
      { type: 'flag', flag: '\\Seen', set: false },
    ],
  });
});

test('parses address and subject keys as header searches', () => {
  assert.deepEqual(key('FROM "Smith"'), { type: 'header', field: 'from', value: 'Smith' });
  assert.deepEqual(key('subject hello'), { type: 'header', field: 'subject', value: 'hello' });
  assert.deepEqual(key('HEADER X-Mailer {4+}\r\nMutt'), { type: 'header', field: 'x-mailer', value: 'Mutt' });
});

test('parses BODY, TEXT, LARGER and SMALLER', () => {
  assert.deepEqual(key('BODY "a b"'), { type: 'body', value: 'a b' });
  assert.deepEqual(key('TEXT x'), { type: 'text', value: 'x' });
  assert.deepEqual(key('LARGER 1000'), { type: 'size', op: 'larger', size: 1000 });
  assert.deepEqual(key('SMALLER 0'), { type: 'size', op: 'smaller', size: 0 });
});

test('parses the six date keys', () => {
  assert.deepEqual(key('SINCE 1-Feb-2024'), {
    type: 'date',
    field: 'internal',
    op: 'since',
    date: { year: 2024, month: 2, day: 1 },
  });
  assert.deepEqual(key('SENTBEFORE "29-feb-2024"'), {
    type: 'date',
    field: 'sent',
    op: 'before',
    date: { year: 2024, month: 2, day: 29 },
  });
  for (const name of ['BEFORE', 'ON', 'SENTON', 'SENTSINCE']) assert.equal(key(`${name} 01-Jan-2000`).type, 'date');
});

for (const bad of [
  '30-Feb-2024',
  '29-Feb-2023',
  '0-Jan-2024',
  '1-Foo-2024',
  '1-Jan-24',
  '2024-01-01',
  '123-Jan-2024',
]) {
  test(`refuses the date ${bad}`, () => {
    assert.throws(() => parseImapDate(bad), SearchError);
  });
}

test('parses NOT, OR and parenthesised groups', () => {
  assert.deepEqual(key('NOT (SEEN FLAGGED)'), {
    type: 'not',
    key: {
      type: 'and',
      keys: [
        { type: 'flag', flag: '\\Seen', set: true },
        { type: 'flag', flag: '\\Flagged', set: true },
      ],
    },
  });
  assert.deepEqual(key('OR DELETED DRAFT'), {
    type: 'or',
    left: { type: 'flag', flag: '\\Deleted', set: true },
    right: { type: 'flag', flag: '\\Draft', set: true },
  });
});

test('joins several top-level keys with AND', () => {
  assert.deepEqual(key('UNSEEN UNDELETED'), {
    type: 'and',
    keys: [
      { type: 'flag', flag: '\\Seen', set: false },
      { type: 'flag', flag: '\\Deleted', set: false },
    ],
  });
});

test('parses sequence sets and UID sets', () => {
  assert.deepEqual(key('1:3,*'), {
    type: 'sequence',
    set: {
      ranges: [
        { from: 1, to: 3 },
        { from: '*', to: '*' },
      ],
    },
  });
  assert.deepEqual(key('UID 5:*'), { type: 'uid', set: { ranges: [{ from: 5, to: '*' }] } });
});

test('accepts CHARSET UTF-8 and US-ASCII', () => {
  assert.equal(parseSearch(searchArgs('CHARSET utf-8 SUBJECT "Café"')).charset, 'UTF-8');
  assert.equal(parseSearch(searchArgs('CHARSET US-ASCII ALL')).charset, 'US-ASCII');
  assert.deepEqual(parseSearch(searchArgs('CHARSET UTF-8 TEXT {5+}\r\nCafé')).key, { type: 'text', value: 'Café' });
});

test('refuses other charsets with BADCHARSET', () => {
  assert.throws(
    () => parseSearch(searchArgs('CHARSET ISO-8859-1 ALL')),
    (error: unknown) => error instanceof SearchError && error.code === 'BADCHARSET',
  );
});

test('parses MODSEQ with and without an entry', () => {
  const plain = parseSearch(searchArgs('MODSEQ 620162338'));
  assert.deepEqual(plain.key, { type: 'modseq', modseq: 620162338n, entry: null });
  assert.equal(plain.usesModseq, true);
  assert.deepEqual(key('MODSEQ "/flags/\\\\draft" all 620162338'), {
    type: 'modseq',
    modseq: 620162338n,
    entry: { name: '/flags/\\draft', kind: 'all' },
  });
  assert.equal(parseSearch(searchArgs('(SEEN MODSEQ 5)')).usesModseq, true);
});

for (const bad of [
  '',
  'FOO',
  'FROM',
  'OR SEEN',
  'NOT',
  'LARGER x',
  'LARGER 4294967296',
  'UID',
  'UID 1:*:*',
  '0',
  '4294967296',
  '()',
  'KEYWORD \\Seen',
  'KEYWORD (a)',
  'SINCE',
  'MODSEQ x',
  'MODSEQ "/flags/x" other 5',
  'HEADER "a:b" c',
  'CHARSET',
]) {
  test(`refuses the SEARCH ${JSON.stringify(bad)}`, () => {
    assert.throws(
      () => parseSearch(searchArgs(bad)),
      (error: unknown) => error instanceof SearchError && error.code === 'BAD',
    );
  });
}

test('refuses NOT nested beyond the depth limit', () => {
  assert.throws(() => parseSearch(searchArgs('NOT '.repeat(100) + 'ALL')), /too deep/);
  assert.equal(parseSearch(searchArgs('NOT '.repeat(30) + 'ALL')).key.type, 'not');
});
