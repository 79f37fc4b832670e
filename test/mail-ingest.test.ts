import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { provisionDemo } from '../src/demo.ts';
import { verifyPassword } from '../src/accounts/passwords.ts';
import { findDeliverableMailbox, parseAddress, parseHostedAddress } from '../src/mail/addresses.ts';
import { ingestMessage } from '../src/mail/ingest.ts';
import { readMessage } from '../src/mail/mime.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';
import { addMailbox, plainMessage } from './helpers/mail.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(() => database.drop());

describe('envelope addresses', () => {
  it('reads a hosted address with its local part lower-cased and its domain in punycode', () => {
    assert.deepEqual(parseHostedAddress('Jeanne.Roy@Café.EXAMPLE'), {
      localPart: 'jeanne.roy',
      domain: 'xn--caf-dma.example',
      address: 'jeanne.roy@xn--caf-dma.example',
    });
  });

  const notOurs = [
    'u@other.example@exemple.ca',
    '@other.example:u@exemple.ca',
    'u%other.example@exemple.ca',
    'other.example!u@exemple.ca',
    'u@[127.0.0.1]',
    '"u"@exemple.ca',
    '"u@other"@exemple.ca',
    'u+tag@exemple.ca',
    '.u@exemple.ca',
    'u.@exemple.ca',
    'u..v@exemple.ca',
    'u@exemple',
    'u@exemple.ca.',
    'u @exemple.ca',
    'u@exemple.ca\r\nRCPT TO:<x@y.example>',
    `${'a'.repeat(65)}@exemple.ca`,
    '',
  ];
  for (const address of notOurs) {
    it(`does not take ${JSON.stringify(address)} for a hosted address`, () => {
      assert.equal(parseHostedAddress(address), null);
    });
  }

  it('accepts ordinary outside addresses but no quoting, literals or relay syntax', () => {
    assert.equal(parseAddress("o'brien+tag@ailleurs.example")?.address, "o'brien+tag@ailleurs.example");
    for (const address of ['"x"@a.example', 'x@[10.0.0.1]', 'x%y@a.example', 'a!b@a.example', 'x@y@a.example']) {
      assert.equal(parseAddress(address), null, address);
    }
  });

  it('finds a mailbox only in an active domain', async () => {
    await addMailbox(database.db, 'marie@actif.ca');
    await addMailbox(database.db, 'marc@inactif.ca', { state: 'suspended' });
    const found = await findDeliverableMailbox(database.db, 'MARIE@actif.ca');
    assert.equal(found.ok && found.value.address, 'marie@actif.ca');
    const suspended = await findDeliverableMailbox(database.db, 'marc@inactif.ca');
    assert.equal(!suspended.ok && suspended.kind, 'unavailable', 'a suspended domain: try again later');
    const unknown = await findDeliverableMailbox(database.db, 'personne@actif.ca');
    assert.equal(!unknown.ok && unknown.kind, 'notFound');
  });
});

