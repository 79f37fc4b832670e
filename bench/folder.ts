// Folder pages and search in a 50,000-message mailbox against a 50-message one in the same run,
// through the app on a loopback port (production configuration, signed-in sessions, one request
// at a time), then the SQL behind them alone.
import type { Db } from '../src/db/client.ts';
import {
  goal,
  insertMessages,
  measure,
  measurePair,
  ms,
  printTable,
  ratio,
  seedDomain,
  signInMailbox,
  startApp,
  vacuum,
  withScratchDatabase,
  type Browser,
} from './lib.ts';

const BIG = 50_000;
const SMALL = 50;
/** Messages the big mailbox also has in each of sent and trash, for the search across folders. */
const ELSEWHERE = 1_000;
const INBOX = '/webmail/reception';
/** The search across every folder, followed by the words searched. */
const ALL_FOLDERS_SEARCH = '/webmail/reception?dans=tout&q=';

async function sqlAlone(db: Db, id: number) {
  const inbox = (await db.folder.findFirstOrThrow({ where: { mailboxId: id, specialUse: 'inbox' } })).id;
  const rows: [string, () => Promise<unknown>][] = [
    [
      `last page, OFFSET ${BIG - 50} newest first`,
      () => db.$queryRaw`SELECT id FROM messages WHERE folder_id = ${inbox}
        ORDER BY received_at DESC, id DESC LIMIT 50 OFFSET ${BIG - 50}`,
    ],
    [
      'last page, oldest first (what listFolder does)',
      () => db.$queryRaw`SELECT id FROM messages WHERE folder_id = ${inbox}
        ORDER BY received_at ASC, id ASC LIMIT 50 OFFSET 0`,
    ],
    ['count of the folder', () => db.$queryRaw`SELECT count(*)::int FROM messages WHERE folder_id = ${inbox}`],
    [
      'count of a search on the trigram index (what listFolder does, up to 501)',
      () => db.$queryRaw`SELECT count(*)::int FROM (SELECT 1 FROM messages WHERE folder_id = ${inbox}
        AND search_text LIKE '%introuvable%' LIMIT 501) hits`,
    ],
    [
      'the same without the index: ILIKE over sender and subject',
      () => db.$queryRaw`SELECT count(*)::int FROM messages WHERE folder_id = ${inbox}
        AND (from_text || E'\x1f' || from_address || E'\x1f' || subject) ILIKE '%introuvable%'`,
    ],
    [
      'the same without the index: the bodies of every folder (bytea scan)',
      () => db.$queryRaw`SELECT count(*)::int FROM messages m JOIN message_bodies b ON b.message_id = m.id
        WHERE m.mailbox_id = ${id} AND convert_from(b.raw, 'UTF8') ILIKE '%échéance%'`,
    ],
  ];
  const table: string[][] = [];
  for (const [name, run] of rows) {
    const { median, p95 } = await measure(run);
    table.push([name, ms(median), ms(p95)]);
  }
  printTable('The SQL alone, on the 50,000-message mailbox', ['query', 'median', 'p95'], table);
}

export async function folder() {
  await withScratchDatabase('folder', async (scratch) => {
    const { db } = scratch;
    const { mailboxes } = await seedDomain(db, 'bench.example', 2);
    const [big, small] = mailboxes as [(typeof mailboxes)[0], (typeof mailboxes)[0]];
    const started = Date.now();
    await insertMessages(db, { firstId: big.id, lastId: big.id, perMailbox: BIG });
    await insertMessages(db, { firstId: big.id, lastId: big.id, perMailbox: ELSEWHERE, folder: 'sent' });
    await insertMessages(db, { firstId: big.id, lastId: big.id, perMailbox: ELSEWHERE, folder: 'trash' });
    await insertMessages(db, { firstId: small.id, lastId: small.id, perMailbox: SMALL });
    await vacuum(db);
    const loading = (Date.now() - started) / 1000;

    const { app, base } = await startApp(scratch);
    try {
      const bigUser = await signInMailbox(base, big.address);
      const smallUser = await signInMailbox(base, small.address);
      const page = (user: Browser, path: string) => () => user.page(path);
      const last = BIG / 50;
      // [case, its path on the 50-message mailbox, its path on the big one]
      const cases: [string, string, string][] = [
        ['inbox, page 1', INBOX, INBOX],
        [`inbox, page ${last / 2} (middle)`, INBOX, `${INBOX}?page=${last / 2}`],
        [`inbox, page ${last} (last)`, INBOX, `${INBOX}?page=${last}`],
        ['inbox search "fournisseur 42" (sender, subject)', `${INBOX}?q=fournisseur+42`, `${INBOX}?q=fournisseur+42`],
        ['inbox search with no hit', `${INBOX}?q=introuvable`, `${INBOX}?q=introuvable`],
        [
          'search across all folders, "échéance" (a body word)',
          ALL_FOLDERS_SEARCH + 'échéance',
          ALL_FOLDERS_SEARCH + 'échéance',
        ],
      ];

      const rows: string[][] = [];
      for (const [name, smallPath, bigPath] of cases) {
        const [at50k, base50] = await measurePair(
          page(bigUser, encodeURI(bigPath)),
          page(smallUser, encodeURI(smallPath)),
        );
        const times = at50k.median / base50.median;
        rows.push([
          name,
          ms(base50.median),
          ms(at50k.median),
          ms(at50k.p95),
          ratio(times),
          `${goal('< 100 ms', at50k.median < 100)}, ${goal('≤ 2×', times <= 2)}`,
        ]);
      }
      printTable(
        `Folder and search: ${BIG.toLocaleString('en')} messages in the inbox (and ${ELSEWHERE.toLocaleString('en')} in each of sent and trash) ` +
          `against ${SMALL}; real HTTP, one request at a time, the two mailboxes in turn, 20 runs each after 3 warm-up (loaded in ${loading.toFixed(0)} s)`,
        ['case', '50 messages median', '50,000 median', '50,000 p95', '× 50 messages', 'goal'],
        rows,
      );
      await sqlAlone(db, big.id);
    } finally {
      await app.close();
    }
  });
}
