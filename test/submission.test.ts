// SMTP submission for mail programs: AUTH over TLS only, one's own address only, per-account
// limits, delivery through ingestMessage; refusals answered in SMTP's own terms.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import nodemailer from 'nodemailer';
import type { Config } from '../src/config.ts';
import { createCore } from '../src/core/index.ts';
import type { SmtpListener } from '../src/smtp/inbound.ts';
import { startSubmissionServers } from '../src/smtp/submission.ts';
import { openTls, type TlsSource } from '../src/tls.ts';
import { testConfig } from './helpers/app.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';
import { freePort, silentLog } from './helpers/mail.ts';
import { makeDomain, makeMailbox, PASSWORD } from './helpers/security.ts';

const dir = mkdtempSync(join('/tmp', 'easymail-submission-'));
let database: TestDatabase;
let tls: TlsSource;
let config: Config;
let listeners: SmtpListener[];
let starttlsPort: number;
let implicitPort: number;

before(async () => {
  database = await createTestDatabase();
  const domain = await makeDomain(database.db, 'envoi.example');
  await makeMailbox(database.db, domain, 'jeanne');
  await makeMailbox(database.db, domain, 'paul');
  await makeMailbox(database.db, domain, 'limitee');
  tls = await openTls({ hostname: 'localhost', dataDir: dir }, silentLog);
  [starttlsPort, implicitPort] = [await freePort(), await freePort()];
  config = testConfig(database.url, {
    mailHostname: 'localhost',
    submissionPort: starttlsPort,
    submissionsPort: implicitPort,
    submissionMessagesPerHour: 100,
  });
  listeners = await startSubmissionServers({
    config,
    core: createCore(database.db, config),
    log: silentLog,
    tls,
    socketTimeoutMs: 2000,
  });
});
after(async () => {
  await Promise.all(listeners.map((listener) => listener.close()));
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** The messages stored in a mailbox, by subject. */
async function subjectsOf(localPart: string) {
  const rows = await database.db.message.findMany({
    where: { mailbox: { localPart, domain: { name: 'envoi.example' } } },
    select: { subject: true, folder: { select: { specialUse: true } } },
    orderBy: { id: 'asc' },
  });
  return rows.map((r) => `${r.folder.specialUse}:${r.subject}`);
}

/** A line-by-line SMTP client that can switch to TLS, as a mail program does. */
class Session {
  private buffer = '';
  private waiting: ((line: string) => void)[] = [];
  private lines: string[] = [];
  closed = false;
  private constructor(private socket: Socket | TLSSocket) {
    this.listen(socket);
  }
  private listen(socket: Socket | TLSSocket) {
    socket.on('data', (chunk) => {
      this.buffer += String(chunk);
      let end;
      while ((end = this.buffer.indexOf('\r\n')) !== -1) {
        const line = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const waiter = this.waiting.shift();
        if (waiter) waiter(line);
        else this.lines.push(line);
      }
    });
    socket.on('close', () => {
      this.closed = true;
      for (const waiter of this.waiting.splice(0)) waiter('');
    });
    socket.on('error', () => {});
  }
  static async open(port: number, implicit = false) {
    const socket = implicit
      ? tlsConnect({ port, host: '127.0.0.1', ca: tls.current().cert, servername: 'localhost' })
      : connect(port, '127.0.0.1');
    const session = new Session(socket);
    await session.reply();
    return session;
  }
  private line(): Promise<string> {
    const ready = this.lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.closed) return Promise.resolve('');
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  /** One whole reply (multi-line ones joined by newlines). */
  async reply(): Promise<string> {
    const lines = [await this.line()];
    while (/^\d{3}-/.test(lines.at(-1)!)) lines.push(await this.line());
    return lines.join('\n');
  }
  async send(line: string) {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }
  async startTls() {
    assert.match(await this.send('STARTTLS'), /^220 /);
    this.socket.removeAllListeners('data');
    const secured = tlsConnect({ socket: this.socket as Socket, ca: tls.current().cert, servername: 'localhost' });
    await new Promise((resolve, reject) => secured.once('secureConnect', resolve).once('error', reject));
    this.socket = secured;
    this.listen(secured);
  }
  async signIn(address: string, password: string) {
    return this.send(`AUTH PLAIN ${Buffer.from(`\0${address}\0${password}`).toString('base64')}`);
  }
  end() {
    this.socket.destroy();
  }
}

describe('submission with real clients', () => {
  it('takes a message from nodemailer over STARTTLS and delivers it, with no copy in Envoyés', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: starttlsPort,
      secure: false,
      requireTLS: true,
      auth: { user: 'jeanne@envoi.example', pass: PASSWORD },
      tls: { ca: tls.current().cert, servername: 'localhost' },
    });
    const info = await transport.sendMail({
      from: 'Jeanne <jeanne@envoi.example>',
      to: 'paul@envoi.example',
      subject: 'Par STARTTLS',
      text: 'Bonjour Paul.',
    });
    transport.close();
    assert.deepEqual(info.accepted, ['paul@envoi.example']);
    assert.ok((await subjectsOf('paul')).includes('inbox:Par STARTTLS'));
    assert.deepEqual(await subjectsOf('jeanne'), [], 'the mail program files its own copy');
  });

  it('takes a message from nodemailer over implicit TLS', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: implicitPort,
      secure: true,
      auth: { user: 'jeanne@envoi.example', pass: PASSWORD },
      tls: { ca: tls.current().cert, servername: 'localhost' },
    });
    await transport.sendMail({ from: 'jeanne@envoi.example', to: 'paul@envoi.example', subject: 'Par TLS', text: 'x' });
    transport.close();
    assert.ok((await subjectsOf('paul')).includes('inbox:Par TLS'));
  });

  it("takes a message from Python's smtplib over STARTTLS", async () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, tls.current().cert);
    const script = `
import smtplib, ssl, sys
from email.message import EmailMessage
context = ssl.create_default_context(cafile=sys.argv[2])
message = EmailMessage()
message['From'] = 'jeanne@envoi.example'
message['To'] = 'paul@envoi.example'
message['Subject'] = 'Par Python'
message.set_content('Bonjour.')
with smtplib.SMTP('localhost', int(sys.argv[1]), timeout=10) as client:
    client.starttls(context=context)
    client.login('jeanne@envoi.example', sys.argv[3])
    client.send_message(message)
`;
    // Asynchronously: the server under test shares this process's event loop.
    const python = spawn('python3', ['-c', script, String(starttlsPort), ca, PASSWORD]);
    let stderr = '';
    python.stderr.on('data', (chunk) => (stderr += chunk));
    const status = await new Promise((resolve) => python.on('close', resolve));
    assert.equal(status, 0, stderr);
    assert.ok((await subjectsOf('paul')).includes('inbox:Par Python'));
  });
});

