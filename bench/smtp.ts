// SMTP ingest: 10 persistent sessions sending 10 KB messages to Easymail's listener (each 250 only
// once the message is committed), first all to one mailbox, then spread over 10, against a sink
// with the same smtp-server options that reads and discards every message.
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { createCore } from '../src/core/index.ts';
import type { Logger } from '../src/core/logger.ts';
import { startSmtpServer } from '../src/smtp/inbound.ts';
import { goal, printTable, ratio, runChild, seedDomain, withScratchDatabase } from './lib.ts';

const SECONDS = 10;
const MAX_MESSAGES = 20_000;

const quiet: Logger = { info() {}, warn() {}, error() {}, child: () => quiet };

/** The options src/smtp/inbound.ts gives smtp-server (copied: it does not export them). */
const OPTIONS = {
  name: 'bench.example',
  banner: 'Easymail',
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  size: 25 * 1024 * 1024,
  rejectOversized: true,
  maxRecipients: 100,
  maxClients: 200,
  disableReverseLookup: true,
  closeTimeout: 10_000,
  hideENHANCEDSTATUSCODES: false,
  logger: false,
};

async function startSink(): Promise<{ port: number; close: () => Promise<void> }> {
  const sink = new SMTPServer({
    ...OPTIONS,
    onData(stream, _session, callback) {
      stream.on('end', () => callback());
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const address = sink.server.address();
  if (typeof address !== 'object' || !address) throw new Error('sink address');
  return { port: address.port, close: () => new Promise((resolve) => sink.close(() => resolve())) };
}

/** Messages a second that bench/smtp-client.ts manages against port. */
async function send(port: number, recipients: string[]) {
  const client = join(import.meta.dirname, 'smtp-client.ts');
  const out = await runChild([
    '--import',
    'tsx',
    client,
    String(port),
    String(SECONDS),
    String(MAX_MESSAGES),
    recipients.join(','),
  ]);
  const result = JSON.parse(out) as { messages: number; seconds: number; failed: number };
  return { perSecond: result.messages / result.seconds, ...result };
}

export async function smtp() {
  await withScratchDatabase('smtp', async ({ db, config }) => {
    const { mailboxes } = await seedDomain(db, 'bench.example', 10);
    const addresses = mailboxes.map((m) => m.address);
    const sink = await startSink();
    const smtpConfig = { ...config, smtpHost: '127.0.0.1', smtpPort: 0 };
    const listener = await startSmtpServer({ config: smtpConfig, core: createCore(db, smtpConfig), log: quiet });
    try {
      const discarded = await send(sink.port, addresses);
      const one = await send(listener.port, addresses.slice(0, 1));
      const ten = await send(listener.port, addresses);
      const stored = await db.message.count();
      const row = (name: string, r: Awaited<ReturnType<typeof send>>, withGoal: boolean) => [
        name,
        r.perSecond.toFixed(0),
        String(r.messages),
        String(r.failed),
        ratio(r.perSecond / discarded.perSecond),
        withGoal ? goal('≥ 0.5×', r.perSecond / discarded.perSecond >= 0.5) : '',
      ];
      printTable(
        `SMTP ingest: 10 persistent sessions, 10 KB messages, ${SECONDS} s each after a warm-up (nodemailer pool in a child process)`,
        ['server', 'messages/s', 'messages', 'failed', '× sink', 'goal'],
        [
          row('sink: smtp-server, reads and discards (baseline)', discarded, false),
          row('Easymail, all to one mailbox', one, true),
          row('Easymail, spread over 10 mailboxes', ten, true),
        ],
      );
      console.log(`Messages stored in the database: ${stored} (warm-ups included).`);
    } finally {
      await listener.close();
      await sink.close();
    }
  });
}
