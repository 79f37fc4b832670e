import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import type { Config } from '../src/config.ts';
import { readMessage } from '../src/mail/mime.ts';
import { sendMessage, type OutgoingMessage } from '../src/mail/send.ts';
import { testConfig } from './helpers/app.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';
import { addMailbox } from './helpers/mail.ts';

let database: TestDatabase;
let config: Config;
let jeanne: number;
let paul: number;
let relay: { port: number; received: { from: string; to: string[]; raw: string }[]; close(): Promise<void> };

/** A smarthost for the relay tests: takes everything (or refuses every recipient) and keeps what it got. */
async function startRelay(refuse = false): Promise<typeof relay> {
  const received: typeof relay.received = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      callback(refuse ? Object.assign(new Error('no relaying'), { responseCode: 554 }) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

before(async () => {
  database = await createTestDatabase();
  config = testConfig(database.url, { mailboxStorageBytes: 1_000_000, maxMessageBytes: 50_000 });
  jeanne = await addMailbox(database.db, 'jeanne@monomdedomaine.ca');
  paul = await addMailbox(database.db, 'paul@monomdedomaine.ca');
  await addMailbox(database.db, 'luc@suspendu.ca', { state: 'suspended' });
  relay = await startRelay();
});
after(async () => {
  await relay.close();
  await database.drop();
});

const jeanneSends = () => ({ mailboxId: jeanne, address: 'jeanne@monomdedomaine.ca' });
const draft = (fields: Partial<OutgoingMessage>): OutgoingMessage => ({
  to: [],
  cc: [],
  subject: 'Bonjour',
  text: 'Un message.',
  attachments: [],
  ...fields,
});

/** Everything stored: message count and storage used, to show a refusal changed nothing. */
async function snapshot() {
  const messages = await database.db.message.count();
  const storage = (await database.db.mailbox.findMany({ orderBy: { id: 'asc' } })).map((m) => m.storageUsed);
  return { messages, storage };
}

describe('sendMessage', () => {
  it('delivers to a hosted mailbox’s inbox at once and keeps a read copy in the sender’s Envoyés', async () => {
    const sent = await sendMessage(
      database.db,
      config,
      jeanneSends(),
      draft({
        to: ['Paul Tremblay <PAUL@MonomDeDomaine.ca>'],
        subject: 'Réunion de lundi',
        text: 'Bonjour Paul,\nÀ lundi.',
        attachments: [{ filename: 'ordre.txt', contentType: 'text/plain', content: Buffer.from('1. budget') }],
      }),
    );
    assert.ok(sent.ok, sent.ok ? '' : sent.message);
    const inbox = await database.db.message.findUniqueOrThrow({
      where: { id: sent.value.deliveredIds[0] },
      include: { body: true, folder: true },
    });
    assert.equal(inbox.mailboxId, paul);
    assert.equal(inbox.folder.specialUse, 'inbox');
    assert.equal(inbox.seen, false);
    assert.equal(inbox.subject, 'Réunion de lundi');
    assert.equal(inbox.fromAddress, 'jeanne@monomdedomaine.ca');
    assert.equal(inbox.messageIdHeader, sent.value.messageId);
    assert.deepEqual(inbox.attachments, [{ filename: 'ordre.txt', contentType: 'text/plain', size: 9 }]);
    const read = await readMessage(Buffer.from(inbox.body!.raw));
    assert.equal(read.text.trim(), 'Bonjour Paul,\nÀ lundi.');
    assert.deepEqual(read.toAddresses, ['PAUL@monomdedomaine.ca'], 'the local part as typed, the domain as stored');

    const copy = await database.db.message.findUniqueOrThrow({
      where: { id: sent.value.sentId },
      include: { folder: true },
    });
    assert.deepEqual([copy.mailboxId, copy.folder.specialUse, copy.seen], [jeanne, 'sent', true]);
    const [paulBox, jeanneBox] = await Promise.all(
      [paul, jeanne].map((id) => database.db.mailbox.findUniqueOrThrow({ where: { id } })),
    );
    assert.ok(paulBox!.storageUsed >= BigInt(inbox.size) && jeanneBox!.storageUsed >= BigInt(copy.size));
  });

  it('delivers a message to oneself in the inbox and in Envoyés', async () => {
    const sent = await sendMessage(database.db, config, jeanneSends(), draft({ to: ['jeanne@monomdedomaine.ca'] }));
    assert.ok(sent.ok);
    const copies = await database.db.message.findMany({
      where: { id: { in: [...sent.value.deliveredIds, sent.value.sentId] } },
      include: { folder: true },
    });
    assert.deepEqual(copies.map((m) => m.folder.specialUse).sort(), ['inbox', 'sent']);
  });

  it('refuses outside mail when no relay is configured, plainly, and stores nothing anywhere', async () => {
    const before = await snapshot();
    const sent = await sendMessage(
      database.db,
      config,
      jeanneSends(),
      draft({ to: ['paul@monomdedomaine.ca'], cc: ['client@ailleurs.example'] }),
    );
    assert.deepEqual(sent, {
      ok: false,
      kind: 'invalid',
      message: 'mail.errors.outsideMailDisabled',
      params: { address: 'client@ailleurs.example' },
      field: 'cc',
    });
    assert.deepEqual(await snapshot(), before);
  });

  it('hands outside mail to the relay and delivers hosted recipients locally', async () => {
    const withRelay = { ...config, relayUrl: `smtp://127.0.0.1:${relay.port}` };
    const sent = await sendMessage(
      database.db,
      withRelay,
      jeanneSends(),
      draft({ to: ['client@ailleurs.example', 'paul@monomdedomaine.ca'], subject: 'Par le relais' }),
    );
    assert.ok(sent.ok, sent.ok ? '' : sent.message);
    assert.deepEqual(sent.value.relayed, ['client@ailleurs.example']);
    const got = relay.received.at(-1)!;
    assert.deepEqual([got.from, got.to], ['jeanne@monomdedomaine.ca', ['client@ailleurs.example']]);
    assert.match(got.raw, /^Subject: Par le relais\r$/m);
    assert.equal(sent.value.deliveredIds.length, 1);
    const stored = await database.db.message.findUniqueOrThrow({
      where: { id: sent.value.sentId },
      include: { body: true },
    });
    assert.equal(Buffer.from(stored.body!.raw).toString('utf8'), got.raw, 'the relay got exactly the stored message');
  });

  it('refuses, and stores nothing, when the relay will not take the message', async () => {
    const refusing = await startRelay(true);
    try {
      const before = await snapshot();
      const sent = await sendMessage(
        database.db,
        { ...config, relayUrl: `smtp://127.0.0.1:${refusing.port}` },
        jeanneSends(),
        draft({ to: ['client@ailleurs.example', 'paul@monomdedomaine.ca'] }),
      );
      assert.deepEqual(sent, { ok: false, kind: 'unavailable', message: 'mail.errors.relayFailed' });
      assert.deepEqual(await snapshot(), before);
    } finally {
      await refusing.close();
    }
  });

  const refusals: [string, Partial<OutgoingMessage>, object][] = [
    ['no recipient', { to: [' '], cc: [] }, { message: 'mail.errors.noRecipient', field: 'to' }],
    [
      'an invalid address, naming it',
      { to: ['paul@monomdedomaine.ca', 'pas une adresse'] },
      { message: 'mail.errors.invalidAddress', params: { address: 'pas une adresse' }, field: 'to' },
    ],
    [
      'an address literal',
      { cc: ['root@[127.0.0.1]'] },
      { message: 'mail.errors.invalidAddress', params: { address: 'root@[127.0.0.1]' }, field: 'cc' },
    ],
    [
      'an unknown hosted address, naming it, before delivering to the others',
      { to: ['paul@monomdedomaine.ca', 'personne@monomdedomaine.ca'] },
      { message: 'mail.errors.unknownRecipient', params: { address: 'personne@monomdedomaine.ca' }, field: 'to' },
    ],
    [
      'a mailbox of a suspended domain',
      { to: ['luc@suspendu.ca'] },
      { message: 'mail.errors.unknownRecipient', params: { address: 'luc@suspendu.ca' }, field: 'to' },
    ],
    [
      'a 101st recipient',
      { to: Array.from({ length: 101 }, (_, i) => `r${i}@monomdedomaine.ca`) },
      { message: 'mail.errors.tooManyRecipients', params: { max: 100 }, field: 'to' },
    ],
    [
      'a message over the size limit',
      {
        to: ['paul@monomdedomaine.ca'],
        attachments: [{ filename: 'gros.bin', contentType: 'application/octet-stream', content: Buffer.alloc(60_000) }],
      },
      { message: 'mail.errors.tooLarge', params: { max: 0 }, field: 'attachments' },
    ],
  ];
  for (const [name, fields, refusal] of refusals) {
    it(`refuses ${name} and stores nothing`, async () => {
      const before = await snapshot();
      const sent = await sendMessage(database.db, config, jeanneSends(), draft(fields));
      assert.deepEqual(sent, { ok: false, kind: 'invalid', ...refusal });
      assert.deepEqual(await snapshot(), before);
    });
  }

  it('refuses when the sender’s own mailbox is full', async () => {
    const full = await addMailbox(database.db, 'plein@monomdedomaine.ca', { storageUsed: 999_900n });
    const sent = await sendMessage(
      database.db,
      config,
      { mailboxId: full, address: 'plein@monomdedomaine.ca' },
      draft({ to: ['paul@monomdedomaine.ca'] }),
    );
    assert.deepEqual(sent, { ok: false, kind: 'conflict', message: 'mail.errors.senderStorageFull' });
  });

  it('makes header injection impossible through the subject or a display name', async () => {
    const sent = await sendMessage(
      database.db,
      config,
      jeanneSends(),
      draft({
        to: ['"Paul\r\nBcc: espion@ailleurs.example" <paul@monomdedomaine.ca>'],
        subject: 'Salut\r\nBcc: espion@ailleurs.example\r\n\r\nfaux corps',
        inReplyTo: '<a@b>\r\nBcc: espion@ailleurs.example',
      }),
    );
    assert.ok(sent.ok, sent.ok ? '' : sent.message);
    const stored = await database.db.message.findUniqueOrThrow({
      where: { id: sent.value.sentId },
      include: { body: true },
    });
    const raw = Buffer.from(stored.body!.raw).toString('utf8');
    const headers = raw.slice(0, raw.indexOf('\r\n\r\n'));
    assert.doesNotMatch(headers, /^(Bcc|In-Reply-To):/im);
    assert.doesNotMatch(raw, /\r\n\r\nfaux corps/);
    assert.equal(stored.subject, 'Salut Bcc: espion@ailleurs.example faux corps');
  });

  it('threads a reply with In-Reply-To and References', async () => {
    const sent = await sendMessage(
      database.db,
      config,
      jeanneSends(),
      draft({
        to: ['paul@monomdedomaine.ca'],
        inReplyTo: '<orig@x.example>',
        references: ['<first@x.example>', '<orig@x.example>'],
      }),
    );
    assert.ok(sent.ok);
    const stored = await database.db.messageBody.findUniqueOrThrow({ where: { messageId: sent.value.sentId } });
    const raw = Buffer.from(stored.raw).toString('utf8');
    assert.match(raw, /^In-Reply-To: <orig@x\.example>\r$/m);
    assert.match(raw, /^References: <first@x\.example> <orig@x\.example>\r$/m);
  });
});
