import { provisionDemo } from './accounts/demo.ts';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/open.ts';
import { startSmtpServer } from './mail/smtp.ts';

/** Starts Easymail: configuration, database (embedded when DATABASE_URL is unset), HTTP and SMTP. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) process.stderr.write(`easymail: ${problem}\n`);
    process.exit(1);
  }

  const say = (line: string) => process.stdout.write(`${line}\n`);
  if (!config.databaseUrl) say(`Starting the embedded PostgreSQL in ${config.dataDir}/postgres …`);
  const database = await openDatabase(config, say);
  const app = await buildApp(config, database.db);
  const smtp = await startSmtpServer({ config, db: database.db, log: app.log });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    // Both stop accepting and let what is in flight finish, before the database goes.
    await Promise.all([app.close(), smtp.close()]);
    await database.close(); // closes the pool, stops the embedded PostgreSQL it started
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  const demo = database.freshEmbedded
    ? await provisionDemo(database.db, { storageLimit: config.mailboxStorageBytes, brandName: config.brandName })
    : [];
  await app.listen({ host: config.host, port: config.port });
  const base = `http://${config.host}:${config.port}`;
  say(`Easymail is ready: ${base}/`);
  say(`  Domain administration: ${base}/admin/connexion`);
  say(`  Webmail: ${base}/webmail`);
  say(`  SMTP: ${config.smtpHost}:${smtp.port}`);
  for (const line of demo) say(`  ${line}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`easymail: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
