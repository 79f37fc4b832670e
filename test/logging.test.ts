// ASVS V7.1.1, V7.1.2, V7.2.1, V7.2.2 (logging): sign-ins and refusals are logged with the client
// address and the time; passwords, hashes, tokens and cookies never are.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { Client, testConfig } from './helpers/app.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';
import { addMessage, makeDomain, makeMailbox, PASSWORD, sessionIdOf } from './helpers/security.ts';

let database: TestDatabase;
let app: FastifyInstance;
const lines: string[] = [];

before(async () => {
  database = await createTestDatabase();
  const stream = { write: (line: string) => void lines.push(line) };
  app = await buildApp(testConfig(database.url, { logLevel: 'trace', trustProxy: true }), database.db, stream);
  await app.ready();
});
after(async () => {
  await app.close();
  await database.drop();
});

const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe('security logging (V7.1, V7.2)', () => {
  it('logs sign-ins and refusals with address and time, and never a password, hash, token or cookie', async () => {
    const domain = await makeDomain(database.db, 'journal.example');
    const mailbox = await makeMailbox(database.db, domain, 'jeanne');
    await addMessage(database.db, mailbox.id);
    const wrong = 'not-the-password-4f9d';
    const mailboxPassword = 'mot de passe boîte 7c1e';
    const nextAdminPassword = 'nouveau secret admin 2b8a';

    const admin = new Client(app, { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' });
    const page = await admin.get('/admin/connexion');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    assert.ok(token);
    assert.equal(
      (await admin.post('/admin/connexion', { username: 'journal.example', password: wrong })).statusCode,
      401,
    );
    assert.equal(
      (await admin.post('/admin/connexion', { username: 'journal.example', password: PASSWORD })).statusCode,
      303,
    );
    const created = await admin.post('/admin/courriel/creer', { name: 'paul', password: mailboxPassword });
    assert.equal(created.statusCode, 303);
    const changed = await admin.post('/admin/securite', {
      current: PASSWORD,
      next: nextAdminPassword,
      confirm: nextAdminPassword,
    });
    assert.equal(changed.statusCode, 303);
    assert.equal(
      (await admin.post('/admin/courriel/creer', { name: 'x', password: 'y' }, { csrf: false })).statusCode,
      403,
    );
    assert.equal((await admin.get('/admin/courriel/comptes/999999')).statusCode, 404);
    const user = new Client(app, { 'x-forwarded-proto': 'https' });
    assert.equal(
      (await user.post('/webmail', { address: 'paul@journal.example', password: mailboxPassword })).statusCode,
      303,
    );
    assert.equal((await new Client(app).get('/admin/domaine')).statusCode, 303);

    const secrets = [
      PASSWORD,
      wrong,
      mailboxPassword,
      nextAdminPassword,
      token,
      admin.cookie('__Host-easymail'),
      admin.cookie('__Host-csrf'),
      user.cookie('__Host-easymail'),
      sessionIdOf(app, admin.cookie('__Host-easymail')),
      sessionIdOf(app, user.cookie('__Host-easymail')),
      ...(await database.db.domain.findMany()).map((d) => d.adminPasswordHash),
      ...(await database.db.mailbox.findMany()).map((m) => m.passwordHash),
    ];
    const text = lines.join('');
    assert.ok(lines.length > 20, 'the log was captured');
    for (const secret of secrets) {
      assert.ok(secret, 'each secret is known');
      assert.ok(!text.includes(secret), `the log contains ${secret.slice(0, 12)}…`);
      assert.ok(!text.includes(encodeURIComponent(secret)), `the log contains ${secret.slice(0, 12)}… (encoded)`);
    }
    assert.doesNotMatch(text, /\$argon2/);

    const entries = logged();
    const signIns = entries.filter((e) => e.msg === 'sign-in');
    assert.deepEqual(
      signIns.map((e) => [e.outcome, e.ip]),
      [
        ['failure', '203.0.113.9'],
        ['success', '203.0.113.9'],
        ['success', '127.0.0.1'],
      ],
    );
    for (const entry of signIns) assert.equal(typeof entry.time, 'number');
    const refusals = entries.filter((e) => e.msg === 'request refused' || e.msg === 'access refused');
    assert.ok(refusals.some((e) => e.status === 403 && e.ip === '203.0.113.9' && e.code === 'FST_CSRF_INVALID_TOKEN'));
    assert.ok(refusals.some((e) => e.status === 404 && e.ip === '203.0.113.9'));
    assert.ok(refusals.some((e) => e.msg === 'access refused' && e.ip === '127.0.0.1'));
  });
});
