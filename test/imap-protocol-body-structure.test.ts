import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseSection } from '../src/imap/protocol/fetch-items.ts';
import { describeMessage, extractSection, findPart, parseMimeTree } from '../src/imap/protocol/mime-parts.ts';
import { bodyStructureValue, envelopeValue, formatValue } from '../src/imap/protocol/response.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/imap/${name}`, import.meta.url));

function structure(raw: Buffer, extended = true): string {
  return formatValue(bodyStructureValue(describeMessage(raw).bodyStructure, extended)).toString();
}

function section(raw: Buffer, text: string, partial: { start: number; length: number } | null = null): string | null {
  const bytes = extractSection(raw, parseMimeTree(raw), parseSection(text), partial);
  return bytes === null ? null : bytes.toString('latin1');
}

const ALTERNATIVE =
  '(("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 47 3 NIL NIL NIL NIL)' +
  '("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "7BIT" 58 2 NIL NIL NIL NIL)' +
  ' "ALTERNATIVE" ("BOUNDARY" "alt-boundary") NIL NIL NIL)';

test('describes multipart/alternative as BODYSTRUCTURE', () => {
  assert.equal(structure(fixture('multipart-alternative.eml')), ALTERNATIVE);
});

test('describes multipart/alternative as BODY without extension data', () => {
  assert.equal(
    structure(fixture('multipart-alternative.eml'), false),
    '(("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 47 3)' +
      '("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "7BIT" 58 2) "ALTERNATIVE")',
  );
});

test('describes multipart/mixed with an attachment, its id, description, disposition and languages', () => {
  assert.equal(
    structure(fixture('multipart-mixed-attachment.eml')),
    '(("TEXT" "PLAIN" ("CHARSET" "iso-8859-1") NIL NIL "8BIT" 17 1 NIL NIL ("fr" "en") NIL)' +
      '("APPLICATION" "PDF" ("NAME" "report.pdf") "<part2@example.org>" "Annual report" "BASE64" 72 NIL' +
      ' ("ATTACHMENT" ("FILENAME" "report.pdf")) NIL NIL)' +
      ' "MIXED" ("BOUNDARY" "==mixed==") NIL NIL NIL)',
  );
});

test('describes a forwarded message/rfc822 with its envelope and body', () => {
  const inner = '(("Alice Example" NIL "alice" "example.com"))';
  assert.equal(
    structure(fixture('message-rfc822-forward.eml')),
    '(("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 10 1 NIL NIL NIL NIL)' +
      '("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 186' +
      ` ("Tue, 2 Jan 2024 10:00:00 +0100" "Lunch?" ${inner} ${inner} ${inner} ((NIL NIL "carol" "example.net"))` +
      ' NIL NIL NIL "<inner-1@example.com>")' +
      ' ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 28 1 NIL NIL NIL NIL)' +
      ' 7 NIL ("INLINE" NIL) NIL NIL)' +
      ' "MIXED" ("BOUNDARY" "outer") NIL NIL NIL)',
  );
});

test('describes malformed mail: bare LF, a part without blank line, a bad type, no closing boundary', () => {
  assert.equal(
    structure(fixture('malformed.eml')),
    '(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 18 1 NIL NIL NIL NIL)' +
      '("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 5 1 NIL NIL NIL NIL)' +
      ' "MIXED" ("BOUNDARY" "XYZ") NIL NIL NIL)',
  );
});

test('describes a message without MIME headers as us-ascii text', () => {
  assert.equal(
    structure(Buffer.from('Subject: hi\r\n\r\nline one\r\nline two\r\n')),
    '("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 20 2 NIL NIL NIL NIL)',
  );
});

test('describes a message without a blank line as all header', () => {
  assert.equal(
    structure(Buffer.from('Subject: hi\r\nFrom: a@b\r\n')),
    '("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 0 0 NIL NIL NIL NIL)',
  );
});

test('describes a multipart without a boundary parameter as one plain part', () => {
  assert.equal(
    structure(Buffer.from('Content-Type: multipart/mixed\r\n\r\nhello\r\n')),
    '(("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 7 1 NIL NIL NIL NIL) "MIXED" NIL NIL NIL NIL)',
  );
});