describe('ingestMessage', () => {
  it('stores decoded metadata, the raw message whole, and counts it in the mailbox’s storage', async () => {
    const id = await addMailbox(database.db, 'a@ingest.ca');
    const raw = Buffer.from(plainMessage('=?UTF-8?B?w4l0w6k=?=', 'Corps'));
    const stored = await ingestMessage(database.db, { recipients: [id], raw, folder: 'inbox', storageLimit: 1e6 });
    assert.ok(stored.ok);
    const message = await database.db.message.findUniqueOrThrow({
      where: { id: stored.value[0] },
      include: { body: true },
    });
    assert.equal(message.subject, 'Été');
    assert.equal(message.fromText, 'Alice');
    assert.equal(message.toText, 'jeanne@exemple.ca');
    assert.equal(message.sentAt?.toISOString(), '2026-11-24T15:00:00.000Z');
    assert.ok(Buffer.from(message.body!.raw).equals(raw));
    assert.equal((await database.db.mailbox.findUniqueOrThrow({ where: { id } })).storageUsed, BigInt(raw.length));
  });

  it('caps absurd header values and drops NUL characters PostgreSQL cannot store', async () => {
    const id = await addMailbox(database.db, 'b@ingest.ca');
    const raw = Buffer.from(plainMessage(`x\u0000${'y'.repeat(5000)}`));
    const stored = await ingestMessage(database.db, { recipients: [id], raw, folder: 'inbox', storageLimit: 1e6 });
    assert.ok(stored.ok);
    const message = await database.db.message.findUniqueOrThrow({ where: { id: stored.value[0] } });
    assert.equal(message.subject.length, 1000);
    assert.ok(!message.subject.includes('\u0000'));
  });

  it('stores an attachment whose Content-Type carries a NUL byte, instead of refusing it forever', async () => {
    const id = await addMailbox(database.db, 'nul-type@ingest.ca');
    const raw = Buffer.from(
      [
        'From: a@example.net',
        'To: nul-type@ingest.ca',
        'Subject: NUL',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        'Bonjour',
        '--b',
        'Content-Type: application/x\u0000y',
        'Content-Disposition: attachment; filename="f.bin"',
        '',
        'data',
        '--b--',
        '',
      ].join('\r\n'),
    );
    const stored = await ingestMessage(database.db, { recipients: [id], raw, folder: 'inbox', storageLimit: 1e6 });
    assert.ok(stored.ok);
    const message = await database.db.message.findUniqueOrThrow({ where: { id: stored.value[0] } });
    assert.ok(!JSON.stringify(message.attachments).includes('\\u0000'));
  });

  it('delivers to every recipient or to none when one is over its storage quota', async () => {
    const roomy = await addMailbox(database.db, 'c@ingest.ca');
    const full = await addMailbox(database.db, 'd@ingest.ca', { storageUsed: 990n });
    const raw = Buffer.from(plainMessage('Tous ou aucun'));
    const refused = await ingestMessage(database.db, {
      recipients: [roomy, full],
      raw,
      folder: 'inbox',
      storageLimit: 1000,
    });
    assert.deepEqual(refused, {
      ok: false,
      kind: 'conflict',
      message: 'mail.errors.storageFull',
      params: { address: 'd@ingest.ca' },
    });
    assert.equal(await database.db.message.count({ where: { mailboxId: { in: [roomy, full] } } }), 0);
  });

  it('never lets concurrent deliveries push a mailbox past its storage quota', async () => {
    const id = await addMailbox(database.db, 'e@ingest.ca');
    const raw = Buffer.from(plainMessage('Course'));
    const limit = raw.length * 3 + 10;
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        ingestMessage(database.db, { recipients: [id], raw, folder: 'inbox', storageLimit: limit }),
      ),
    );
    assert.equal(results.filter((r) => r.ok).length, 3);
    const mailbox = await database.db.mailbox.findUniqueOrThrow({ where: { id } });
    assert.equal(mailbox.storageUsed, BigInt(raw.length * 3));
    assert.equal(await database.db.message.count({ where: { mailboxId: id } }), 3);
  });

  it('stores a read copy in the sender’s sent folder in the same transaction', async () => {
    const to = await addMailbox(database.db, 'f@ingest.ca');
    const from = await addMailbox(database.db, 'g@ingest.ca');
    const raw = Buffer.from(plainMessage('Copie'));
    const stored = await ingestMessage(database.db, {
      recipients: [to, to],
      raw,
      folder: 'inbox',
      storageLimit: 1e6,
      sentCopyFor: from,
    });
    assert.ok(stored.ok);
    const messages = await database.db.message.findMany({
      where: { id: { in: stored.value } },
      orderBy: { id: 'asc' },
      include: { folder: true },
    });
    assert.deepEqual(
      messages.map((m) => [m.mailboxId, m.folder.specialUse, m.seen]),
      [
        [to, 'inbox', false],
        [from, 'sent', true],
      ],
    );
  });
});

describe('demo', () => {
  it('provisions jeanne@monomdedomaine.ca with a welcome message in French and English, and prints her password', async () => {
    await database.db.domain.deleteMany({});
    const lines = await provisionDemo(database.db, { storageLimit: 1e6, brandName: 'Courriel Test' });
    const line = lines.find((l) => l.startsWith('Demo mailbox jeanne@monomdedomaine.ca: password '));
    assert.ok(line, lines.join('\n'));
    const found = await findDeliverableMailbox(database.db, 'jeanne@monomdedomaine.ca');
    assert.ok(found.ok);
    const mailbox = found.value;
    const stored = await database.db.mailbox.findUniqueOrThrow({ where: { id: mailbox.id } });
    assert.ok(await verifyPassword(stored.passwordHash, line.split('password ')[1]!));
    const welcome = await database.db.message.findFirstOrThrow({
      where: { mailboxId: mailbox.id },
      include: { body: true, folder: true },
    });
    assert.equal(welcome.folder.specialUse, 'inbox');
    assert.equal(welcome.subject, 'Bienvenue / Welcome — Courriel Test');
    const read = await readMessage(Buffer.from(welcome.body!.raw));
    assert.match(read.text, /Bienvenue dans votre courriel Web Courriel Test/);
    assert.match(read.text, /Welcome to your Courriel Test webmail/);
  });

  it('provisions nothing on a database that already holds a domain', async () => {
    assert.deepEqual(await provisionDemo(database.db, { storageLimit: 1e6 }), []);
  });
});
