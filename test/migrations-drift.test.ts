// prisma/migrations must build exactly the database that prisma/schema.prisma describes: a schema
// change without its migration (`npm run migration:new -- <name>`) fails here.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { applyMigrations } from '../src/db/migrate.ts';
import { diffDatabaseToSchema, withoutComments } from '../src/db/schema-engine.ts';

// `npm test` provides TEST_SERVER_URL; run alone, the file uses DATABASE_URL's server or the local one.
const serverUrl =
  process.env.TEST_SERVER_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function onServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

test('schema.prisma and prisma/migrations agree', async () => {
  const name = `easymail_drift_${randomBytes(6).toString('hex')}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await onServer(`CREATE DATABASE ${name}`);
  try {
    await applyMigrations(url.toString());
    const schema = readFileSync(join(import.meta.dirname, '../prisma/schema.prisma'), 'utf8');
    const sql = await diffDatabaseToSchema(url.toString(), schema);
    assert.equal(
      withoutComments(sql),
      '',
      `schema.prisma differs from what prisma/migrations build; add a migration (npm run migration:new -- <name>) for:\n${sql}`,
    );
  } finally {
    await onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
});