test('describes a multipart whose boundary never appears as one plain part', () => {
  const raw = Buffer.from('Content-Type: multipart/mixed; boundary=nope\r\n\r\nhello\r\n');
  assert.match(structure(raw), /^\(\("TEXT" "PLAIN" .* 7 1 .*\) "MIXED" \("BOUNDARY" "nope"\)/);
});

test('ignores boundary-like text that is not at the start of a line', () => {
  const raw = Buffer.from(
    'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nsee --b here\r\n--bx\r\n--b--\r\n',
  );
  const tree = parseMimeTree(raw);
  assert.equal(tree.children.length, 1);
  assert.equal(section(raw, '1'), 'see --b here\r\n--bx');
});

test('treats message/digest parts without Content-Type as message/rfc822', () => {
  const raw = Buffer.from(
    'Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: one\r\n\r\nbody\r\n--d--\r\n',
  );
  assert.match(structure(raw), /^\(\("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 20 \(NIL "one"/);
});

test('shows a base64-encoded message/rfc822 part as opaque data', () => {
  const raw = Buffer.from(
    'Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\nU3ViamVjdDogaGkNCg0KaGk=\r\n',
  );
  assert.equal(structure(raw), '("APPLICATION" "OCTET-STREAM" NIL NIL NIL "BASE64" 26 NIL NIL NIL NIL)');
});

test('stops nesting at the depth limit', () => {
  let raw = 'body\r\n';
  for (let i = 0; i < 100; i++)
    raw = `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n${raw}\r\n--b${i}--\r\n`;
  const tree = parseMimeTree(Buffer.from(raw));
  let depth = 0;
  for (let node = tree; node.children[0]; node = node.children[0]) depth++;
  assert.equal(depth, 32);
  assert.ok(structure(Buffer.from(raw)).includes('"APPLICATION" "OCTET-STREAM"'));
});

test('splits 5,000 parts quickly', () => {
  const parts = Array.from({ length: 5000 }, (_, i) => `--x\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('');
  const raw = Buffer.from(`Content-Type: multipart/mixed; boundary=x\r\n\r\n${parts}--x--\r\n`);
  const started = performance.now();
  assert.equal(parseMimeTree(raw).children.length, 5000);
  assert.ok(performance.now() - started < 1000);
});

test('builds the top-level ENVELOPE with groups and raw encoded words', () => {
  const { envelope } = describeMessage(fixture('multipart-mixed-attachment.eml'));
  assert.equal(
    formatValue(envelopeValue(envelope)).toString(),
    '("Wed, 3 Jan 2024 09:30:00 +0000" "=?utf-8?q?Rapport_annuel?="' +
      ' (("Bob" NIL "bob" "example.org")) (("Bob" NIL "bob" "example.org")) (("Bob" NIL "bob" "example.org"))' +
      ' ((NIL NIL "alice" "example.com"))' +
      ' ((NIL NIL "Team" NIL)(NIL NIL "dave" "example.org")("Eve, E." NIL "eve" "example.org")(NIL NIL NIL NIL))' +
      ' NIL "<alt-1@example.com>" "<mixed-2@example.org>")',
  );
});

test('fetches HEADER and TEXT of the whole message', () => {
  const raw = fixture('message-rfc822-forward.eml');
  const header = section(raw, 'HEADER')!;
  assert.ok(header.startsWith('From: carol@example.net\r\n'));
  assert.ok(header.endsWith('boundary=outer\r\n\r\n'));
  assert.equal(header.length + section(raw, 'TEXT')!.length, raw.length);
  assert.equal(section(raw, ''), raw.toString('latin1'));
});

test('fetches numbered parts, MIME headers and the parts of an enclosed message', () => {
  const raw = fixture('message-rfc822-forward.eml');
  assert.equal(section(raw, '1'), 'See below.');
  assert.equal(section(raw, '1.MIME'), 'Content-Type: text/plain; charset=us-ascii\r\n\r\n');
  assert.equal(section(raw, '2.MIME'), 'Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n');
  assert.equal(section(raw, '2')!.length, 186);
  assert.ok(section(raw, '2.HEADER')!.endsWith('Message-ID: <inner-1@example.com>\r\n\r\n'));
  assert.equal(section(raw, '2.TEXT'), 'Shall we have lunch at noon?');
  assert.equal(section(raw, '2.1'), 'Shall we have lunch at noon?');
});

test('returns null for sections that do not exist', () => {
  const raw = fixture('message-rfc822-forward.eml');
  for (const text of ['3', '1.1', '2.2', '1.HEADER', '2.1.1', '9.MIME']) assert.equal(section(raw, text), null, text);
});

test('numbers the body of a single-part message as part 1', () => {
  const raw = Buffer.from('Subject: x\r\n\r\nhello');
  assert.equal(section(raw, '1'), 'hello');
  assert.equal(section(raw, '1.MIME'), 'Subject: x\r\n\r\n');
  assert.equal(section(raw, '2'), null);
  assert.deepEqual(findPart(parseMimeTree(raw), []), parseMimeTree(raw));
});

test('fetches HEADER.FIELDS in message order with folded lines and the blank line', () => {
  const raw = Buffer.from('Subject: a\r\n b\r\nFrom: x@y\r\nTo: z@w\r\nsubject: again\r\n\r\nbody');
  assert.equal(section(raw, 'HEADER.FIELDS (FROM SUBJECT)'), 'Subject: a\r\n b\r\nFrom: x@y\r\nsubject: again\r\n\r\n');
  assert.equal(section(raw, 'HEADER.FIELDS.NOT (SUBJECT FROM)'), 'To: z@w\r\n\r\n');
  assert.equal(section(raw, 'HEADER.FIELDS (X-NONE)'), '\r\n');
});

test('fetches HEADER.FIELDS of an enclosed message', () => {
  assert.equal(section(fixture('message-rfc822-forward.eml'), '2.HEADER.FIELDS (SUBJECT)'), 'Subject: Lunch?\r\n\r\n');
});

test('applies <start.length> partials and clips them to the section', () => {
  const raw = fixture('message-rfc822-forward.eml');
  assert.equal(section(raw, '1', { start: 0, length: 5 }), 'See b');
  assert.equal(section(raw, '1', { start: 4, length: 100 }), 'below.');
  assert.equal(section(raw, '1', { start: 100, length: 10 }), '');
});