describe('submission refusals', () => {
  it('answers AUTH before TLS with 538 5.7.11', async () => {
    const session = await Session.open(starttlsPort);
    await session.send('EHLO client.test');
    assert.match(await session.signIn('jeanne@envoi.example', PASSWORD), /^538 5\.7\.11 /);
    session.end();
  });

  it('answers a wrong password and an unknown account alike, 535 5.7.8, in about the same time', async () => {
    const attempt = async (address: string) => {
      const session = await Session.open(implicitPort, true);
      await session.send('EHLO client.test');
      const started = performance.now();
      const answer = await session.signIn(address, 'not the password at all');
      const took = performance.now() - started;
      session.end();
      return { answer, took };
    };
    const wrong = await attempt('jeanne@envoi.example');
    const unknown = await attempt('personne@envoi.example');
    assert.match(wrong.answer, /^535 5\.7\.8 /);
    assert.equal(unknown.answer, wrong.answer);
    assert.ok(unknown.took > wrong.took / 4 && unknown.took < wrong.took * 4, `${unknown.took} vs ${wrong.took} ms`);
  });

  it('answers MAIL before AUTH with 530 5.7.0, and relays nothing for anyone unauthenticated', async () => {
    const session = await Session.open(starttlsPort);
    await session.send('EHLO client.test');
    await session.startTls();
    await session.send('EHLO client.test');
    assert.match(await session.send('MAIL FROM:<jeanne@envoi.example>'), /^530 5\.7\.0 /);
    assert.match(await session.send('RCPT TO:<quelquun@ailleurs.example>'), /^5\d\d /);
    session.end();
  });

  it('refuses another envelope sender and another From: with 553 5.7.1', async () => {
    const session = await Session.open(implicitPort, true);
    await session.send('EHLO client.test');
    assert.match(await session.signIn('jeanne@envoi.example', PASSWORD), /^235 /);
    assert.match(await session.send('MAIL FROM:<paul@envoi.example>'), /^553 5\.7\.1 /);
    assert.match(await session.send('MAIL FROM:<jeanne@envoi.example>'), /^250 /);
    assert.match(await session.send('RCPT TO:<paul@envoi.example>'), /^250 /);
    assert.match(await session.send('DATA'), /^354 /);
    const forged = 'From: Paul <paul@envoi.example>\r\nTo: paul@envoi.example\r\nSubject: Faux\r\n\r\nx\r\n.';
    assert.match(await session.send(forged), /^553 5\.7\.1 /);
    session.end();
    assert.ok(!(await subjectsOf('paul')).includes('inbox:Faux'));
  });

  it('refuses an outside recipient while outside mail is not enabled, and an unknown local one', async () => {
    const session = await Session.open(implicitPort, true);
    await session.send('EHLO client.test');
    await session.signIn('jeanne@envoi.example', PASSWORD);
    await session.send('MAIL FROM:<jeanne@envoi.example>');
    assert.match(await session.send('RCPT TO:<ami@ailleurs.example>'), /^550 5\.7\.1 /);
    assert.match(await session.send('RCPT TO:<personne@envoi.example>'), /^550 5\.1\.1 /);
    session.end();
  });

  it('does not offer CHUNKING and refuses BDAT; a command line over the limit is answered and closed', async () => {
    const session = await Session.open(implicitPort, true);
    const ehlo = await session.send('EHLO client.test');
    assert.doesNotMatch(ehlo, /CHUNKING/);
    assert.match(ehlo, /AUTH PLAIN LOGIN/);
    await session.signIn('jeanne@envoi.example', PASSWORD);
    await session.send('MAIL FROM:<jeanne@envoi.example>');
    await session.send('RCPT TO:<paul@envoi.example>');
    assert.match(await session.send('BDAT 10 LAST'), /^5\d\d /);
    assert.match(await session.send(`NOOP ${'x'.repeat(100_000)}`), /^(421|500) /);
    session.end();
  });

  it('lets go of a TLS handshake that stalls, and of a plaintext client on the implicit-TLS port', async () => {
    const stalled = connect(implicitPort, '127.0.0.1');
    const closed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 8000);
      stalled.on('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
      stalled.on('error', () => {});
    });
    assert.ok(closed, 'the stalled connection is closed');
    const plain = connect(implicitPort, '127.0.0.1');
    plain.on('error', () => {});
    plain.write('EHLO client.test\r\n');
    await new Promise((resolve) => plain.on('close', resolve));
    // And the port still serves the next mail program.
    const session = await Session.open(implicitPort, true);
    assert.match(await session.send('EHLO client.test'), /^250/);
    session.end();
  });

  it('answers 451 4.7.1 past the hourly message limit, with a sentence and an audit event', async () => {
    const session = await Session.open(implicitPort, true);
    await session.send('EHLO client.test');
    await session.signIn('limitee@envoi.example', PASSWORD);
    for (let i = 0; i < config.submissionMessagesPerHour; i++) {
      assert.match(await session.send('MAIL FROM:<limitee@envoi.example>'), /^250 /);
      await session.send('RSET');
    }
    const refused = await session.send('MAIL FROM:<limitee@envoi.example>');
    assert.match(refused, /^451 4\.7\.1 Sending limit reached/);
    session.end();
    const events = await database.db.auditEvent.findMany({ where: { action: 'submission.limit' } });
    assert.equal(events.length, 1);
    assert.equal(events[0]!.actor, 'mailbox:limitee@envoi.example');
  });
});
