import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import type { SmtpListener } from '../src/smtp/inbound.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';
import { addMailbox, plainMessage, SmtpClient, startTestSmtp } from './helpers/mail.ts';

const MAX_MESSAGE_BYTES = 20_000;
const STORAGE_LIMIT = 1_000_000;

let database: TestDatabase;
let smtp: SmtpListener;
let jeanne: number;
let presque: number;

before(async () => {
  database = await createTestDatabase();
  jeanne = await addMailbox(database.db, 'jeanne@exemple.ca');
  await addMailbox(database.db, 'plein@exemple.ca', { storageUsed: BigInt(STORAGE_LIMIT) });
  presque = await addMailbox(database.db, 'presque@exemple.ca', { storageUsed: BigInt(STORAGE_LIMIT - 100) });
  await addMailbox(database.db, 'paul@suspendu.ca', { state: 'suspended' });
  smtp = await startTestSmtp(database.db, database.url, {
    maxMessageBytes: MAX_MESSAGE_BYTES,
    mailboxStorageBytes: STORAGE_LIMIT,
  });
});
after(async () => {
  await smtp.close();
  await database.drop();
});

const countMessages = () => database.db.message.count();

/** A session that has said EHLO and MAIL FROM. */
async function session() {
  const { client, greeting } = await SmtpClient.open(smtp.port);
  assert.equal(greeting.code, 220);
  assert.equal((await client.command('EHLO client.test')).code, 250);
  assert.equal((await client.command('MAIL FROM:<alice@ailleurs.example>')).code, 250);
  return client;
}

describe('SMTP listener: recipients', () => {
  const table: [string, number, RegExp?][] = [
    ['<jeanne@exemple.ca>', 250],
    ['<JEANNE@Exemple.CA>', 250],
    ['<nobody@exemple.ca>', 550, /5\.1\.1/],
    ['<jeanne@ailleurs.example>', 550, /5\.1\.1/], // another domain: never relayed
    ['<jeanne@exemple.ca@ailleurs.example>', 501],
    ['<jeanne@ailleurs.example@exemple.ca>', 501],
    ['<jeanne%ailleurs.example@exemple.ca>', 550],
    ['<ailleurs.example!jeanne@exemple.ca>', 550],
    ['<@exemple.ca:jeanne@ailleurs.example>', 550], // a source route through us to elsewhere
    ['<jeanne@[127.0.0.1]>', 550],
    ['<jeanne@[IPv6:::1]>', 550],
    ['<"jeanne"@exemple.ca>', 550],
    ['<"jeanne@ailleurs.example"@exemple.ca>', 501],
    ['<jeanne@exemple.ca.>', 501],
    ['jeanne@exemple.ca', 501],
    ['<paul@suspendu.ca>', 451, /^451 4\.2\.1 /], // suspended, usually over a bill: senders retry
    ['<plein@exemple.ca>', 452, /4\.2\.2/],
  ];
  for (const [address, code, text] of table) {
    it(`answers RCPT TO:${address} with ${code}`, async () => {
      const client = await session();
      const reply = await client.command(`RCPT TO:${address}`);
      assert.equal(reply.code, code, reply.text);
      if (text) assert.match(reply.text, text);
      client.end();
    });
  }

  it('ignores a source route to a hosted mailbox, as RFC 5321 requires, and delivers locally', async () => {
    const client = await session();
    assert.equal((await client.command('RCPT TO:<@relais.example:jeanne@exemple.ca>')).code, 250);
    client.end();
  });

  it('refuses a recipient whose declared SIZE would overflow its storage quota with 452', async () => {
    const { client } = await SmtpClient.open(smtp.port);
    await client.command('EHLO client.test');
    assert.equal((await client.command('MAIL FROM:<alice@ailleurs.example> SIZE=500')).code, 250);
    const reply = await client.command('RCPT TO:<presque@exemple.ca>');
    assert.equal(reply.code, 452, reply.text);
    assert.match(reply.text, /4\.2\.2/);
    client.end();
  });

  it('refuses a 101st recipient with 452 and delivers to the first 100', async () => {
    const ids: number[] = [];
    for (let i = 1; i <= 101; i++) ids.push(await addMailbox(database.db, `m${i}@nombreux.ca`));
    const client = await session();
    for (let i = 1; i <= 100; i++) assert.equal((await client.command(`RCPT TO:<m${i}@nombreux.ca>`)).code, 250);
    const refused = await client.command('RCPT TO:<m101@nombreux.ca>');
    assert.equal(refused.code, 452, refused.text);
    assert.match(refused.text, /4\.5\.3/);
    assert.equal((await client.data(plainMessage('Cent'))).code, 250);
    assert.equal(await database.db.message.count({ where: { mailboxId: { in: ids.slice(0, 100) } } }), 100);
    assert.equal(await database.db.message.count({ where: { mailboxId: ids[100] } }), 0);
    client.end();
  });
});

