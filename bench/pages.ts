// Pages under load: the app started for real with a production configuration, autocannon (10
// connections) against two signed-in pages, each as a ratio to a bare Fastify "hello world" in the
// same process; then the inbox again while 20 sign-ins (argon2) run at once.
import Fastify from 'fastify';
import {
  autocannon,
  Browser,
  goal,
  insertMessages,
  printTable,
  ratio,
  seedDomain,
  signInAdmin,
  signInMailbox,
  startApp,
  withScratchDatabase,
  type LoadResult,
} from './lib.ts';

const CONFIGURATION = '/admin/courriel/configuration';
const INBOX = '/webmail/reception';
const WARMUP_SECONDS = 2;
const SECONDS = 10;
const PARALLEL_SIGN_INS = 20;

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** The highest resident memory seen while fn runs. */
async function peakRss<T>(fn: () => Promise<T>): Promise<[T, number]> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  try {
    return [await fn(), peak];
  } finally {
    clearInterval(timer);
  }
}

async function load(url: string, cookie = '') {
  await autocannon(url, { seconds: WARMUP_SECONDS, cookie });
  return autocannon(url, { seconds: SECONDS, cookie });
}

/**
 * PARALLEL_SIGN_INS loops posting the webmail sign-in form with a wrong password until stop() is
 * called. Each attempt names another address, so the per-account throttle (which answers without
 * hashing) never applies and every attempt costs an argon2 verification.
 */
function signInStorm(base: string) {
  let running = true;
  let attempts = 0;
  const loops = Array.from({ length: PARALLEL_SIGN_INS }, async (_, loop) => {
    const browser = new Browser(base);
    const csrf = await browser.csrf('/webmail');
    for (let i = 0; running; i++) {
      const response = await browser.post(
        '/webmail',
        { address: `nobody${loop}.${i}@bench.example`, password: 'wrong' },
        csrf,
      );
      if (response.status !== 401) throw new Error(`wrong password: ${response.status}`);
      attempts++;
    }
  });
  const started = Date.now();
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return attempts / ((Date.now() - started) / 1000);
    },
  };
}

export async function pages() {
  await withScratchDatabase('pages', async (scratch) => {
    const { domain, mailboxes } = await seedDomain(scratch.db, 'bench.example', 15);
    const reader = mailboxes[0]!;
    await insertMessages(scratch.db, { firstId: reader.id, lastId: reader.id, perMailbox: 50 });

    const { app, base } = await startApp(scratch);
    const bare = Fastify();
    bare.get('/', async () => 'hello world');
    const bareBase = await bare.listen({ host: '127.0.0.1', port: 0 });
    try {
      const admin = await signInAdmin(base, domain.name);
      const user = await signInMailbox(base, reader.address);
      await admin.page(CONFIGURATION);
      await user.page(INBOX);

      const idle = process.memoryUsage().rss;
      const [[hello, configuration, inbox], loaded] = await peakRss(async () => [
        await load(bareBase + '/'),
        await load(base + CONFIGURATION, admin.cookieHeader),
        await load(base + INBOX, user.cookieHeader),
      ]);
      const storm = signInStorm(base);
      const [[stormInbox, stormConfiguration], stormed] = await peakRss(async () => [
        await load(base + INBOX, user.cookieHeader),
        await load(base + CONFIGURATION, admin.cookieHeader),
      ]);
      const signInsPerSecond = await storm.stop();

      const row = (name: string, r: LoadResult, goals: string) => [
        name,
        r.requestsPerSecond.toFixed(0),
        `${r.p50} ms`, // autocannon records whole milliseconds
        `${r.p99} ms`,
        String(r.non2xx + r.errors),
        ratio(r.requestsPerSecond / hello.requestsPerSecond),
        goals,
      ];
      const pageGoals = (r: LoadResult) =>
        `${goal('≥ 0.25×', r.requestsPerSecond / hello.requestsPerSecond >= 0.25)}, ${goal('p99 < 25 ms', r.p99 < 25)}`;
      printTable(
        `Pages: autocannon, 10 connections, ${SECONDS} s after ${WARMUP_SECONDS} s warm-up, NODE_ENV=production`,
        ['page', 'requests/s', 'p50', 'p99', 'non-2xx', '× bare Fastify', 'goal'],
        [
          row('bare Fastify "hello world" (baseline)', hello, ''),
          row('Configuration Easymail (15 mailboxes)', configuration, pageGoals(configuration)),
          row('webmail inbox (50 messages)', inbox, pageGoals(inbox)),
          row(`inbox, ${PARALLEL_SIGN_INS} sign-ins at once`, stormInbox, goal('p99 < 50 ms', stormInbox.p99 < 50)),
          row(
            `Configuration, ${PARALLEL_SIGN_INS} sign-ins at once`,
            stormConfiguration,
            goal('p99 < 50 ms', stormConfiguration.p99 < 50),
          ),
        ],
      );
      console.log(
        `Wrong-password sign-ins during the last two runs: ${signInsPerSecond.toFixed(1)}/s.\n` +
          `Resident memory (whole process: app, bare Fastify): idle ${mib(idle)}, ` +
          `peak under page load ${mib(loaded)}, peak with the sign-ins ${mib(stormed)}.`,
      );
    } finally {
      await app.close();
      await bare.close();
    }
  });
}
