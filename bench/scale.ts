// Scale: the Configuration Easymail page, an inbox and a message page of a domain alone in its
// database, against the same pages of the same domain in a database also holding 10,000 domains,
// 100,000 mailboxes and 5,000,000 messages (--messages N to change the last), bulk-loaded.
import { performance } from 'node:perf_hooks';
import type { Db } from '../src/db/client.ts';
import {
  goal,
  insertMessages,
  measurePair,
  ms,
  printTable,
  ratio,
  seedDomain,
  signInAdmin,
  signInMailbox,
  startApp,
  vacuum,
  withScratchDatabase,
  type Scratch,
} from './lib.ts';

const DOMAINS = 10_000;
const MAILBOXES_PER_DOMAIN = 10;
const PER_CHUNK = 500_000;
const CONFIGURATION = '/admin/courriel/configuration';
const INBOX = '/webmail/reception';

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(0)} s`;

/** The other domains, their mailboxes (one password hash for all: hashing 100,000 would take hours) and messages. */
async function load(db: Db, perMailbox: number) {
  const started = performance.now();
  await db.$executeRaw`
    INSERT INTO domains (name, admin_password_hash, mailbox_quota)
    SELECT 'd' || i || '.example', (SELECT admin_password_hash FROM domains LIMIT 1), 15
    FROM generate_series(2, ${DOMAINS}::int) AS i`;
  await db.$executeRaw`
    INSERT INTO mailboxes (domain_id, local_part, password_hash)
    SELECT d.id, 'm' || j, (SELECT password_hash FROM mailboxes LIMIT 1)
    FROM domains d, generate_series(1, ${MAILBOXES_PER_DOMAIN}::int) AS j
    WHERE d.name LIKE 'd%.example'`;
  const [range] = await db.$queryRaw<{ first: number; last: number }[]>`
    SELECT min(m.id) AS first, max(m.id) AS last FROM mailboxes m JOIN domains d ON d.id = m.domain_id
    WHERE d.name LIKE 'd%.example'`;
  if (!range) throw new Error('no mailboxes loaded');
  console.log(`  ${DOMAINS - 1} domains and their mailboxes: ${seconds(started)}`);
  const step = Math.max(1, Math.floor(PER_CHUNK / perMailbox));
  for (let first = range.first; first <= range.last; first += step) {
    const last = Math.min(range.last, first + step - 1);
    await insertMessages(db, { firstId: first, lastId: last, perMailbox });
    console.log(`  messages of mailboxes ${first}–${last}: ${seconds(started)}`);
  }
  await vacuum(db);
  console.log(`  VACUUM ANALYZE: ${seconds(started)}`);
  return (performance.now() - started) / 1000;
}

/** One domain with its mailboxes and their messages, the app on it, and the pages to measure. */
async function setUp(scratch: Scratch, perMailbox: number) {
  const { domain, mailboxes } = await seedDomain(scratch.db, 'bench.example', MAILBOXES_PER_DOMAIN);
  await insertMessages(scratch.db, { firstId: mailboxes[0]!.id, lastId: mailboxes.at(-1)!.id, perMailbox });
  await vacuum(scratch.db);
  const reader = mailboxes[0]!;
  const [newest] = await scratch.db.$queryRaw<{ id: bigint }[]>`
    SELECT id FROM messages WHERE mailbox_id = ${reader.id} ORDER BY received_at DESC LIMIT 1`;
  const { app, base } = await startApp(scratch);
  return {
    app,
    /** Signs in (anew: a session idles out in 30 minutes) and returns a GET of each page. */
    async pages() {
      const admin = await signInAdmin(base, domain.name);
      const user = await signInMailbox(base, reader.address);
      return [
        ['Configuration Easymail (10 mailboxes)', () => admin.page(CONFIGURATION)],
        [`webmail inbox (${perMailbox} messages)`, () => user.page(INBOX)],
        ['a message', () => user.page(`/webmail/messages/${newest!.id}`)],
      ] as const;
    },
  };
}

export async function scale({ messages = 5_000_000 }: { messages?: number | undefined } = {}) {
  const mailboxes = DOMAINS * MAILBOXES_PER_DOMAIN;
  const perMailbox = Math.max(1, Math.round(messages / mailboxes));
  // Two databases, one domain in each, the second then loaded with all the others; their pages are
  // measured in turn so that a change in the shared machine's load weighs on both alike.
  await withScratchDatabase('scale_one', (one) =>
    withScratchDatabase('scale', async (big) => {
      const alone = await setUp(one, perMailbox);
      const crowded = await setUp(big, perMailbox);
      try {
        console.log(
          `Scale: loading ${DOMAINS - 1} domains, ${mailboxes - MAILBOXES_PER_DOMAIN} mailboxes, ` +
            `${perMailbox} messages each (~200-byte bodies)...`,
        );
        const loading = await load(big.db, perMailbox);
        const [counts] = await big.db.$queryRaw<
          { domains: number; mailboxes: number; messages: number; size: string }[]
        >`SELECT (SELECT count(*)::int FROM domains) AS domains, (SELECT count(*)::int FROM mailboxes) AS mailboxes,
                 (SELECT count(*)::int FROM messages) AS messages,
                 pg_size_pretty(pg_database_size(current_database())) AS size`;
        const alonePages = await alone.pages();
        const crowdedPages = await crowded.pages();
        const rows: string[][] = [];
        for (const [i, [name, page]] of crowdedPages.entries()) {
          const [atScale, oneDomain] = await measurePair(page, alonePages[i]![1], 50, 5);
          const times = atScale.median / oneDomain.median;
          rows.push([
            name,
            ms(oneDomain.median),
            ms(atScale.median),
            ms(atScale.p95),
            ratio(times),
            goal('≤ 1.2×', times <= 1.2),
          ]);
        }
        printTable(
          `Scale: one domain against ${counts!.domains.toLocaleString('en')} domains, ` +
            `${counts!.mailboxes.toLocaleString('en')} mailboxes, ${counts!.messages.toLocaleString('en')} messages ` +
            `(database ${counts!.size}, loaded in ${loading.toFixed(0)} s); real HTTP, one request at a time, ` +
            'the two in turn, 50 runs each after 5 warm-up',
          ['page', 'one domain median', 'at scale median', 'at scale p95', '× one domain', 'goal'],
          rows,
        );
      } finally {
        await alone.app.close();
        await crowded.app.close();
      }
    }),
  );
}
