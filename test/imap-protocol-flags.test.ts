import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlagError, isSystemFlag, normalizeFlag, parseFlags, parseStore } from '../src/imap/protocol/flags.ts';
import { CommandReader, type ImapArg } from '../src/imap/protocol/reader.ts';

function storeArgs(text: string): ImapArg[] {
  const reader = new CommandReader();
  reader.push(Buffer.from(`a STORE 1 ${text}\r\n`));
  const event = reader.next();
  if (event?.type !== 'command') throw new Error(JSON.stringify(event));
  return event.command.args.slice(1);
}

test('recognises the five system flags in any case and writes them canonically', () => {
  assert.equal(normalizeFlag('\\SEEN'), '\\Seen');
  assert.equal(normalizeFlag('\\draft'), '\\Draft');
  assert.ok(isSystemFlag('\\deleted'));
  assert.ok(!isSystemFlag('$Forwarded'));
});

test('accepts keywords such as $Forwarded and Junk', () => {
  assert.equal(normalizeFlag('$Forwarded'), '$Forwarded');
  assert.equal(normalizeFlag('Junk'), 'Junk');
});

for (const bad of ['\\Recent', '\\Foo', '\\', 'a\\b', 'a*', 'a%', 'a]', 'a"b', '', 'x'.repeat(129)]) {
  test(`refuses the flag ${JSON.stringify(bad.slice(0, 20))}`, () => {
    assert.throws(() => normalizeFlag(bad), FlagError);
  });
}

test('parses +FLAGS with a list', () => {
  assert.deepEqual(parseStore(storeArgs('+FLAGS (\\Seen $Label1)')), {
    mode: 'add',
    silent: false,
    flags: ['\\Seen', '$Label1'],
    unchangedSince: null,
  });
});

test('parses -FLAGS.SILENT with bare atoms', () => {
  assert.deepEqual(parseStore(storeArgs('-flags.silent \\Deleted \\Flagged')), {
    mode: 'remove',
    silent: true,
    flags: ['\\Deleted', '\\Flagged'],
    unchangedSince: null,
  });
});

test('parses FLAGS () as replacing with no flags', () => {
  assert.deepEqual(parseStore(storeArgs('FLAGS ()')).flags, []);
  assert.equal(parseStore(storeArgs('FLAGS ()')).mode, 'replace');
});

test('parses the UNCHANGEDSINCE modifier', () => {
  assert.equal(
    parseStore(storeArgs('(UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)')).unchangedSince,
    320162338n,
  );
  assert.equal(parseStore(storeArgs('(UNCHANGEDSINCE 0) FLAGS (\\Seen)')).unchangedSince, 0n);
});

test('drops duplicate flags, comparing keywords case-insensitively', () => {
  assert.deepEqual(parseFlags(storeArgs('(\\Seen \\SEEN Junk junk)')), ['\\Seen', 'Junk']);
});

for (const bad of [
  'FLAGS',
  '+FLAG (\\Seen)',
  'FLAGS.LOUD (\\Seen)',
  '*FLAGS (\\Seen)',
  'FLAGS ("Junk")',
  'FLAGS (\\Recent)',
  '(UNCHANGEDSINCE x) FLAGS (\\Seen)',
  '(UNCHANGEDSINCE 9223372036854775808) FLAGS (\\Seen)',
  '(FOO 1) FLAGS (\\Seen)',
  'FLAGS (a) (b)',
  'FLAGS ((a))',
]) {
  test(`refuses the STORE arguments ${bad}`, () => {
    assert.throws(() => parseStore(storeArgs(bad)), FlagError);
  });
}
