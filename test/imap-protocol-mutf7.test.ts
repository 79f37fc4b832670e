import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MailboxNameError,
  decodeMutf7,
  encodeMutf7,
  mailboxNameFromWire,
  mailboxNameToWire,
} from '../src/imap/protocol/mutf7.ts';

const PAIRS: [string, string][] = [
  ['INBOX', 'INBOX'],
  ['~peter/mail/台北/日本語', '~peter/mail/&U,BTFw-/&ZeVnLIqe-'],
  ['Tom & Jerry', 'Tom &- Jerry'],
  ['Entwürfe', 'Entw&APw-rfe'],
  ['Éléments envoyés', '&AMk-l&AOk-ments envoy&AOk-s'],
  ['😀', '&2D3eAA-'],
  ['&', '&-'],
  ['', ''],
];

for (const [name, wire] of PAIRS) {
  test(`encodes ${JSON.stringify(name)} as ${JSON.stringify(wire)} and back`, () => {
    assert.equal(encodeMutf7(name), wire);
    assert.equal(decodeMutf7(wire), name);
  });
}

const INVALID: [string, string][] = [
  ['&Jjo!', 'an unterminated shift with an invalid character'],
  ['&Jjo!-', 'a character outside modified BASE64'],
  ['&Jjo', 'a shift that is never terminated'],
  ['&AGE-', 'printable ASCII (a) encoded'],
  ['&ACY-', 'an encoded ampersand'],
  ['&U,BTFw-&ZeVnLIqe-', 'two adjacent shifts'],
  ['&AP-', 'stray bits after the last character'],
  ['&APw=-', 'BASE64 padding'],
  ['&AP8A-', 'an odd number of bytes'],
  ['&2D0-', 'a lone high surrogate'],
  ['Café', 'a raw 8-bit character'],
  ['a\tb', 'a raw control character'],
  ['&AAA-', 'an encoded NUL'],
  ['&AAo-', 'an encoded line feed'],
];

for (const [wire, why] of INVALID) {
  test(`refuses the modified UTF-7 name ${JSON.stringify(wire)} (${why})`, () => {
    assert.throws(() => decodeMutf7(wire), MailboxNameError);
  });
}

test('takes names as plain UTF-8 when UTF8=ACCEPT is enabled', () => {
  assert.equal(mailboxNameFromWire('Entwürfe', true), 'Entwürfe');
  assert.equal(mailboxNameFromWire('Tom & Jerry', true), 'Tom & Jerry');
  assert.equal(mailboxNameToWire('Entwürfe', true), 'Entwürfe');
  assert.equal(mailboxNameToWire('Entwürfe', false), 'Entw&APw-rfe');
  assert.equal(mailboxNameFromWire('Entw&APw-rfe', false), 'Entwürfe');
});

test('refuses control characters in UTF-8 names too', () => {
  assert.throws(() => mailboxNameFromWire('a\u0000b', true), MailboxNameError);
});
