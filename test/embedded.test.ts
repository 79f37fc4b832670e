import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { freePort, openEmbeddedDatabase } from '../src/db/embedded.ts';
import { runCli } from './helpers/cli.ts';

mkdirSync('.data', { recursive: true });
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
    // Its superuser password is its own, kept where only this machine's owner can read it.
    assert.equal(statSync(join(dataDir, 'postgres.password')).mode & 0o777, 0o600);
    const guess = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'postgres',
      password: 'postgres',
      database: 'easymail',
    });
    await assert.rejects(guess.connect(), /password authentication failed/);
    const { rows } = await client.query('SELECT name FROM domains');
    assert.deepEqual(rows, [{ name: 'embedded.example' }]);
    await client.end();
    await server.stop();
  });

  it('gives a cluster still on the old "postgres" password one of its own at its next start', async () => {
    // A cluster made before passwords were generated: "postgres", and no password file.
    const first = await openEmbeddedDatabase(dataDir);
    const client = new pg.Client({ connectionString: first.url });
    await client.connect();
    await client.query("ALTER ROLE postgres PASSWORD 'postgres'");
    await client.end();
    await first.stop();
    rmSync(join(dataDir, 'postgres.password'));

    const next = await openEmbeddedDatabase(dataDir);
    try {
      const password = readFileSync(join(dataDir, 'postgres.password'), 'utf8').trim();
      assert.notEqual(password, 'postgres');
      assert.equal(statSync(join(dataDir, 'postgres.password')).mode & 0o777, 0o600);
      const port = Number(readFileSync(join(dataDir, 'postgres.port'), 'utf8'));
      const old = new pg.Client({
        host: '127.0.0.1',
        port,
        user: 'postgres',
        password: 'postgres',
        database: 'easymail',
      });
      await assert.rejects(old.connect(), /password authentication failed/);
      const fresh = new pg.Client({ connectionString: next.url });
      await fresh.connect();
      await fresh.end();
    } finally {
      await next.stop();
    }
  });
});

describe('npm start on the embedded database', () => {
  const serverDir = mkdtempSync(join('.data', 'embedded-server-'));
  after(() => rmSync(serverDir, { recursive: true, force: true }));

  /** Starts src/server.ts with no DATABASE_URL; resolves once it is ready or has exited. */
  async function start(port: number) {
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: serverDir, PORT: String(port), LOG_LEVEL: 'warn' };
    env.SMTP_PORT = String(await freePort());
    env.SUBMISSION_PORT = '0';
    env.SUBMISSIONS_PORT = '0';
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    let done = false;
    void exited.then(() => (done = true));
    for (let i = 0; i < 300 && !done && !output.includes('Easymail is ready'); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    return { child, exited, output: () => output };
  }

  it('prints the demo passwords once, even when the start then fails, and leaves nothing running', async () => {
    // The web port is taken: the demo is made and its passwords shown, then the server says why it
    // cannot start in one line, exits 1 and stops its PostgreSQL.
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => taken.once('listening', r));
    const busy = await start((taken.address() as { port: number }).port);
    assert.equal(await busy.exited, 1);
    assert.match(busy.output(), /Demo domain monomdedomaine\.ca: .*password [A-Za-z0-9]{20}/);
    assert.match(busy.output(), /Demo mailbox jeanne@monomdedomaine\.ca: password [A-Za-z0-9]{20}/);
    assert.match(busy.output(), /^easymail: could not start: .*EADDRINUSE/m);
    taken.close();
    const port = Number(readFileSync(join(serverDir, 'postgres.port'), 'utf8'));
    const password = readFileSync(join(serverDir, 'postgres.password'), 'utf8').trim();
    const probe = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password });
    await assert.rejects(probe.connect(), 'the embedded PostgreSQL was stopped');

    // Later starts reuse the database and print no password.
    const again = await start(await freePort());
    assert.match(again.output(), /Easymail is ready/);
    assert.doesNotMatch(again.output(), /Demo|password/i);
    again.child.kill('SIGTERM');
    assert.equal(await again.exited, 0);
  });
});
