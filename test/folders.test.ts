import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  createFolder,
  deleteFolder,
  getFolder,
  getSpecialFolder,
  listFolders,
  moveMessages,
  renameFolder,
  setFlags,
} from '../src/mail/folders.ts';
import { ingestMessage } from '../src/mail/ingest.ts';
import { getRaw, listFolder } from '../src/mail/store.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';
import { addMailbox, plainMessage } from './helpers/mail.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(() => database.drop());

const newMailbox = () => addMailbox(database.db, `u${randomBytes(4).toString('hex')}@folders.example`);

async function deliver(mailboxId: number, subject = 'Bonjour') {
  const stored = await ingestMessage(database.db, {
    recipients: [mailboxId],
    raw: Buffer.from(plainMessage(subject)),
    folder: 'inbox',
    storageLimit: 1e9,
  });
  assert.ok(stored.ok);
  return stored.value[0]!;
}

const inboxOf = async (mailboxId: number) => (await getSpecialFolder(database.db, mailboxId, 'inbox'))!;
const messageRow = (id: bigint) => database.db.message.findUniqueOrThrow({ where: { id } });
const refusal = (result: { ok: boolean; message?: string; kind?: string }) => [result.kind, result.message];

describe('folders of a mailbox', () => {
  it('every mailbox has the six special folders, listed first in a fixed order, with their counts', async () => {
    const mailbox = await newMailbox();
    await deliver(mailbox);
    await deliver(mailbox);
    assert.ok((await createFolder(database.db, mailbox, 'Zèbre')).ok);
    assert.ok((await createFolder(database.db, mailbox, 'Projets')).ok);
    assert.ok((await createFolder(database.db, mailbox, 'Projets/2026')).ok);
    assert.ok((await createFolder(database.db, mailbox, 'Projets 2')).ok);
    const folders = await listFolders(database.db, mailbox, { totals: true });
    assert.deepEqual(
      folders.map((f) => [f.name, f.specialUse]),
      [
        ['INBOX', 'inbox'],
        ['Sent', 'sent'],
        ['Drafts', 'drafts'],
        ['Junk', 'junk'],
        ['Archive', 'archive'],
        ['Trash', 'trash'],
        ['Projets', null],
        ['Projets/2026', null],
        ['Projets 2', null],
        ['Zèbre', null],
      ],
    );
    assert.deepEqual([folders[0]!.unread, folders[0]!.total, folders[0]!.uidNext], [2, 2, 3]);
    const light = await listFolders(database.db, mailbox);
    assert.equal(light[0]!.unread, 2, 'unread counts always; totals only when asked for');
    assert.ok(folders.every((f) => f.uidValidity > 0));
  });

  it('creates a folder, refusing every bad name next to the name field', async () => {
    const mailbox = await newMailbox();
    assert.ok((await createFolder(database.db, mailbox, 'Clients')).ok);
    const cases: [string, string, string][] = [
      ['', 'invalid', 'folders.errors.empty'],
      ['   ', 'invalid', 'folders.errors.empty'],
      ['x'.repeat(201), 'invalid', 'folders.errors.tooLong'],
      ['/Clients', 'invalid', 'folders.errors.separator'],
      ['Clients/', 'invalid', 'folders.errors.separator'],
      ['Clients//A', 'invalid', 'folders.errors.separator'],
      ['Tab\there', 'invalid', 'folders.errors.control'],
      ['clients', 'conflict', 'folders.errors.taken'],
      ['CLIENTS', 'conflict', 'folders.errors.taken'],
      ['inbox', 'conflict', 'folders.errors.reserved'],
      ['Corbeille', 'conflict', 'folders.errors.reserved'],
      ['boîte de réception', 'conflict', 'folders.errors.reserved'],
      ['Trash', 'conflict', 'folders.errors.reserved'],
      ['Inconnu/Enfant', 'invalid', 'folders.errors.noParent'],
      [Array.from({ length: 11 }, (_, i) => `n${i}`).join('/'), 'invalid', 'folders.errors.tooDeep'],
    ];
    for (const [name, kind, message] of cases) {
      const created = await createFolder(database.db, mailbox, name);
      assert.equal(created.ok, false, name);
      assert.deepEqual(refusal(created), [kind, message], name);
      assert.equal(!created.ok && created.field, 'name');
    }
    assert.ok((await createFolder(database.db, mailbox, 'Réunions été 🌞')).ok, 'Unicode names are fine');
    assert.ok((await createFolder(database.db, mailbox, 'Clients/Inbox')).ok, 'a special name is fine below the top');
  });

  it('nests up to 10 levels and refuses the 501st folder', async () => {
    const mailbox = await newMailbox();
    let name = '';
    for (let level = 1; level <= 10; level++) {
      name = name ? `${name}/n${level}` : 'n1';
      assert.ok((await createFolder(database.db, mailbox, name)).ok, name);
    }
    assert.deepEqual(refusal(await createFolder(database.db, mailbox, `${name}/n11`)), [
      'invalid',
      'folders.errors.tooDeep',
    ]);
    // 6 special + 10 nested: fill up to 500 with rows, then the next is refused.
    await database.db.folder.createMany({
      data: Array.from({ length: 484 }, (_, i) => ({ mailboxId: mailbox, name: `f${i}`, uidValidity: 1 })),
    });
    assert.deepEqual(refusal(await createFolder(database.db, mailbox, 'one more')), [
      'conflict',
      'folders.errors.tooMany',
    ]);
  });

  it('renames a folder with its subfolders, and never a special folder', async () => {
    const mailbox = await newMailbox();
    const parent = await createFolder(database.db, mailbox, 'Projets');
    assert.ok(parent.ok);
    assert.ok((await createFolder(database.db, mailbox, 'Projets/2026')).ok);
    assert.ok((await createFolder(database.db, mailbox, 'Projets/2026/Mars')).ok);
    assert.ok((await createFolder(database.db, mailbox, 'Autre')).ok);
    assert.ok((await renameFolder(database.db, mailbox, parent.value.id, 'Chantiers')).ok);
    const names = (await listFolders(database.db, mailbox)).filter((f) => !f.specialUse).map((f) => f.name);
    assert.deepEqual(names, ['Autre', 'Chantiers', 'Chantiers/2026', 'Chantiers/2026/Mars']);

    assert.deepEqual(refusal(await renameFolder(database.db, mailbox, parent.value.id, 'autre')), [
      'conflict',
      'folders.errors.taken',
    ]);
    assert.deepEqual(refusal(await renameFolder(database.db, mailbox, parent.value.id, 'Chantiers/2026/X')), [
      'invalid',
      'folders.errors.intoItself',
    ]);
    assert.deepEqual(refusal(await renameFolder(database.db, mailbox, parent.value.id, 'Junk')), [
      'conflict',
      'folders.errors.reserved',
    ]);
    assert.deepEqual(refusal(await renameFolder(database.db, mailbox, parent.value.id, 'a//b')), [
      'invalid',
      'folders.errors.separator',
    ]);
    const inbox = await inboxOf(mailbox);
    assert.deepEqual(refusal(await renameFolder(database.db, mailbox, inbox.id, 'Courrier')), [
      'conflict',
      'folders.errors.special',
    ]);
    assert.equal((await getFolder(database.db, mailbox, inbox.id))!.name, 'INBOX');
  });

  it('deletes a user folder, its messages going to Corbeille, and never a special folder', async () => {
    const mailbox = await newMailbox();
    const folder = await createFolder(database.db, mailbox, 'Vieux');
    assert.ok(folder.ok);
    const ids = [await deliver(mailbox, 'un'), await deliver(mailbox, 'deux')];
    assert.ok((await moveMessages(database.db, mailbox, ids, folder.value.id)).ok);
    const trash = (await getSpecialFolder(database.db, mailbox, 'trash'))!;
    const deleted = await deleteFolder(database.db, mailbox, folder.value.id, { messagesTo: 'trash' });
    assert.deepEqual(deleted, { ok: true, value: 2 });
    assert.equal(await getFolder(database.db, mailbox, folder.value.id), null);
    for (const id of ids) assert.equal((await messageRow(id)).folderId, trash.id);
    assert.deepEqual((await Promise.all(ids.map(messageRow))).map((m) => m.uid).sort(), [1, 2]);

    for (const use of ['inbox', 'sent', 'drafts', 'junk', 'archive', 'trash'] as const) {
      const special = (await getSpecialFolder(database.db, mailbox, use))!;
      assert.deepEqual(refusal(await deleteFolder(database.db, mailbox, special.id, { messagesTo: 'trash' })), [
        'conflict',
        'folders.errors.special',
      ]);
    }
    const parent = await createFolder(database.db, mailbox, 'Parent');
    assert.ok(parent.ok && (await createFolder(database.db, mailbox, 'Parent/Enfant')).ok);
    assert.deepEqual(refusal(await deleteFolder(database.db, mailbox, parent.value.id, { messagesTo: 'trash' })), [
      'conflict',
      'folders.errors.hasChildren',
    ]);
  });

  it('deletes a folder with its messages for IMAP, giving their bytes back', async () => {
    const mailbox = await newMailbox();
    const folder = await createFolder(database.db, mailbox, 'Jetable');
    assert.ok(folder.ok);
    const id = await deliver(mailbox);
    assert.ok((await moveMessages(database.db, mailbox, [id], folder.value.id)).ok);
    assert.deepEqual(await deleteFolder(database.db, mailbox, folder.value.id, { messagesTo: 'delete' }), {
      ok: true,
      value: 1,
    });
    assert.equal(await database.db.message.count({ where: { id } }), 0);
    assert.equal((await database.db.mailbox.findUniqueOrThrow({ where: { id: mailbox } })).storageUsed, 0n);
  });

  it('never lets a mailbox reach another’s folder or message', async () => {
    const [alice, bob] = [await newMailbox(), await newMailbox()];
    const bobsFolder = await createFolder(database.db, bob, 'Secret');
    assert.ok(bobsFolder.ok);
    const bobsMessage = await deliver(bob);
    const alicesInbox = await inboxOf(alice);
    const notFound = ['notFound', 'folders.errors.notFound'];
    assert.equal(await getFolder(database.db, alice, bobsFolder.value.id), null);
    assert.deepEqual(refusal(await renameFolder(database.db, alice, bobsFolder.value.id, 'Mien')), notFound);
    assert.deepEqual(
      refusal(await deleteFolder(database.db, alice, bobsFolder.value.id, { messagesTo: 'trash' })),
      notFound,
    );
    assert.deepEqual(refusal(await moveMessages(database.db, alice, [], bobsFolder.value.id)), notFound);
    assert.deepEqual(await moveMessages(database.db, alice, [bobsMessage], alicesInbox.id), { ok: true, value: 0 });
    assert.deepEqual(await setFlags(database.db, alice, [bobsMessage], { flagged: true }), []);
    assert.equal(await getRaw(database.db, alice, bobsMessage), null);
    const list = await listFolder(database.db, alice, (await inboxOf(bob)).id);
    assert.equal(list.total, 0);
    const row = await messageRow(bobsMessage);
    assert.deepEqual([row.mailboxId, row.flagged, row.folderId], [bob, false, (await inboxOf(bob)).id]);
    assert.equal((await getFolder(database.db, bob, bobsFolder.value.id))!.name, 'Secret');
  });
});

