import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  atom,
  bodyStructureValue,
  canQuote,
  continuation,
  envelopeValue,
  formatValue,
  taggedStatus,
  untaggedData,
  untaggedStatus,
  type Envelope,
} from '../src/imap/protocol/response.ts';
import { parseAddressList } from '../src/imap/protocol/envelope.ts';

const text = (value: Parameters<typeof formatValue>[0], utf8 = false) => formatValue(value, { utf8 }).toString('utf8');

test('writes NIL, numbers, bigints and atoms', () => {
  assert.equal(text([null, 42, 18446744073709551615n, atom('\\Seen')]), '(NIL 42 18446744073709551615 \\Seen)');
});

test('quotes strings and escapes quote and backslash', () => {
  assert.equal(text('a "b" \\c'), '"a \\"b\\" \\\\c"');
  assert.equal(text(''), '""');
});

test('writes a string with CR, LF or NUL as a literal', () => {
  assert.equal(text('a\r\nb'), '{4}\r\na\r\nb');
  assert.equal(text('a\nb'), '{3}\r\na\nb');
  assert.equal(formatValue('a\0b').toString('latin1'), '{3}\r\na\0b');
});

test('writes 8-bit text as a literal unless UTF8=ACCEPT is enabled', () => {
  assert.equal(text('Café'), '{5}\r\nCafé');
  assert.equal(text('Café', true), '"Café"');
  assert.equal(canQuote('Café'), false);
  assert.equal(canQuote('Café', { utf8: true }), true);
});

test('writes a long string as a literal', () => {
  assert.equal(text('x'.repeat(1024)).startsWith('"'), true);
  assert.equal(text('x'.repeat(1025)).startsWith('{1025}\r\n'), true);
});

test('writes Buffers as literals byte for byte', () => {
  const bytes = Buffer.from([0xff, 0x00, 0x0d, 0x0a]);
  assert.deepEqual(formatValue(bytes), Buffer.concat([Buffer.from('{4}\r\n'), bytes]));
});

test('writes an untagged FETCH response with a literal', () => {
  const line = untaggedData([3, atom('FETCH'), [atom('UID'), 9, atom('BODY[TEXT]'), Buffer.from('hi\r\n')]]);
  assert.equal(line.toString(), '* 3 FETCH (UID 9 BODY[TEXT] {4}\r\nhi\r\n)\r\n');
});

test('writes tagged and untagged status responses with codes', () => {
  assert.equal(
    taggedStatus('a1', 'OK', 'APPEND completed', 'APPENDUID 38505 3955').toString(),
    'a1 OK [APPENDUID 38505 3955] APPEND completed\r\n',
  );
  assert.equal(
    untaggedStatus('OK', 'UIDs valid', 'UIDVALIDITY 3857529045').toString(),
    '* OK [UIDVALIDITY 3857529045] UIDs valid\r\n',
  );
  assert.equal(untaggedStatus('BYE', 'Logging out').toString(), '* BYE Logging out\r\n');
});

test('keeps status text on one line', () => {
  assert.equal(taggedStatus('a', 'BAD', 'bad\r\nb FAKE injected').toString(), 'a BAD bad b FAKE injected\r\n');
});

test('writes a continuation request', () => {
  assert.equal(continuation().toString(), '+ Ready for literal data\r\n');
  assert.equal(continuation('idling').toString(), '+ idling\r\n');
});

test('writes an ENVELOPE with NIL for missing fields and adjacent addresses', () => {
  const envelope: Envelope = {
    date: null,
    subject: 'Hi "you"',
    from: [{ name: 'A', adl: null, mailbox: 'a', host: 'x.org' }],
    sender: null,
    replyTo: null,
    to: [
      { name: null, adl: null, mailbox: 'b', host: 'y.org' },
      { name: null, adl: null, mailbox: 'c', host: 'y.org' },
    ],
    cc: [],
    bcc: null,
    inReplyTo: null,
    messageId: '<1@x>',
  };
  assert.equal(
    text(envelopeValue(envelope)),
    '(NIL "Hi \\"you\\"" (("A" NIL "a" "x.org")) NIL NIL ((NIL NIL "b" "y.org")(NIL NIL "c" "y.org")) NIL NIL NIL "<1@x>")',
  );
});

test('writes a single language as a string and several as a list', () => {
  const part = {
    kind: 'basic' as const,
    type: 'IMAGE',
    subtype: 'PNG',
    params: null,
    id: null,
    description: null,
    encoding: 'BASE64',
    size: 10,
    md5: 'abc',
    disposition: { type: 'INLINE', params: [['FILENAME', 'a.png']] as [string, string][] },
    language: ['en'],
    location: 'http://x/a.png',
  };
  assert.equal(
    text(bodyStructureValue(part)),
    '("IMAGE" "PNG" NIL NIL NIL "BASE64" 10 "abc" ("INLINE" ("FILENAME" "a.png")) "en" "http://x/a.png")',
  );
  assert.equal(text(bodyStructureValue({ ...part, language: ['en', 'fr'] })).includes('("en" "fr")'), true);
});

test('parses display names, quoted names, comments and bare addresses', () => {
  assert.deepEqual(parseAddressList('"Doe, John" <john@example.com>, jane@example.org (Jane), <x@y>'), [
    { name: 'Doe, John', adl: null, mailbox: 'john', host: 'example.com' },
    { name: 'Jane', adl: null, mailbox: 'jane', host: 'example.org' },
    { name: null, adl: null, mailbox: 'x', host: 'y' },
  ]);
});

test('parses groups, empty groups and source routes', () => {
  assert.deepEqual(parseAddressList('undisclosed-recipients:;'), [
    { name: null, adl: null, mailbox: 'undisclosed-recipients', host: null },
    { name: null, adl: null, mailbox: null, host: null },
  ]);
  assert.deepEqual(parseAddressList('<@relay.example:user@host.example>'), [
    { name: null, adl: '@relay.example', mailbox: 'user', host: 'host.example' },
  ]);
});

test('keeps encoded words in names raw', () => {
  assert.deepEqual(parseAddressList('=?utf-8?q?Ren=C3=A9?= <rene@example.fr>')[0]?.name, '=?utf-8?q?Ren=C3=A9?=');
});

test('gives an address without a domain an empty host rather than NIL', () => {
  assert.deepEqual(parseAddressList('postmaster'), [{ name: null, adl: null, mailbox: 'postmaster', host: '' }]);
});
