// What the benchmarks share: a scratch database on DATABASE_URL's server, the app started for real on
// a loopback port, signed-in HTTP sessions, bulk-loaded messages, load generators in child
// processes, and the table printer.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { OPERATOR } from '../src/accounts/audit.ts';
import { addDomain } from '../src/accounts/domains.ts';
import { createMailbox } from '../src/accounts/mailboxes.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { createDb, type Db } from '../src/db/client.ts';
import { applyMigrations } from '../src/db/migrate.ts';

export const PASSWORD = 'cheval agrafe pile correcte';
export const ADMIN_PASSWORD = 'administrateur solide';

export const server = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
const withDatabase = (name: string) => Object.assign(new URL(server), { pathname: `/${name}` }).toString();

async function onServer<T extends pg.QueryResultRow>(sql: string) {
  const client = new pg.Client({ connectionString: server.toString() });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

export interface Scratch {
  url: string;
  db: Db;
  config: Config;
}

/** Runs fn on a new migrated database, dropped afterwards whatever happens. */
export async function withScratchDatabase<T>(label: string, fn: (scratch: Scratch) => Promise<T>): Promise<T> {
  const name = `easymail_bench_${label}_${process.pid}`;
  await onServer(`CREATE DATABASE ${name}`);
  const url = withDatabase(name);
  const db = createDb(url);
  try {
    await applyMigrations(url);
    return await fn({ url, db, config: productionConfig(url) });
  } finally {
    await db.$disconnect();
    await onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

/** The configuration of a production start, with rate limits too high to be met. */
export function productionConfig(databaseUrl: string): Config {
  return loadConfig({
    ...process.env,
    NODE_ENV: 'production',
    SESSION_SECRET: 'x'.repeat(40),
    RATE_LIMIT: '1000000',
    SIGN_IN_RATE_LIMIT: '1000000',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
  });
}

/** The app listening on a loopback port chosen by the system. */
export async function startApp({ config, db }: Scratch): Promise<{ app: FastifyInstance; base: string }> {
  const app = await buildApp(config, db);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, base };
}

/** A domain (its administrator password ADMIN_PASSWORD) with mailboxes m1 ... mN (password PASSWORD). */
export async function seedDomain(db: Db, name: string, mailboxes: number) {
  const added = await addDomain(db, { name, password: ADMIN_PASSWORD }, OPERATOR);
  if (!added.ok) throw new Error(`domain ${name}: ${added.message}`);
  const domain = await db.domain.findUniqueOrThrow({ where: { name } });
  const created: { id: number; address: string }[] = [];
  for (let i = 1; i <= mailboxes; i++) {
    const mailbox = await createMailbox(db, domain, { name: `m${i}`, password: PASSWORD }, OPERATOR);
    if (!mailbox.ok) throw new Error(`mailbox m${i}@${name}: ${mailbox.message}`);
    created.push(mailbox.value);
  }
  return { domain, mailboxes: created };
}

const VOCABULARY = [
  'facture',
  'virement',
  'réunion',
  'projet',
  'échéance',
  'contrat',
  'livraison',
  'rapport',
  'budget',
  'planning',
  'commande',
  'relance',
];
const words = `ARRAY[${VOCABULARY.map((w) => `'${w}'`).join(', ')}]`;
const word = (multiplier: number) => `(${words})[1 + (i * ${multiplier} + mb.id) % ${VOCABULARY.length}]`;

/**
 * Bulk-inserts `perMailbox` messages into `folder` of each mailbox whose id is in [firstId, lastId]
 * (INSERT ... SELECT generate_series, the columns ingest writes), with small raw bodies of a few
 * words of VOCABULARY, and adds their size to the mailboxes' storage. Message i of a mailbox is
 * from "Fournisseur i % 500" and was received i minutes ago.
 */
export async function insertMessages(
  db: Db,
  {
    firstId,
    lastId,
    perMailbox,
    folder = 'inbox',
  }: { firstId: number; lastId: number; perMailbox: number; folder?: string },
) {
  // Mailboxes bulk-inserted by SQL have no folders yet: the six that src/mail/folders.ts makes.
  await db.$executeRawUnsafe(`
    INSERT INTO folders (mailbox_id, name, special_use, uid_validity)
    SELECT mb.id, s.name, s.use::"SpecialUse", extract(epoch FROM now())::int
    FROM mailboxes mb CROSS JOIN (VALUES ('INBOX', 'inbox'), ('Sent', 'sent'), ('Drafts', 'drafts'),
      ('Junk', 'junk'), ('Archive', 'archive'), ('Trash', 'trash')) AS s(name, use)
    WHERE mb.id BETWEEN ${firstId} AND ${lastId}
    ON CONFLICT DO NOTHING`);
  // The ids are drawn in the CTE so that one statement writes both a message and its body; UIDs
  // follow the folder's uid_next in received order.
  await db.$executeRawUnsafe(`
    WITH src AS MATERIALIZED (
      SELECT nextval(pg_get_serial_sequence('messages', 'id')) AS id, mb.id AS mailbox_id, i, f.id AS folder_id,
             f.uid_next - 1 + row_number() OVER (PARTITION BY f.id ORDER BY i DESC) AS uid,
             'Fournisseur ' || (i % 500) AS from_text, 'f' || (i % 500) || '@ailleurs.example' AS from_address,
             mb.local_part || '@' || d.name AS to_text, 'Facture numéro ' || i AS subject,
             now() - i * interval '1 minute' AS at,
             'Bonjour, ' || ${word(7)} || ' ' || ${word(11)} || ' ' || ${word(13)} || ' ' || ${word(17)} AS body,
             convert_to(
               'From: Fournisseur ' || (i % 500) || ' <f' || (i % 500) || '@ailleurs.example>' || E'\\r\\n' ||
               'To: ' || mb.local_part || '@' || d.name || E'\\r\\n' ||
               'Subject: Facture numéro ' || i || E'\\r\\n' ||
               'Message-ID: <' || mb.id || '.' || i || '@ailleurs.example>' || E'\\r\\n' ||
               E'Content-Type: text/plain; charset=utf-8\\r\\n\\r\\n' ||
               'Bonjour, ' || ${word(7)} || ' ' || ${word(11)} || ' ' || ${word(13)} || ' ' || ${word(17)} ||
               E'.\\r\\n', 'UTF8') AS raw
      FROM mailboxes mb JOIN domains d ON d.id = mb.domain_id
        JOIN folders f ON f.mailbox_id = mb.id AND f.special_use = '${folder}', generate_series(1, ${perMailbox}) AS i
      WHERE mb.id BETWEEN ${firstId} AND ${lastId}
    ), messages_in AS (
      INSERT INTO messages (id, mailbox_id, folder_id, uid, seen, from_text, from_address, to_text, cc_text,
                            subject, sent_at, received_at, message_id_header, size, attachments, search_text)
      SELECT id, mailbox_id, folder_id, uid, i % 3 = 0, from_text, from_address, to_text, '', subject, at, at,
             '<' || mailbox_id || '.' || i || '@ailleurs.example>', octet_length(raw), '[]'::jsonb,
             -- What src/mail/search.ts's searchTextOf would store (the vocabulary's accents are é and è).
             E'\\u0001f ' || lower(from_text || ' ' || from_address) || E'\\u0001t ' || lower(to_text) ||
             E'\\u0001s ' || translate(lower(subject), 'éè', 'ee') || E'\\u0001b ' || translate(lower(body), 'éè', 'ee')
      FROM src
    ), bodies_in AS (
      INSERT INTO message_bodies (message_id, raw) SELECT id, raw FROM src
    ), folders_in AS (
      UPDATE folders f SET uid_next = t.last + 1
      FROM (SELECT folder_id, max(uid) AS last FROM src GROUP BY folder_id) t WHERE f.id = t.folder_id
    )
    UPDATE mailboxes mb SET storage_used = storage_used + t.bytes
    FROM (SELECT mailbox_id, sum(octet_length(raw)) AS bytes FROM src GROUP BY mailbox_id) t
    WHERE mb.id = t.mailbox_id`);
}

/** As autovacuum would leave the tables after a load of that size. */
export async function vacuum(db: Db) {
  for (const table of ['domains', 'mailboxes', 'messages', 'message_bodies']) {
    await db.$executeRawUnsafe(`VACUUM ANALYZE ${table}`);
  }
}

/** A browser over real HTTP: keeps cookies, reads CSRF tokens from forms, follows no redirect. */
export class Browser {
  private cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  get cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(path: string, init: RequestInit = {}) {
    const response = await fetch(this.base + path, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: this.cookieHeader },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
      if (value) this.cookies.set(name, value);
      else this.cookies.delete(name);
    }
    return response;
  }

  /** GET path; throws unless 200. */
  async page(path: string) {
    const response = await this.request(path);
    const body = await response.text();
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}`);
    return body;
  }

  /** The CSRF token of the form at path. */
  async csrf(path: string) {
    const token = /name="_csrf" value="([^"]+)"/.exec(await this.page(path))?.[1];
    if (!token) throw new Error(`no CSRF token on ${path}`);
    return token;
  }

  /** Posts a form with the CSRF token read from the form at the same path (or the one given). */
  async post(path: string, fields: Record<string, string>, csrf?: string) {
    csrf ??= await this.csrf(path);
    const response = await this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
    });
    await response.arrayBuffer();
    return response;
  }
}

export async function signInAdmin(base: string, domain: string) {
  const browser = new Browser(base);
  const response = await browser.post('/admin/connexion', { username: domain, password: ADMIN_PASSWORD });
  if (response.status !== 303) throw new Error(`administrator sign-in: ${response.status}`);
  return browser;
}

export async function signInMailbox(base: string, address: string) {
  const browser = new Browser(base);
  const response = await browser.post('/webmail', { address, password: PASSWORD });
  if (response.status !== 303) throw new Error(`mailbox sign-in: ${response.status}`);
  return browser;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;

type Stats = { median: number; p95: number; runs: number };

function stats(times: number[]): Stats {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), runs: sorted.length };
}

/** Median and p95 in ms of `runs` sequential calls after `warmup` unmeasured ones, bounded to 30 s. */
export async function measure(run: () => Promise<unknown>, runs = 20, warmup = 3): Promise<Stats> {
  const [only] = await measurePair(run, null, runs, warmup);
  return only;
}

/**
 * As measure(), for a case and its baseline called in turn, so that a change in the machine's
 * load (it is shared) weighs on both alike.
 */
export async function measurePair(
  run: () => Promise<unknown>,
  baseline: (() => Promise<unknown>) | null,
  runs = 20,
  warmup = 3,
): Promise<[Stats, Stats]> {
  const timed = async (fn: () => Promise<unknown>, into: number[]) => {
    const start = performance.now();
    await fn();
    into.push(performance.now() - start);
  };
  for (let i = 0; i < warmup; i++) {
    await run();
    await baseline?.();
  }
  const times: number[] = [];
  const baseTimes: number[] = [];
  const deadline = performance.now() + 60_000;
  while (times.length < runs && (times.length < 3 || performance.now() < deadline)) {
    await timed(run, times);
    if (baseline) await timed(baseline, baseTimes);
  }
  return [stats(times), stats(baseline ? baseTimes : times)];
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

const autocannonBin = createRequire(import.meta.url).resolve('autocannon');

/**
 * autocannon in a child process (so that it does not share the server's event loop), 10
 * connections for `seconds`, the given cookie sent with every request.
 */
export async function autocannon(url: string, { seconds = 10, cookie = '' } = {}): Promise<LoadResult> {
  const args = [autocannonBin, '-j', '-c', '10', '-d', String(seconds), ...(cookie ? ['-H', `cookie:${cookie}`] : [])];
  const output = await runChild([...args, url]);
  const result = JSON.parse(output) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
  };
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** Runs node with args, returns its standard output; throws on a non-zero exit. */
export function runChild(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}

/** CPU, cores, memory, Node and PostgreSQL versions. */
export async function machine(): Promise<string> {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model ?? '?';
  const [row] = await onServer<{ server_version: string }>('SHOW server_version');
  return [
    `CPU ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory`,
    `Node ${process.version}, PostgreSQL ${row?.server_version ?? '?'} at ${server.host}`,
  ].join('\n');
}

/** Prints a title and a table with the first column left-aligned and the others right-aligned. */
export function printTable(title: string, header: string[], rows: string[][]) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  const rule = '| ' + widths.map((w, i) => (i === 0 ? '-'.repeat(w) : '-'.repeat(w - 1) + ':')).join(' | ') + ' |';
  console.log(`\n${title}\n\n${[line(header), rule, ...rows.map(line)].join('\n')}\n`);
}

export const ms = (value: number) => `${value.toFixed(1)} ms`;
export const ratio = (value: number) => `${value < 0.1 ? value.toPrecision(2) : value.toFixed(2)}×`;
/** "met" or "missed" after a goal's text. */
export const goal = (text: string, met: boolean) => `${text} ${met ? 'met' : 'missed'}`;
