import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { createDb } from '../src/db/client.ts';
import { freePort } from '../src/db/embedded.ts';
import { buildTestApp } from './helpers/app.ts';
import { createTestDatabase, databaseUrl, type TestDatabase } from './helpers/db.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(() => database.drop());

describe('operations', () => {
  it('GET /healthz answers 200 when the database answers', async () => {
    const app = await buildTestApp(database.db, database.url);
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(response.statusCode, 200);
    await app.close();
  });

  it('GET /healthz answers 503 when the database does not', async () => {
    const url = databaseUrl('easymail_no_such_database');
    const db = createDb(url);
    const app = await buildTestApp(db, url);
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(response.statusCode, 503);
    await app.close();
    await db.$disconnect();
  });

  it('serves pages, then shuts down cleanly on SIGTERM after finishing', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        PORT: String(port),
        SMTP_PORT: String(await freePort()),
        SUBMISSION_PORT: '0',
        SUBMISSIONS_PORT: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    for (let i = 0; i < 300 && !output.includes('Easymail is ready'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(output, /Easymail is ready: http:\/\/127\.0\.0\.1:\d+\//);
    assert.doesNotMatch(output, /Demo domain/, 'no demo on a database given by DATABASE_URL');
    const home = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(home.status, 200);
    assert.match(await home.text(), /Mes comptes/);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
