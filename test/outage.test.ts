// PostgreSQL stopped for a while: pages say so with 503 and Retry-After in the reader's language,
// SMTP keeps answering 451, and everything works again once it is back, with no restart.
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createDb, type Db } from '../src/db/client.ts';
import { buildTestApp } from './helpers/app.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';
import { SmtpClient, startTestSmtp } from './helpers/mail.ts';
import { mailboxClient, makeDomain, makeMailbox } from './helpers/security.ts';

/** A TCP relay to PostgreSQL that can be cut (every connection dropped, new ones refused) and restored. */
class Relay {
  private server: Server | null = null;
  private sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  async open() {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async cut() {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    this.server = null;
  }
}

let database: TestDatabase;
let relay: Relay;
let db: Db;
let app: FastifyInstance;

before(async () => {
  database = await createTestDatabase();
  const domain = await makeDomain(database.db, 'panne.example');
  await makeMailbox(database.db, domain, 'jeanne');
  const target = new URL(database.url);
  const probe = createServer();
  const port = await new Promise<number>((resolve) =>
    probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)),
  );
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  relay = new Relay(port, { host: target.hostname, port: Number(target.port || 5432) });
  await relay.open();
  const viaRelay = new URL(database.url);
  viaRelay.port = String(port);
  db = createDb(viaRelay.toString(), 4);
  app = await buildTestApp(db, viaRelay.toString());
});
after(async () => {
  await app.close();
  await relay.cut();
  await db.$disconnect();
  await database.drop();
});

/** Asks again every 200 ms until the answer comes or 10 s pass. */
async function eventually<T>(attempt: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await attempt();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('PostgreSQL unreachable', () => {
  it('answers every page 503 with Retry-After and a sentence, SMTP 451, then recovers without a restart', async () => {
    const jeanne = await mailboxClient(app, 'jeanne@panne.example');
    assert.equal((await jeanne.get('/webmail/reception')).statusCode, 200);
    const smtp = await startTestSmtp(db, database.url);
    try {
      await relay.cut();
      const inbox = await jeanne.get('/webmail/reception');
      assert.equal(inbox.statusCode, 503);
      assert.equal(inbox.headers['retry-after'], '5');
      assert.match(inbox.body, /Le service est momentanément indisponible\. Réessayez dans quelques instants\./);
      const english = await app.inject({
        method: 'POST',
        url: '/webmail',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en' },
        payload: 'address=jeanne%40panne.example&password=x',
      });
      assert.equal(english.statusCode, 503, 'a sign-in cannot be checked either');
      assert.match(english.body, /The service is temporarily unavailable/);
      assert.equal((await app.inject({ url: '/healthz' })).statusCode, 503);
      const { client } = await SmtpClient.open(smtp.port);
      await client.command('EHLO outage.test');
      await client.command('MAIL FROM:<a@b.example>');
      const rcpt = await client.command('RCPT TO:<jeanne@panne.example>');
      assert.equal(rcpt.code, 451, rcpt.text);
      client.end();

      await relay.open();
      const back = await eventually(
        () => jeanne.get('/webmail/reception'),
        (response) => response.statusCode === 200,
      );
      assert.equal(back.statusCode, 200, 'the same session works again');
      assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
    } finally {
      await smtp.close();
    }
  });
});
