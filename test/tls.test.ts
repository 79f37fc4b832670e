// The mail ports' certificate: self-signed once for MAIL_HOSTNAME, or the provider's files reloaded
// when they change; TLS 1.2 or later; STARTTLS offered on the inbound SMTP listener.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import { createCore } from '../src/core/index.ts';
import { startSmtpServer, type SmtpListener } from '../src/smtp/inbound.ts';
import { fingerprintOf, openTls, type TlsSource } from '../src/tls.ts';
import { testConfig } from './helpers/app.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';
import { addMailbox, silentLog } from './helpers/mail.ts';

const dir = mkdtempSync(join('/tmp', 'easymail-tls-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the self-signed certificate', () => {
  it('is made once for MAIL_HOSTNAME under .data/tls, private key unreadable to others, and kept', async () => {
    const first = await openTls({ hostname: 'mail.example.net', dataDir: dir }, silentLog);
    assert.equal(first.selfSigned, true);
    assert.match(first.current().fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(statSync(join(dir, 'tls', 'key.pem')).mode & 0o077, 0);
    const again = await openTls({ hostname: 'mail.example.net', dataDir: dir }, silentLog);
    assert.equal(again.current().fingerprint, first.current().fingerprint, 'the same one at the next start');
    const renamed = await openTls({ hostname: 'courriel.example.net', dataDir: dir }, silentLog);
    assert.notEqual(renamed.current().fingerprint, first.current().fingerprint, 'a new name, a new certificate');
  });
});

describe('the provider’s certificate files', () => {
  it('are reloaded without a restart when they change, and a broken pair keeps the previous one', async () => {
    const a = await openTls({ hostname: 'a.example.net', dataDir: join(dir, 'a') }, silentLog);
    const b = await openTls({ hostname: 'b.example.net', dataDir: join(dir, 'b') }, silentLog);
    const certFile = join(dir, 'live-cert.pem');
    const keyFile = join(dir, 'live-key.pem');
    copyFileSync(join(dir, 'a', 'tls', 'cert.pem'), certFile);
    copyFileSync(join(dir, 'a', 'tls', 'key.pem'), keyFile);
    const live = await openTls({ certFile, keyFile, hostname: 'x', dataDir: dir, pollMs: 50 }, silentLog);
    try {
      assert.equal(live.current().fingerprint, a.current().fingerprint);
      const changed = new Promise<string>((resolve) => live.onChange((m) => resolve(m.fingerprint)));
      // Half a renewal: the new certificate beside the old key is refused, and the old pair stays.
      writeFileSync(certFile, readFileSync(join(dir, 'b', 'tls', 'cert.pem')));
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(live.current().fingerprint, a.current().fingerprint);
      writeFileSync(keyFile, readFileSync(join(dir, 'b', 'tls', 'key.pem')));
      assert.equal(await changed, b.current().fingerprint);
      assert.equal(live.current().fingerprint, fingerprintOf(readFileSync(certFile, 'utf8')));
    } finally {
      live.close();
    }
  });
});

describe('STARTTLS on the inbound SMTP listener', () => {
  let database: TestDatabase;
  let tls: TlsSource;
  let smtp: SmtpListener;
  before(async () => {
    database = await createTestDatabase();
    await addMailbox(database.db, 'jeanne@tls.example');
    tls = await openTls({ hostname: 'localhost', dataDir: join(dir, 'smtp') }, silentLog);
    const config = testConfig(database.url, { smtpPort: 0, mailHostname: 'localhost' });
    smtp = await startSmtpServer({ config, core: createCore(database.db, config), log: silentLog, tls });
  });
  after(async () => {
    await smtp.close();
    await database.drop();
  });

  it('offers STARTTLS with the certificate, and a sender that requires TLS delivers', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      requireTLS: true,
      tls: { ca: tls.current().cert, servername: 'localhost' },
    });
    const info = await transport.sendMail({
      from: 'a@ailleurs.example',
      to: 'jeanne@tls.example',
      subject: 'Chiffré',
      text: 'x',
    });
    assert.deepEqual(info.accepted, ['jeanne@tls.example']);
    const stored = await database.db.message.findFirstOrThrow({ where: { subject: 'Chiffré' } });
    assert.ok(stored);
    transport.close();
  });

  it('refuses a client that speaks nothing newer than TLS 1.1', async () => {
    const plain = connect(smtp.port, '127.0.0.1');
    const lines = async function* () {
      let buffer = '';
      for await (const chunk of plain) {
        buffer += String(chunk);
        let end;
        while ((end = buffer.indexOf('\r\n')) !== -1) {
          yield buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
        }
      }
    };
    const replies = lines();
    const next = async () => (await replies.next()).value as string;
    assert.match(await next(), /^220 /);
    plain.write('EHLO tls11.test\r\n');
    let line = await next();
    const offered: string[] = [line];
    while (line.startsWith('250-')) offered.push((line = await next()));
    assert.ok(
      offered.some((l) => l.includes('STARTTLS')),
      'STARTTLS is offered',
    );
    plain.write('STARTTLS\r\n');
    assert.match(await next(), /^220 /);
    plain.pause();
    const outcome = await new Promise<string>((resolve) => {
      const secured = tlsConnect({
        socket: plain,
        maxVersion: 'TLSv1.1',
        minVersion: 'TLSv1',
        rejectUnauthorized: false,
      });
      secured.once('secureConnect', () => resolve('connected'));
      secured.once('error', (error: Error) => resolve(error.message));
    });
    assert.notEqual(outcome, 'connected');
    plain.destroy();
  });
});
