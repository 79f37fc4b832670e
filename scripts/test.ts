// `npm test` after lint and typecheck: provides a real PostgreSQL (DATABASE_URL's server, or an
// embedded one), a migrated template database that each test file copies, then runs the
// node:test files and the Playwright journeys against it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, openEmbeddedDatabase } from '../src/db/embedded.ts';
import { applyMigrations } from '../src/db/migrate.ts';

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function withDatabase(serverUrl: string, database: string) {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin(serverUrl: string, sql: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// `tsx scripts/test.ts [unit] [e2e] [test/some.test.ts …]`: everything by default.
const only = process.argv.slice(2);
const chosenFiles = only.filter((arg) => arg.endsWith('.ts'));
const runUnit = only.length === 0 || only.includes('unit') || chosenFiles.length > 0;
const runE2e = only.length === 0 || only.includes('e2e');

const dataDir = join('.data', `test-${process.pid}`);
let embedded: Awaited<ReturnType<typeof openEmbeddedDatabase>> | null = null;
let serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  mkdirSync(dataDir, { recursive: true });
  embedded = await openEmbeddedDatabase(dataDir);
  serverUrl = embedded.url;
}
const template = `easymail_template_${process.pid}`;
const e2eDatabase = `easymail_e2e_${process.pid}`;
let failed = false;
try {
  await admin(serverUrl, `CREATE DATABASE ${template}`);
  await applyMigrations(withDatabase(serverUrl, template));
  const env = { ...process.env, TEST_SERVER_URL: serverUrl, TEST_TEMPLATE_DATABASE: template };

  if (runUnit) {
    const files = chosenFiles.length > 0 ? chosenFiles : testFiles('test').sort();
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
      stdio: 'inherit',
      env,
    });
    failed ||= run.status !== 0;
  }
  if (runE2e) {
    await admin(serverUrl, `CREATE DATABASE ${e2eDatabase} TEMPLATE ${template}`);
    const run = spawnSync('npx', ['playwright', 'test'], {
      stdio: 'inherit',
      env: {
        ...env,
        E2E_DATABASE_URL: withDatabase(serverUrl, e2eDatabase),
        E2E_PORT: String(await freePort()),
        E2E_SMTP_PORT: String(await freePort()),
        E2E_SUBMISSION_PORT: String(await freePort()),
        E2E_SUBMISSIONS_PORT: String(await freePort()),
      },
    });
    failed ||= run.status !== 0;
  }
} finally {
  await admin(serverUrl, `DROP DATABASE IF EXISTS ${e2eDatabase} WITH (FORCE)`).catch(() => {});
  await admin(serverUrl, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`).catch(() => {});
  if (embedded) {
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
process.exitCode = failed ? 1 : 0;
