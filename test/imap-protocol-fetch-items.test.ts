import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FetchSyntaxError, parseFetchItems, parseSection, type FetchItem } from '../src/imap/protocol/fetch-items.ts';
import { CommandReader, type ImapArg } from '../src/imap/protocol/reader.ts';

// Parses the arguments of `a FETCH 1 <text>` with the real reader.
function fetchArgs(text: string): ImapArg[] {
  const reader = new CommandReader();
  reader.push(Buffer.from(`a FETCH 1 ${text}\r\n`));
  const event = reader.next();
  if (event?.type !== 'command') throw new Error(JSON.stringify(event));
  return event.command.args.slice(1);
}

function items(text: string): FetchItem[] {
  return parseFetchItems(fetchArgs(text)).items;
}

function names(text: string): string[] {
  return items(text).map((item) => (item.type === 'SECTION' ? item.responseName : item.type));
}

test('expands the ALL, FAST and FULL macros', () => {
  assert.deepEqual(names('ALL'), ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE']);
  assert.deepEqual(names('fast'), ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE']);
  assert.deepEqual(names('FULL'), ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY']);
});

test('refuses a macro inside a list', () => {
  assert.throws(() => items('(ALL)'), FetchSyntaxError);
});

test('parses a single item and a list of simple items', () => {
  assert.deepEqual(names('UID'), ['UID']);
  assert.deepEqual(names('(uid flags internaldate rfc822.size envelope body bodystructure modseq)'), [
    'UID',
    'FLAGS',
    'INTERNALDATE',
    'RFC822.SIZE',
    'ENVELOPE',
    'BODY',
    'BODYSTRUCTURE',
    'MODSEQ',
  ]);
});

test('maps RFC822, RFC822.HEADER and RFC822.TEXT to sections with their own names', () => {
  const [whole, header, text] = items('(RFC822 RFC822.HEADER RFC822.TEXT)');
  assert.deepEqual(whole, {
    type: 'SECTION',
    section: { part: [], text: null, fields: [] },
    partial: null,
    setsSeen: true,
    responseName: 'RFC822',
  });
  assert.equal(header?.type === 'SECTION' && header.setsSeen, false);
  assert.equal(header?.type === 'SECTION' && header.section.text, 'HEADER');
  assert.equal(text?.type === 'SECTION' && text.setsSeen, true);
});

test('parses BODY[] and BODY.PEEK[] with \\Seen marked only for BODY', () => {
  const request = parseFetchItems(fetchArgs('(BODY.PEEK[] BODY[TEXT])'));
  assert.equal(request.setsSeen, true);
  assert.deepEqual(
    request.items.map((item) => item.type === 'SECTION' && [item.responseName, item.setsSeen]),
    [
      ['BODY[]', false],
      ['BODY[TEXT]', true],
    ],
  );
  assert.equal(parseFetchItems(fetchArgs('BODY.PEEK[HEADER]')).setsSeen, false);
});

test('parses a partial and names the response by its origin only', () => {
  const [item] = items('BODY.PEEK[TEXT]<100.2048>');
  assert.equal(item?.type === 'SECTION' && item.responseName, 'BODY[TEXT]<100>');
  assert.deepEqual(item?.type === 'SECTION' && item.partial, { start: 100, length: 2048 });
});

test('parses HEADER.FIELDS and HEADER.FIELDS.NOT lists, upper-cased', () => {
  const [fields, not] = items('(BODY[HEADER.FIELDS (From to "Subject")] BODY.PEEK[header.fields.not (X-Spam)])');
  assert.equal(fields?.type === 'SECTION' && fields.responseName, 'BODY[HEADER.FIELDS (FROM TO SUBJECT)]');
  assert.deepEqual(not?.type === 'SECTION' && not.section, {
    part: [],
    text: 'HEADER.FIELDS.NOT',
    fields: ['X-SPAM'],
  });
});

test('parses part paths with HEADER, TEXT and MIME', () => {
  assert.deepEqual(parseSection('1.2.3'), { part: [1, 2, 3], text: null, fields: [] });
  assert.deepEqual(parseSection('1.2.HEADER'), { part: [1, 2], text: 'HEADER', fields: [] });
  assert.deepEqual(parseSection('2.MIME'), { part: [2], text: 'MIME', fields: [] });
  assert.deepEqual(parseSection('3.HEADER.FIELDS (DATE)'), { part: [3], text: 'HEADER.FIELDS', fields: ['DATE'] });
});

for (const bad of [
  'MIME',
  '0',
  '1.0',
  '1..2',
  'HEADER.FIELDS',
  'HEADER.FIELDS ()',
  'HEADER (FROM)',
  'TEXT.1',
  'FOO',
  '1.',
  'HEADER.FIELDS (FR:OM)',
  '4294967296',
]) {
  test(`refuses the section ${JSON.stringify(bad)}`, () => {
    assert.throws(() => parseSection(bad), FetchSyntaxError);
  });
}

test('accepts a part path 32 levels deep', () => {
  assert.equal(parseSection(Array(32).fill('1').join('.')).part.length, 32);
});

test('refuses a section nested 100 deep', () => {
  assert.throws(() => items(`BODY[${Array(100).fill('1').join('.')}]`), /too deep/);
});

for (const bad of [
  'BODY[TEXT]<>',
  'BODY[TEXT]<1>',
  'BODY[TEXT]<1.0>',
  'BODY[TEXT]<1.2.3>',
  'BODY[TEXT]<a.1>',
  'BODY[TEXT',
  'BODYX[]',
  'BODY.PEEK',
  'FOO',
  '()',
  '"FLAGS"',
  '(FLAGS "UID")',
]) {
  test(`refuses the fetch items ${bad}`, () => {
    assert.throws(() => parseFetchItems(fetchArgs(bad)));
  });
}

test('parses the CHANGEDSINCE modifier and adds MODSEQ', () => {
  const request = parseFetchItems(fetchArgs('(FLAGS) (CHANGEDSINCE 12345678901234)'));
  assert.equal(request.changedSince, 12345678901234n);
  assert.deepEqual(
    request.items.map((item) => item.type),
    ['FLAGS', 'MODSEQ'],
  );
});

test('refuses an unknown modifier or an invalid modseq', () => {
  assert.throws(() => parseFetchItems(fetchArgs('FLAGS (VANISHED)')), FetchSyntaxError);
  assert.throws(() => parseFetchItems(fetchArgs('FLAGS (CHANGEDSINCE 0)')), FetchSyntaxError);
  assert.throws(() => parseFetchItems(fetchArgs('FLAGS (CHANGEDSINCE 9223372036854775808)')), FetchSyntaxError);
  assert.throws(() => parseFetchItems(fetchArgs('FLAGS CHANGEDSINCE')), FetchSyntaxError);
});

test('adds UID first for UID FETCH', () => {
  assert.deepEqual(
    parseFetchItems(fetchArgs('FLAGS'), { uid: true }).items.map((item) => item.type),
    ['UID', 'FLAGS'],
  );
});
