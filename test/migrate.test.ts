import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { applyMigrations, readMigrations } from '../src/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';

const made: TestDatabase[] = [];
after(() => Promise.all(made.map((d) => d.drop())));

async function emptyDatabase() {
  const database = await createTestDatabase({ empty: true });
  made.push(database);
  return database;
}

async function recorded(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query(
    'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
  );
  await client.end();
  return rows as { migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }[];
}

describe('migration runner', () => {
  const migrations = readMigrations();

  it('applies every migration to a fresh database and records it as Prisma does', async () => {
    const { url } = await emptyDatabase();
    assert.deepEqual(
      await applyMigrations(url),
      migrations.map((m) => m.name),
    );
    const rows = await recorded(url);
    assert.deepEqual(
      rows.map((r) => r.migration_name),
      migrations.map((m) => m.name),
    );
    for (const row of rows) {
      const file = readFileSync(`prisma/migrations/${row.migration_name}/migration.sql`);
      assert.equal(row.checksum, createHash('sha256').update(file).digest('hex'));
      assert.ok(row.finished_at);
      assert.equal(row.applied_steps_count, 1);
    }
  });

  it('does nothing when run again', async () => {
    const { url } = await emptyDatabase();
    await applyMigrations(url);
    assert.deepEqual(await applyMigrations(url), []);
    assert.equal((await recorded(url)).length, migrations.length);
  });

  it('lets two instances start at once: each migration is applied exactly once', async () => {
    const { url } = await emptyDatabase();
    const [first, second] = await Promise.all([applyMigrations(url), applyMigrations(url)]);
    assert.equal(first.length + second.length, migrations.length);
    assert.equal((await recorded(url)).length, migrations.length);
  });

  it('refuses to start when an applied migration was edited afterwards', async () => {
    const { url } = await emptyDatabase();
    await applyMigrations(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`UPDATE "_prisma_migrations" SET checksum = 'edited' WHERE migration_name = $1`, [
      migrations[0]?.name,
    ]);
    await client.end();
    await assert.rejects(applyMigrations(url), /was changed after it was applied/);
  });
});

describe('the folders migration', () => {
  it('moves every message of a filled database into the folder of its old value, UIDs in received order', async () => {
    const { url } = await emptyDatabase();
    const names = readMigrations().map((m) => m.name);
    const folders = names.findIndex((name) => name.endsWith('_folders'));
    await applyMigrations(url, { upTo: names[folders - 1] });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`INSERT INTO domains (name, admin_password_hash, mailbox_quota) VALUES ('a.example', 'x', 5)`);
      const boxes = await client.query<{ id: number }>(
        `INSERT INTO mailboxes (domain_id, local_part, password_hash)
         SELECT id, l, 'x' FROM domains, unnest(ARRAY['jeanne', 'paul', 'vide']) l RETURNING id`,
      );
      // Jeanne and Paul get messages in each old folder, received out of id order; vide gets none.
      const before = await client.query<{ id: string; mailbox_id: number; folder: string; seen: boolean; raw: Buffer }>(
        `WITH m AS (
           INSERT INTO messages (mailbox_id, folder, seen, from_text, from_address, to_text, cc_text, subject,
                                 received_at, size)
           SELECT b, f::"Folder", i % 2 = 0, 'A', 'a@b.example', '', '', f || ' ' || i,
                  timestamptz '2026-11-01' + ((i * 7) % 10) * interval '1 hour', 10
           FROM unnest($1::int[]) b, unnest(ARRAY['inbox', 'sent', 'trash']) f, generate_series(1, 10) i
           RETURNING id, mailbox_id, folder::text AS folder, seen, received_at
         ), b AS (INSERT INTO message_bodies (message_id, raw) SELECT id, convert_to('body ' || id, 'UTF8') FROM m)
         SELECT m.id, m.mailbox_id, m.folder, m.seen, convert_to('body ' || m.id, 'UTF8') AS raw
         FROM m ORDER BY m.mailbox_id, m.folder, m.received_at, m.id`,
        [boxes.rows.slice(0, 2).map((r) => r.id)],
      );
      const unreadBefore = await client.query(
        `SELECT mailbox_id, folder::text AS use, count(*)::int AS n FROM messages WHERE NOT seen
         GROUP BY 1, 2 ORDER BY 1, 2`,
      );

      await applyMigrations(url);

      const after = await client.query<{ id: string; mailbox_id: number; use: string; uid: number; raw: Buffer }>(
        `SELECT m.id, m.mailbox_id, f.special_use::text AS use, m.uid, b.raw
         FROM messages m JOIN folders f ON f.id = m.folder_id JOIN message_bodies b ON b.message_id = m.id
         WHERE f.mailbox_id = m.mailbox_id ORDER BY m.mailbox_id, f.special_use::text, m.uid`,
      );
      assert.equal(after.rows.length, before.rows.length, 'no message lost');
      assert.deepEqual(
        after.rows.map((r) => [r.id, r.mailbox_id, r.use, r.raw.toString()]),
        before.rows.map((r) => [r.id, r.mailbox_id, r.folder, r.raw.toString()]),
        'each message in its old folder, in received order, with its body',
      );
      for (const row of after.rows) assert.ok(row.uid >= 1 && row.uid <= 10);
      assert.deepEqual(
        after.rows.map((r) => r.uid),
        before.rows.map((_, i) => (i % 10) + 1),
        'UIDs 1..n per folder',
      );

      const folderRows = await client.query<{ mailbox_id: number; name: string; use: string; uid_next: number }>(
        `SELECT mailbox_id, name, special_use::text AS use, uid_next, uid_validity FROM folders
         ORDER BY mailbox_id, id`,
      );
      assert.equal(folderRows.rows.length, 3 * 6, 'six folders for every mailbox, the empty one too');
      for (const folder of folderRows.rows) {
        const holds = ['inbox', 'sent', 'trash'].includes(folder.use) && folder.mailbox_id !== boxes.rows[2]!.id;
        assert.equal(folder.uid_next, holds ? 11 : 1, `${folder.mailbox_id} ${folder.name}`);
      }
      assert.deepEqual(
        folderRows.rows.slice(0, 6).map((f) => [f.name, f.use]),
        [
          ['INBOX', 'inbox'],
          ['Sent', 'sent'],
          ['Drafts', 'drafts'],
          ['Junk', 'junk'],
          ['Archive', 'archive'],
          ['Trash', 'trash'],
        ],
      );
      const unreadAfter = await client.query(
        `SELECT m.mailbox_id, f.special_use::text AS use, count(*)::int AS n
         FROM messages m JOIN folders f ON f.id = m.folder_id WHERE NOT m.seen GROUP BY 1, 2 ORDER BY 1, 2`,
      );
      assert.deepEqual(unreadAfter.rows, unreadBefore.rows, 'unread counts unchanged');
      const types = await client.query(`SELECT 1 FROM pg_type WHERE typname = 'Folder'`);
      assert.equal(types.rows.length, 0, 'the old enum is gone');
    } finally {
      await client.end();
    }
  });
});
