// `npm run bench`: how long the webmail takes to render an inbox page of a 50,000-message mailbox,
// through the real app (app.inject, a signed-in session, PostgreSQL), against a 50-message mailbox
// in the same run. Prints figures; it is not a test. Uses DATABASE_URL's server, else the
// machine's PostgreSQL on 127.0.0.1:5432, in a scratch database dropped at the end.
import type { FastifyInstance } from 'fastify';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { OPERATOR } from '../src/accounts/audit.ts';
import { addDomain } from '../src/accounts/domains.ts';
import { createMailbox } from '../src/accounts/mailboxes.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/client.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { ingestMessage } from '../src/mail/ingest.ts';
import { Client } from '../test/helpers/app.ts';

const BIG = 50_000;
const SMALL = 50;
const RUNS = 20;
const WARMUP = 3;
const PASSWORD = 'cheval agrafe pile correcte';

const server = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
const scratch = `easymail_bench_${process.pid}`;
const withDatabase = (name: string) => Object.assign(new URL(server), { pathname: `/${name}` }).toString();

async function onServer(sql: string) {
  const client = new pg.Client({ connectionString: server.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function rawMessage(to: string, i: number): Buffer {
  return Buffer.from(
    [
      `From: Fournisseur ${i % 500} <f${i % 500}@ailleurs.example>`,
      `To: ${to}`,
      `Subject: Facture numéro ${i}`,
      `Date: ${new Date(Date.now() - i * 60_000).toUTCString()}`,
      `Message-ID: <bench-${i}@ailleurs.example>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Bonjour,\r\nVoici la facture du mois.\r\n',
    ].join('\r\n'),
  );
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;

/** Median and p95 in milliseconds of RUNS calls, after WARMUP unmeasured ones. */
async function measure(run: () => Promise<unknown>) {
  for (let i = 0; i < WARMUP; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { median: percentile(times, 0.5), p95: percentile(times, 0.95) };
}

async function signedIn(app: FastifyInstance, address: string) {
  const client = new Client(app);
  const response = await client.post('/webmail', { address, password: PASSWORD });
  if (response.statusCode !== 303) throw new Error(`sign-in failed: ${response.statusCode}`);
  return client;
}

async function main() {
  await onServer(`CREATE DATABASE ${scratch}`);
  const url = withDatabase(scratch);
  const db = createDb(url);
  let app: FastifyInstance | undefined;
  try {
    await applyMigrations(url);
    const config = loadConfig({
      DATABASE_URL: url,
      LOG_LEVEL: 'silent',
      SESSION_SECRET: 'bench-secret-bench-secret-bench-secret!',
      RATE_LIMIT: '1000000',
      SIGN_IN_RATE_LIMIT: '1000000',
    });
    const added = await addDomain(db, { name: 'bench.example', password: 'administrateur solide' }, OPERATOR);
    if (!added.ok) throw new Error('domain');
    const domain = await db.domain.findUniqueOrThrow({ where: { name: 'bench.example' } });
    const big = await createMailbox(db, domain, { name: 'big', password: PASSWORD }, OPERATOR);
    const small = await createMailbox(db, domain, { name: 'small', password: PASSWORD }, OPERATOR);
    if (!big.ok || !small.ok) throw new Error('mailboxes');

    // The small mailbox is filled the real way, through ingestMessage; its rate says why the big
    // one is not: at that pace 50,000 deliveries would take minutes.
    const start = performance.now();
    for (let i = SMALL; i >= 1; i--) {
      const stored = await ingestMessage(db, {
        recipients: [small.value.id],
        raw: rawMessage(small.value.address, i),
        folder: 'inbox',
        storageLimit: config.mailboxStorageBytes,
      });
      if (!stored.ok) throw new Error('ingest');
    }
    const perMessage = (performance.now() - start) / SMALL;

    // The big mailbox is seeded by bulk INSERT ... SELECT (same columns ingest writes), then
    // VACUUM ANALYZE, as autovacuum would leave a table of that size.
    const raw = rawMessage(big.value.address, 0);
    await db.$executeRaw`
      INSERT INTO messages (mailbox_id, folder, seen, from_text, from_address, to_text, cc_text, subject,
                            sent_at, received_at, size, attachments)
      SELECT ${big.value.id}, 'inbox', i % 3 = 0, 'Fournisseur ' || (i % 500), 'f' || (i % 500) || '@ailleurs.example',
             ${big.value.address}, '', 'Facture numéro ' || i, now() - i * interval '1 minute',
             now() - i * interval '1 minute', ${raw.length}, '[]'::jsonb
      FROM generate_series(1, ${BIG}::int) AS i`;
    await db.$executeRaw`
      INSERT INTO message_bodies (message_id, raw)
      SELECT id, ${new Uint8Array(raw)} FROM messages WHERE mailbox_id = ${big.value.id}`;
    await db.$executeRaw`UPDATE mailboxes SET storage_used = ${BIG * raw.length} WHERE id = ${big.value.id}`;
    await db.$executeRawUnsafe('VACUUM ANALYZE messages');
    await db.$executeRawUnsafe('VACUUM ANALYZE message_bodies');

    app = await buildApp(config, db);
    await app.ready();
    const bigClient = await signedIn(app, big.value.address);
    const smallClient = await signedIn(app, small.value.address);
    const page = (client: Client, url: string) => async () => {
      const response = await client.get(url);
      if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode}`);
    };

    const lastPage = Math.ceil(BIG / 50);
    const cases: [string, () => Promise<unknown>][] = [
      ['50 messages, page 1 (baseline)', page(smallClient, '/webmail/reception')],
      ['50,000 messages, page 1', page(bigClient, '/webmail/reception')],
      [`50,000 messages, page ${lastPage / 2} (middle)`, page(bigClient, `/webmail/reception?page=${lastPage / 2}`)],
      [`50,000 messages, page ${lastPage} (last)`, page(bigClient, `/webmail/reception?page=${lastPage}`)],
      ['50,000 messages, search "fournisseur 42" (100 hits)', page(bigClient, '/webmail/reception?q=fournisseur+42')],
      ['50,000 messages, search with no hit', page(bigClient, '/webmail/reception?q=introuvable')],
      ['50 messages, search "fournisseur 42"', page(smallClient, '/webmail/reception?q=fournisseur+42')],
    ];

    console.log(
      `Inbox page render through app.inject, ${RUNS} runs after ${WARMUP} warm-up, PostgreSQL at ${server.host}`,
    );
    console.log(`(ingestMessage: ${perMessage.toFixed(1)} ms a message; the 50,000 were bulk-inserted)\n`);
    console.log('case'.padEnd(52) + 'median ms'.padStart(11) + 'p95 ms'.padStart(9) + '× baseline'.padStart(12));
    let baseline = 0;
    for (const [name, run] of cases) {
      const { median, p95 } = await measure(run);
      baseline ||= median;
      console.log(
        name.padEnd(52) +
          median.toFixed(1).padStart(11) +
          p95.toFixed(1).padStart(9) +
          (median / baseline).toFixed(1).padStart(12),
      );
    }

    // Why pages past the middle are read from the oldest end: the same last page three ways, in SQL.
    const id = big.value.id;
    const sql: [string, () => Promise<unknown>][] = [
      [
        'last page, OFFSET 49,950 newest first',
        () => db.$queryRaw`SELECT id FROM messages WHERE mailbox_id = ${id} AND folder = 'inbox'
          ORDER BY received_at DESC, id DESC LIMIT 50 OFFSET ${BIG - 50}`,
      ],
      [
        'last page, oldest first (what listFolder does)',
        () => db.$queryRaw`SELECT id FROM messages WHERE mailbox_id = ${id} AND folder = 'inbox'
          ORDER BY received_at ASC, id ASC LIMIT 50 OFFSET 0`,
      ],
      [
        'middle page, OFFSET 24,950',
        () => db.$queryRaw`SELECT id FROM messages WHERE mailbox_id = ${id} AND folder = 'inbox'
          ORDER BY received_at DESC, id DESC LIMIT 50 OFFSET ${BIG / 2 - 50}`,
      ],
      [
        'count of the folder',
        () => db.$queryRaw`SELECT count(*)::int FROM messages WHERE mailbox_id = ${id} AND folder = 'inbox'`,
      ],
    ];
    console.log('\nSQL alone (same runs):');
    for (const [name, run] of sql) {
      const { median, p95 } = await measure(run);
      console.log(name.padEnd(52) + median.toFixed(1).padStart(11) + p95.toFixed(1).padStart(9));
    }
  } finally {
    await app?.close();
    await db.$disconnect();
    await onServer(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
