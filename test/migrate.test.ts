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
