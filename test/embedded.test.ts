import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { openEmbeddedDatabase } from '../src/db/embedded.ts';
import { runCli } from './helpers/cli.ts';

const dataDir = mkdtempSync(join('.data', 'embedded-test-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

function cli(args: string[]) {
  // No DATABASE_URL: the CLI uses the embedded PostgreSQL of DATA_DIR.
  return runCli(args, { DATA_DIR: dataDir, DATABASE_URL: '' });
}

describe('embedded PostgreSQL', () => {
  it('the CLI works on the embedded database whether or not another process runs it', async () => {
    // Nobody runs it: the CLI creates it, works, and stops it.
    const added = await cli(['domain', 'add', 'embedded.example']);
    assert.equal(added.status, 0, added.stderr);
    const port = Number(readFileSync(join(dataDir, 'postgres.port'), 'utf8'));
    assert.ok(port > 0);

    // A "server" runs it: the CLI joins it and leaves it running.
    const server = await openEmbeddedDatabase(dataDir);
    assert.equal(server.owned, true);
    assert.equal(server.created, false);
    const listed = await cli(['domain', 'list']);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /^embedded\.example\tactive\t0\/15/m);
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const { rows } = await client.query('SELECT name FROM domains');
    assert.deepEqual(rows, [{ name: 'embedded.example' }]);
    await client.end();
    await server.stop();
  });
});