describe('SMTP listener: messages', () => {
  it('answers 250 once the message, with a Received header, is in the recipient’s inbox', async () => {
    const client = await session();
    assert.equal((await client.command('RCPT TO:<jeanne@exemple.ca>')).code, 250);
    const reply = await client.data(plainMessage('=?UTF-8?Q?Caf=C3=A9_du_matin?=', 'Le café est prêt.'));
    assert.equal(reply.code, 250, reply.text);
    const stored = await database.db.message.findFirst({
      where: { mailboxId: jeanne, subject: 'Café du matin' },
      include: { body: true, folder: true },
    });
    assert.ok(stored, 'the message is stored');
    assert.equal(stored.folder.specialUse, 'inbox');
    assert.equal(stored.seen, false);
    assert.equal(stored.fromText, 'Alice');
    assert.equal(stored.fromAddress, 'alice@ailleurs.example');
    const raw = Buffer.from(stored.body!.raw).toString('utf8');
    assert.match(
      raw,
      /^Return-Path: <alice@ailleurs\.example>\r\nReceived: from client\.test \(\[127\.0\.0\.1\]\)\r\n/,
    );
    assert.match(raw, /for <jeanne@exemple\.ca>; /);
    assert.match(raw, /Le café est prêt\.\r\n$/);
    assert.equal(stored.size, Buffer.byteLength(raw));
    const mailbox = await database.db.mailbox.findUniqueOrThrow({ where: { id: jeanne } });
    assert.ok(mailbox.storageUsed >= BigInt(stored.size));
    client.end();
  });

  it('takes a message from nodemailer, the way other servers deliver', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false });
    const info = await transport.sendMail({
      from: 'Bob <bob@ailleurs.example>',
      to: 'jeanne@exemple.ca',
      subject: 'Par nodemailer',
      text: 'Bonjour Jeanne',
      attachments: [{ filename: 'notes.txt', content: 'des notes' }],
    });
    assert.deepEqual(info.accepted, ['jeanne@exemple.ca']);
    const stored = await database.db.message.findFirst({ where: { subject: 'Par nodemailer' } });
    assert.deepEqual(stored?.attachments, [{ filename: 'notes.txt', contentType: 'text/plain', size: 9 }]);
    transport.close();
  });

  it('refuses a message over the size limit sent without SIZE with 552 and stores nothing', async () => {
    const before = await countMessages();
    const client = await session();
    assert.equal((await client.command('RCPT TO:<jeanne@exemple.ca>')).code, 250);
    const reply = await client.data(
      plainMessage('Trop gros', 'x'.repeat(70) + '\r\n'.repeat(1) + 'y'.repeat(MAX_MESSAGE_BYTES)),
    );
    assert.equal(reply.code, 552, reply.text);
    assert.match(reply.text, /5\.3\.4/);
    assert.equal(await countMessages(), before);
    assert.equal((await client.command('NOOP')).code, 250, 'the session goes on');
    client.end();
  });

  it('refuses a declared SIZE over the limit at MAIL FROM with 552', async () => {
    const { client } = await SmtpClient.open(smtp.port);
    await client.command('EHLO client.test');
    const reply = await client.command(`MAIL FROM:<alice@ailleurs.example> SIZE=${MAX_MESSAGE_BYTES + 1}`);
    assert.equal(reply.code, 552, reply.text);
    client.end();
  });

  const smuggling: [string, string][] = [
    ['a bare LF line end', 'Subject: a\r\n\r\nune\nligne'],
    [
      'a bare LF dot line (an early end of data for lax servers)',
      'Subject: b\r\n\r\nfin\n.\nMAIL FROM:<x@y.example>\r\n',
    ],
    ['a bare CR', 'Subject: c\r\n\r\nfin\r.\rRCPT TO:<x@y.example>\r\n'],
    ['a CR LF dot LF sequence', 'Subject: d\r\n\r\nfin\r\n.\nDATA\r\n'],
  ];
  for (const [name, message] of smuggling) {
    it(`refuses a message with ${name} with 554 and stores nothing`, async () => {
      const before = await countMessages();
      const client = await session();
      assert.equal((await client.command('RCPT TO:<jeanne@exemple.ca>')).code, 250);
      const reply = await client.data(message);
      assert.equal(reply.code, 554, reply.text);
      assert.equal(await countMessages(), before);
      client.end();
    });
  }

  it('finds a bare CR or LF that straddles the boundary between two network reads', async () => {
    const client = await session();
    assert.equal((await client.command('RCPT TO:<jeanne@exemple.ca>')).code, 250);
    assert.equal((await client.command('DATA')).code, 354);
    const pause = () => new Promise((r) => setTimeout(r, 30));
    await client.write('Subject: e\r\n\r\n' + 'z'.repeat(3000) + '\r');
    await pause();
    await client.write('X\r\n'); // the CR of the previous read is bare
    await pause();
    await client.write('fin\r\n.\r\n');
    const reply = await client.reply();
    assert.equal(reply.code, 554, reply.text);
    client.end();
  });

  it('accepts a CR LF split between two network reads', async () => {
    const client = await session();
    assert.equal((await client.command('RCPT TO:<jeanne@exemple.ca>')).code, 250);
    assert.equal((await client.command('DATA')).code, 354);
    await client.write('Subject: Coupure\r\n\r\n' + 'z'.repeat(3000) + '\r');
    await new Promise((r) => setTimeout(r, 30));
    await client.write('\nfin\r\n.\r\n');
    const reply = await client.reply();
    assert.equal(reply.code, 250, reply.text);
    client.end();
  });

  it('refuses at DATA with 452 a message that would overflow a mailbox’s storage quota', async () => {
    const client = await session();
    assert.equal((await client.command('RCPT TO:<presque@exemple.ca>')).code, 250);
    assert.equal((await client.command('RCPT TO:<jeanne@exemple.ca>')).code, 250);
    const before = await countMessages();
    const reply = await client.data(plainMessage('Débordement', 'x'.repeat(500)));
    assert.equal(reply.code, 452, reply.text);
    assert.match(reply.text, /4\.2\.2/);
    assert.equal(await countMessages(), before, 'no recipient got it: all or none');
    const mailbox = await database.db.mailbox.findUniqueOrThrow({ where: { id: presque } });
    assert.equal(mailbox.storageUsed, BigInt(STORAGE_LIMIT - 100));
    client.end();
  });

  it('refuses a 5000-character command line with 5xx and keeps the session', async () => {
    const client = await session();
    const reply = await client.command(`RCPT TO:<${'a'.repeat(5000)}@exemple.ca>`);
    assert.ok(reply.code >= 500 && reply.code < 600, reply.text);
    assert.equal((await client.command('NOOP')).code, 250);
    client.end();
  });

  it('closes with 421 a line longer than its 16 KiB limit, and keeps serving others', async () => {
    const { client } = await SmtpClient.open(smtp.port);
    await client.write('EHLO ' + 'a'.repeat(20_000) + '\r\n');
    assert.equal((await client.reply()).code, 421);
    await client.closed;
    const next = await SmtpClient.open(smtp.port);
    assert.equal(next.greeting.code, 220);
    next.client.end();
  });

  it('greets with the brand name and offers neither AUTH nor STARTTLS', async () => {
    const { client, greeting } = await SmtpClient.open(smtp.port);
    assert.match(greeting.text, /ESMTP Easymail$/);
    const ehlo = await client.command('EHLO client.test');
    assert.doesNotMatch(ehlo.text, /AUTH|STARTTLS/);
    assert.match(ehlo.text, new RegExp(`SIZE ${MAX_MESSAGE_BYTES}`));
    assert.equal((await client.command('AUTH PLAIN AGplYW5uZQBzZWNyZXQ=')).code, 500);
    client.end();
  });
});

describe('SMTP listener: database failures', () => {
  it('answers 451 at RCPT and at DATA when the database is gone, and stores nothing', async () => {
    const other = await createTestDatabase();
    await addMailbox(other.db, 'jeanne@exemple.ca');
    const listener = await startTestSmtp(other.db, other.url);
    try {
      const { client } = await SmtpClient.open(listener.port);
      await client.envelope('alice@ailleurs.example', ['jeanne@exemple.ca']);
      await other.drop(); // the database disappears between RCPT and DATA
      const data = await client.data(plainMessage('Perdu'));
      assert.equal(data.code, 451, data.text);
      assert.match(data.text, /4\.3\.0/);
      assert.equal((await client.command('MAIL FROM:<alice@ailleurs.example>')).code, 250);
      const rcpt = await client.command('RCPT TO:<jeanne@exemple.ca>');
      assert.equal(rcpt.code, 451, rcpt.text);
      client.end();
    } finally {
      await listener.close();
    }
  });
});
