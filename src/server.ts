import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/open.ts';
import { provisionDemo } from './demo.ts';
import { startSmtpServer } from './smtp/inbound.ts';
import { startSubmissionServers } from './smtp/submission.ts';
import { openTls } from './tls.ts';

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
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>> | undefined;
  let submission: Awaited<ReturnType<typeof startSubmissionServers>> = [];
  let tls: Awaited<ReturnType<typeof openTls>> | undefined;
  try {
    app = await buildApp(config, database.db);
    tls = await openTls(
      {
        certFile: config.tlsCertFile,
        keyFile: config.tlsKeyFile,
        hostname: config.mailHostname,
        dataDir: config.dataDir,
      },
      app.log,
    );
    say(
      `TLS certificate for the mail ports (${tls.selfSigned ? `self-signed for ${config.mailHostname}` : config.tlsCertFile}): SHA-256 ${tls.current().fingerprint}`,
    );
    smtp = await startSmtpServer({ config, core: app.core, log: app.log, tls });
    submission = await startSubmissionServers({ config, core: app.core, log: app.log, tls });
    // Before listening, so the first visitor finds the demo; printed at once, so that even a start
    // that then fails (a port in use) has shown the passwords it made.
    if (database.embedded) {
      const demo = await provisionDemo(database.db, {
        storageLimit: config.mailboxStorageBytes,
        brandName: config.brandName,
      });
      for (const line of demo) say(line);
    }
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    // A port in use, say: nothing may be left running, the embedded PostgreSQL included.
    tls?.close();
    await Promise.allSettled([app?.close(), smtp?.close(), ...submission.map((listener) => listener.close())]);
    await database.close();
    throw error;
  }
  const [web, mail, certificate] = [app, smtp, tls];

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    web.log.info({ signal }, 'shutting down');
    // Both stop accepting and let what is in flight finish, before the database goes.
    certificate.close();
    await Promise.all([web.close(), mail.close(), ...submission.map((listener) => listener.close())]);
    await database.close(); // closes the pool, stops the embedded PostgreSQL it started
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  const base = `http://${config.host}:${config.port}`;
  say(`Easymail is ready: ${base}/`);
  say(`  Domain administration: ${base}/admin/connexion`);
  say(`  Webmail: ${base}/webmail`);
  say(`  SMTP: ${config.smtpHost}:${mail.port}`);
  const [starttls, implicit] = [config.submissionPort, config.submissionsPort];
  if (starttls) say(`  Submission (STARTTLS): ${config.submissionHost}:${starttls}`);
  if (implicit) say(`  Submission (TLS): ${config.submissionHost}:${implicit}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`easymail: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