describe('UIDs and modseqs', () => {
  it('gives 20 parallel deliveries to one inbox distinct UIDs that grow in commit order', async () => {
    const mailbox = await newMailbox();
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => deliver(mailbox, `parallel ${i}`)));
    const rows = await database.db.message.findMany({ where: { id: { in: ids } }, orderBy: { uid: 'asc' } });
    assert.deepEqual(
      rows.map((r) => r.uid),
      Array.from({ length: 20 }, (_, i) => i + 1),
      'UIDs 1..20, none used twice',
    );
    // Each delivery took the folder's next modseq as it committed: UID order is modseq order.
    const modseqs = rows.map((r) => r.modseq);
    assert.deepEqual(
      [...modseqs].sort((a, b) => (a < b ? -1 : 1)),
      modseqs,
    );
    assert.equal(new Set(modseqs).size, 20);
    const inbox = await inboxOf(mailbox);
    assert.equal(inbox.uidNext, 21);
    assert.equal(inbox.highestModseq, modseqs.at(-1));
  });

  it('gives a moved message a new UID in the target, above every UID it had', async () => {
    const mailbox = await newMailbox();
    const [first, second] = [await deliver(mailbox, 'un'), await deliver(mailbox, 'deux')];
    const archive = (await getSpecialFolder(database.db, mailbox, 'archive'))!;
    assert.deepEqual(await moveMessages(database.db, mailbox, [second, first], archive.id), { ok: true, value: 2 });
    const moved = await Promise.all([first, second].map(messageRow));
    assert.deepEqual(
      moved.map((m) => [m.folderId, m.uid]),
      [
        [archive.id, 1],
        [archive.id, 2],
      ],
      'in the order they arrived',
    );
    const inbox = await inboxOf(mailbox);
    assert.ok((await moveMessages(database.db, mailbox, [first], inbox.id)).ok);
    const back = await messageRow(first);
    assert.deepEqual([back.folderId, back.uid], [inbox.id, 3], 'a UID the inbox never used');
    assert.equal((await inboxOf(mailbox)).uidNext, 4);
    assert.deepEqual(await moveMessages(database.db, mailbox, [first], inbox.id), { ok: true, value: 0 });
  });

  it('bumps the folder’s highest modseq and sets the message’s on every flag change, and only then', async () => {
    const mailbox = await newMailbox();
    const id = await deliver(mailbox);
    const start = (await inboxOf(mailbox)).highestModseq;
    const changed = await setFlags(database.db, mailbox, [id], { flagged: true, keywords: ['$Important'] });
    assert.equal(changed.length, 1);
    assert.equal(changed[0]!.modseq, start + 1n);
    const row = await messageRow(id);
    assert.deepEqual([row.flagged, row.keywords, row.modseq, row.seen], [true, ['$Important'], start + 1n, false]);
    assert.equal((await inboxOf(mailbox)).highestModseq, start + 1n);
    assert.deepEqual(await setFlags(database.db, mailbox, [id], { flagged: true }), [], 'no change, no new modseq');
    assert.equal((await inboxOf(mailbox)).highestModseq, start + 1n);
    await setFlags(database.db, mailbox, [id], { seen: true, answered: true, deleted: true, draft: true });
    const all = await messageRow(id);
    assert.deepEqual(
      [all.seen, all.answered, all.deleted, all.draft, all.flagged, all.modseq],
      [true, true, true, true, true, start + 2n],
    );
  });
});
