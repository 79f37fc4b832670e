import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from '../../src/db/client.ts';

/** The PostgreSQL server and migrated template database that scripts/test.ts prepared. */
function testServer() {
  const server = process.env.TEST_SERVER_URL;
  const template = process.env.TEST_TEMPLATE_DATABASE;
  if (!server || !template) throw new Error('Run the tests through `npm test` (scripts/test.ts).');
  return { server, template };
}

export function databaseUrl(name: string): string {
  const url = new URL(testServer().server);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs one statement on the server's maintenance database. */
export async function onServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testServer().server });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  db: Db;
  drop(): Promise<void>;
}

/** A database of this test file's own, copied from the migrated template; drop() removes it. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const { template } = testServer();
  const name = `easymail_t_${randomBytes(6).toString('hex')}`;
  await onServer(options.empty ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} TEMPLATE ${template}`);
  const url = databaseUrl(name);
  const db = createDb(url);
  return {
    name,
    url,
    db,
    async drop() {
      await db.$disconnect();
      await onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
