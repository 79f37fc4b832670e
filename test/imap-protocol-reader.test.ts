import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CommandReader,
  asAString,
  isNil,
  type ImapCommand,
  type ReaderEvent,
  type ReaderLimits,
} from '../src/imap/protocol/reader.ts';

const LIMITS: ReaderLimits = {
  maxLineBytes: 1024,
  maxLiteralBytes: (command) => (command === 'APPEND' ? 10_000 : 100),
  maxListDepth: 16,
};

function drain(reader: CommandReader): ReaderEvent[] {
  const events: ReaderEvent[] = [];
  for (let event = reader.next(); event; event = reader.next()) events.push(event);
  return events;
}

function feed(input: string | Buffer, limits = LIMITS): ReaderEvent[] {
  const reader = new CommandReader(limits);
  reader.push(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
  return drain(reader);
}

function only(input: string | Buffer): ImapCommand {
  const events = feed(input);
  assert.equal(events.length, 1, JSON.stringify(events));
  const event = events[0]!;
  assert.equal(event.type, 'command', JSON.stringify(event));
  return (event as { command: ImapCommand }).command;
}

test('reads a tag, an upper-cased command name and atoms', () => {
  const command = only('a1 select INBOX\r\n');
  assert.deepEqual(command, { tag: 'a1', name: 'SELECT', args: [{ kind: 'atom', value: 'INBOX' }] });
});

test('reads a command without arguments', () => {
  assert.deepEqual(only('x NOOP\r\n'), { tag: 'x', name: 'NOOP', args: [] });
});

test('joins UID and its command into one name', () => {
  const command = only('a uid fetch 1:* (FLAGS)\r\n');
  assert.equal(command.name, 'UID FETCH');
  assert.deepEqual(command.args[0], { kind: 'atom', value: '1:*' });
});

test('unescapes quoted strings', () => {
  const command = only('a LOGIN "us\\"er" "p\\\\w d"\r\n');
  assert.deepEqual(command.args, [
    { kind: 'string', value: 'us"er' },
    { kind: 'string', value: 'p\\w d' },
  ]);
});

test('decodes UTF-8 in quoted strings', () => {
  assert.deepEqual(only('a SELECT "Boîte"\r\n').args, [{ kind: 'string', value: 'Boîte' }]);
});

test('refuses an invalid escape in a quoted string', () => {
  const [event] = feed('a LOGIN "a\\nb" x\r\n');
  assert.deepEqual(event, { type: 'bad', tag: 'a', code: 'SYNTAX', message: 'Invalid escape in quoted string' });
});

test('refuses an unterminated quoted string', () => {
  const [event] = feed('a LOGIN "abc\r\n');
  assert.equal(event?.type, 'bad');
});

test('refuses invalid UTF-8 in a quoted string', () => {
  const [event] = feed(Buffer.concat([Buffer.from('a SELECT "'), Buffer.from([0xff, 0xfe]), Buffer.from('"\r\n')]));
  assert.equal(event?.type, 'bad');
});

test('keeps NIL as an atom and tells it apart with isNil', () => {
  const command = only('a X NIL nil "NIL"\r\n');
  assert.ok(isNil(command.args[0]));
  assert.ok(isNil(command.args[1]));
  assert.ok(!isNil(command.args[2]));
  assert.equal(asAString(command.args[0]), 'NIL');
});

test('reads nested lists', () => {
  const command = only('a STORE 1 +FLAGS (\\Seen (a b) "c")\r\n');
  assert.deepEqual(command.args[2], {
    kind: 'list',
    items: [
      { kind: 'atom', value: '\\Seen' },
      {
        kind: 'list',
        items: [
          { kind: 'atom', value: 'a' },
          { kind: 'atom', value: 'b' },
        ],
      },
      { kind: 'string', value: 'c' },
    ],
  });
});

test('reads an empty list', () => {
  assert.deepEqual(only('a X ()\r\n').args, [{ kind: 'list', items: [] }]);
});

test('keeps a bracketed fetch section with spaces in one atom', () => {
  const command = only('a FETCH 1 (BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100> UID)\r\n');
  assert.deepEqual(command.args[1], {
    kind: 'list',
    items: [
      { kind: 'atom', value: 'BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100>' },
      { kind: 'atom', value: 'UID' },
    ],
  });
});

test('reads an unclosed [ as an ordinary atom character', () => {
  assert.deepEqual(only('a SELECT foo[bar (x)\r\n').args, [
    { kind: 'atom', value: 'foo[bar' },
    { kind: 'list', items: [{ kind: 'atom', value: 'x' }] },
  ]);
  assert.deepEqual(only('a SELECT [Gmail]/Sent\r\n').args, [{ kind: 'atom', value: '[Gmail]/Sent' }]);
});

test('collects a 25 MiB literal in 64 KiB chunks quickly', () => {
  const limits = { ...LIMITS, maxLiteralBytes: () => 25 * 1024 * 1024 };
  const reader = new CommandReader(limits);
  const chunk = Buffer.alloc(64 * 1024, 'm');
  const started = performance.now();
  reader.push(Buffer.from(`a APPEND INBOX {${25 * 1024 * 1024}+}\r\n`));
  for (let i = 0; i < 400; i++) {
    reader.push(chunk);
    assert.equal(reader.next(), null);
  }
  reader.push(Buffer.from('\r\n'));
  const event = reader.next();
  assert.equal(
    event?.type === 'command' && event.command.args[1]?.kind === 'literal' && event.command.args[1].value.length,
    25 * 1024 * 1024,
  );
  assert.ok(performance.now() - started < 2000);
});

test('refuses an unbalanced list', () => {
  assert.equal(feed('a X (a b\r\n')[0]?.type, 'bad');
  assert.equal(feed('a X a b)\r\n')[0]?.type, 'bad');
});

test('accepts a bare LF as the end of a line', () => {
  assert.equal(only('a NOOP\n').name, 'NOOP');
});

test('ignores empty lines between commands', () => {
  const events = feed('\r\n\r\na NOOP\r\n');
  assert.equal(events.length, 1);
});

test('asks for a continuation before a synchronising literal', () => {
  const reader = new CommandReader(LIMITS);
  reader.push(Buffer.from('a LOGIN {4}\r\n'));
  assert.deepEqual(drain(reader), [{ type: 'continue' }]);
  reader.push(Buffer.from('user {4}\r\n'));
  assert.deepEqual(drain(reader), [{ type: 'continue' }]);
  reader.push(Buffer.from('pass\r\n'));
  const [event] = drain(reader);
  assert.deepEqual(event, {
    type: 'command',
    command: {
      tag: 'a',
      name: 'LOGIN',
      args: [
        { kind: 'literal', value: Buffer.from('user') },
        { kind: 'literal', value: Buffer.from('pass') },
      ],
    },
  });
});

test('reads a non-synchronising literal without asking for a continuation', () => {
  const events = feed('a LOGIN {4+}\r\nuser {4+}\r\npass\r\n');
  assert.equal(events.length, 1);
  assert.equal(events[0]?.type, 'command');
});

test('reads a literal with CR, LF and NUL bytes as they are', () => {
  const data = Buffer.from('a\r\nb\0c\n');
  const command = only(Buffer.concat([Buffer.from(`a APPEND INBOX {${data.length}+}\r\n`), data, Buffer.from('\r\n')]));
  assert.deepEqual(command.args[1], { kind: 'literal', value: data });
});

test('reads a zero-length literal', () => {
  const command = only('a LOGIN {0+}\r\n {0+}\r\n\r\n');
  assert.deepEqual(command.args, [
    { kind: 'literal', value: Buffer.alloc(0) },
    { kind: 'literal', value: Buffer.alloc(0) },
  ]);
});

test('reads a literal inside a list', () => {
  const command = only('a X (a {1+}\r\nb c)\r\n');
  assert.deepEqual(command.args[0], {
    kind: 'list',
    items: [
      { kind: 'atom', value: 'a' },
      { kind: 'literal', value: Buffer.from('b') },
      { kind: 'atom', value: 'c' },
    ],
  });
});

test('collects a large literal arriving in many chunks', () => {
  const reader = new CommandReader(LIMITS);
  const body = Buffer.alloc(9000, 'x');
  reader.push(Buffer.from(`a APPEND INBOX {${body.length}}\r\n`));
  assert.deepEqual(drain(reader), [{ type: 'continue' }]);
  for (let i = 0; i < body.length; i += 1000) {
    reader.push(body.subarray(i, i + 1000));
    assert.deepEqual(drain(reader), []);
  }
  reader.push(Buffer.from('\r\n'));
  const [event] = drain(reader);
  assert.equal(event?.type, 'command');
  const command = (event as { command: ImapCommand }).command;
  assert.deepEqual(command.args[1], { kind: 'literal', value: body });
});

test('parses a command split at every byte', () => {
  const input = Buffer.from('a1 LOGIN {3}\r\nbob "sec ret"\r\n');
  const reader = new CommandReader(LIMITS);
  const events: ReaderEvent[] = [];
  for (const byte of input) {
    reader.push(Buffer.from([byte]));
    events.push(...drain(reader));
  }
  assert.deepEqual(
    events.map((e) => e.type),
    ['continue', 'command'],
  );
});

test('waits for more data on an unterminated literal', () => {
  const reader = new CommandReader(LIMITS);
  reader.push(Buffer.from('a LOGIN {10+}\r\nabc'));
  assert.deepEqual(drain(reader), []);
  assert.ok(reader.midCommand);
});

test('refuses a synchronising literal over the limit with BAD and no continuation', () => {
  const reader = new CommandReader(LIMITS);
  reader.push(Buffer.from('a LOGIN {101}\r\n'));
  const [event] = drain(reader);
  assert.equal(event?.type, 'bad');
  assert.equal((event as { code: string }).code, 'LITERAL_TOO_LARGE');
  assert.equal((event as { tag: string }).tag, 'a');
  reader.push(Buffer.from('b NOOP\r\n'));
  assert.equal(drain(reader)[0]?.type, 'command');
});

test('allows APPEND a larger literal than other commands', () => {
  const events = feed('a APPEND INBOX {5000}\r\n');
  assert.deepEqual(events, [{ type: 'continue' }]);
});

test('counts all literals of one command against the limit', () => {
  const [event] = feed('a LOGIN {60+}\r\n' + 'x'.repeat(60) + ' {60}\r\n');
  assert.equal((event as { code: string }).code, 'LITERAL_TOO_LARGE');
});

test('closes the connection on a non-synchronising literal over the limit', () => {
  const reader = new CommandReader(LIMITS);
  reader.push(Buffer.from('a LOGIN {4294967296+}\r\nb NOOP\r\n'));
  const events = drain(reader);
  assert.deepEqual(events, [
    { type: 'close', code: 'LITERAL_TOO_LARGE', message: 'Non-synchronising literal too large' },
  ]);
  reader.push(Buffer.from('c NOOP\r\n'));
  assert.equal(reader.next(), null);
});

test('refuses a line over the limit and resynchronises on the next line', () => {
  const events = feed('a X ' + 'y'.repeat(2000) + '\r\nb NOOP\r\n');
  assert.equal(events.length, 2);
  assert.deepEqual(events[0], { type: 'bad', tag: 'a', code: 'LINE_TOO_LONG', message: 'Command line too long' });
  assert.equal(events[1]?.type, 'command');
});

test('refuses a line over the limit that arrives in small chunks', () => {
  const reader = new CommandReader(LIMITS);
  const events: ReaderEvent[] = [];
  reader.push(Buffer.from('a X '));
  for (let i = 0; i < 100; i++) {
    reader.push(Buffer.alloc(100, 'z'));
    events.push(...drain(reader));
  }
  reader.push(Buffer.from('\r\nb NOOP\r\n'));
  events.push(...drain(reader));
  assert.deepEqual(
    events.map((e) => e.type),
    ['bad', 'command'],
  );
});

test('skips the non-synchronising literal of an overlong line instead of reading it as commands', () => {
  const events = feed('a APPEND ' + 'y'.repeat(2000) + ' {12+}\r\nc DELETE foo\r\n\r\nb NOOP\r\n');
  assert.deepEqual(
    events.map((e) => (e.type === 'command' ? e.command.tag : e.type)),
    ['bad', 'b'],
  );
});

test('counts text over several literal lines against the line limit', () => {
  const line = 'x'.repeat(600);
  const [event] = feed(`a LOGIN ${line} {1+}\r\n1 ${line}\r\n`);
  assert.equal((event as { code: string }).code, 'LINE_TOO_LONG');
});

test('refuses lists nested deeper than the limit', () => {
  const [event] = feed('a X ' + '('.repeat(17) + ')'.repeat(17) + '\r\n');
  assert.equal((event as { code: string }).code, 'TOO_DEEP');
  assert.equal(feed('a X ' + '('.repeat(16) + ')'.repeat(16) + '\r\n')[0]?.type, 'command');
});

test('refuses lists nested 1000 deep', () => {
  const [event] = feed('a X ' + '('.repeat(1000) + ')'.repeat(1000) + '\r\n', { ...LIMITS, maxLineBytes: 4096 });
  assert.equal((event as { code: string }).code, 'TOO_DEEP');
});

test('refuses NUL bytes in a command line', () => {
  const [event] = feed(Buffer.from('a SELECT IN\0BOX\r\n'));
  assert.deepEqual(event, { type: 'bad', tag: 'a', code: 'SYNTAX', message: 'NUL byte in command' });
  assert.equal(feed(Buffer.from('a SELECT "IN\0BOX"\r\n'))[0]?.type, 'bad');
});

test('refuses 8-bit bytes and control characters in atoms', () => {
  assert.equal(feed(Buffer.from([0x61, 0x20, 0x58, 0x20, 0xe9, 0x0d, 0x0a]))[0]?.type, 'bad');
  assert.equal(feed('a X b\x01c\r\n')[0]?.type, 'bad');
});

test('refuses a literal that is not at the end of a line', () => {
  assert.equal(feed('a LOGIN {3} foo\r\n')[0]?.type, 'bad');
});

test('refuses a literal glued to an atom', () => {
  assert.equal(feed('a LOGIN foo{3+}\r\nbar\r\n')[0]?.type, 'bad');
});

test('answers an invalid tag with an untagged BAD', () => {
  assert.deepEqual(feed('a+b NOOP\r\n')[0], {
    type: 'bad',
    tag: null,
    code: 'SYNTAX',
    message: 'Missing or invalid tag',
  });
  assert.equal(feed('* NOOP\r\n')[0]?.type, 'bad');
});

test('refuses a line with a tag but no command', () => {
  assert.equal(feed('a\r\n')[0]?.type, 'bad');
});

test('parses 10,000 pipelined commands from one buffer in order, quickly', () => {
  const input = Buffer.from(
    Array.from({ length: 10_000 }, (_, i) => `t${i} UID FETCH ${i + 1}:* (FLAGS BODY.PEEK[HEADER])\r\n`).join(''),
  );
  const started = performance.now();
  const events = feed(input);
  const elapsed = performance.now() - started;
  assert.equal(events.length, 10_000);
  events.forEach((event, i) => {
    assert.equal(event.type === 'command' && event.command.tag, `t${i}`);
  });
  assert.ok(elapsed < 1000, `took ${elapsed} ms`);
});

test('reads a continuation line for AUTHENTICATE or IDLE without parsing it', () => {
  const reader = new CommandReader(LIMITS);
  reader.push(Buffer.from('a IDLE\r\nDONE\r\nb NOOP\r\n'));
  assert.equal(reader.next()?.type, 'command');
  assert.deepEqual(reader.nextLine(), { type: 'line', line: Buffer.from('DONE') });
  const next = reader.next();
  assert.equal(next?.type === 'command' && next.command.tag, 'b');
});

test('waits for a continuation line that has not arrived', () => {
  const reader = new CommandReader(LIMITS);
  reader.push(Buffer.from('dGVzdA'));
  assert.equal(reader.nextLine(), null);
  reader.push(Buffer.from('==\r\n'));
  assert.deepEqual(reader.nextLine(), { type: 'line', line: Buffer.from('dGVzdA==') });
});

test('refuses a continuation line over the limit', () => {
  const reader = new CommandReader(LIMITS);
  reader.push(Buffer.from('x'.repeat(3000) + '\r\nDONE\r\n'));
  assert.equal(reader.nextLine()?.type, 'bad');
  assert.deepEqual(reader.nextLine(), { type: 'line', line: Buffer.from('DONE') });
});
