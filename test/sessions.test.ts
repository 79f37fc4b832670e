// ASVS V3 (session management): ids renewed at sign-in, idle and absolute expiry enforced on the
// server, sign-out and account changes ending sessions, and the cookie's attributes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, Session } from 'fastify';
import { OPERATOR } from '../src/accounts/audit.ts';
import { resetDomainPassword, setDomainState } from '../src/accounts/domains.ts';
import { endMailboxSessions } from '../src/accounts/sessions.ts';
import { ABSOLUTE_LIFETIME_MS, IDLE_TIMEOUT_MS, PostgresSessionStore } from '../src/plugins/session-store.ts';
import { createCore } from '../src/core/index.ts';
import { buildTestApp, Client, testConfig } from './helpers/app.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';
import {
  adminClient,
  mailboxClient,
  makeDomain,
  makeMailbox,
  PASSWORD,
  sessionIdOf,
  setCookies,
} from './helpers/security.ts';

let database: TestDatabase;
let app: FastifyInstance;
let proxied: FastifyInstance;
let store: PostgresSessionStore;

before(async () => {
  database = await createTestDatabase();
  store = new PostgresSessionStore(createCore(database.db, testConfig(database.url)).sessions);
  app = await buildTestApp(database.db, database.url);
  proxied = await buildTestApp(database.db, database.url, { trustProxy: true });
  await makeDomain(database.db, 'sessions.example');
  await makeDomain(database.db, 'other-sessions.example');
});
after(async () => {
  await app.close();
  await proxied.close();
  await database.drop();
});

const HOME = '/admin/domaine';
const sid = (client: Client) => sessionIdOf(app, client.cookie('easymail'));

/** True when the client's session still opens the administration home. */
async function signedIn(client: Client) {
  const response = await client.get(HOME);
  return response.statusCode === 200;
}

/** Rewrites fields of the stored session, as time passing would. */
async function ageSession(id: string, change: { lastSeenAt?: number; signedInAt?: number; expiresAt?: Date }) {
  const row = await database.db.session.findUniqueOrThrow({ where: { sid: id } });
  const data = { ...(row.data as Record<string, unknown>) };
  if (change.lastSeenAt !== undefined) data.lastSeenAt = change.lastSeenAt;
  if (change.signedInAt !== undefined) data.signedInAt = change.signedInAt;
  await database.db.session.update({
    where: { sid: id },
    data: { data: data as object, ...(change.expiresAt ? { expiresAt: change.expiresAt } : {}) },
  });
}

describe('session ids (V3.2.1, V3.2.2)', () => {
  it('stores no session for an anonymous visitor', async () => {
    const client = new Client(app);
    await client.get('/admin/connexion');
    assert.equal(client.cookie('easymail'), undefined);
  });

  it('gives a new session id at sign-in: an id set before sign-in is not the one after', async () => {
    const client = await adminClient(app, 'sessions.example');
    const before = sid(client);
    assert.ok(before);
    const again = await client.post(
      '/admin/connexion',
      { username: 'sessions.example', password: PASSWORD },
      { from: HOME },
    );
    assert.equal(again.statusCode, 303);
    const afterSignIn = sid(client);
    assert.ok(afterSignIn);
    assert.notEqual(afterSignIn, before);
    assert.equal(await database.db.session.count({ where: { sid: before } }), 0, 'the old id is gone');
  });

  it('never adopts a session id planted in the cookie (fixation)', async () => {
    const planted = 'attacker-chosen-session-id-0123456789ab';
    const client = new Client(app);
    client.setCookie('easymail', encodeURIComponent(app.signCookie(planted)));
    const response = await client.post('/admin/connexion', { username: 'sessions.example', password: PASSWORD });
    assert.equal(response.statusCode, 303);
    assert.notEqual(sid(client), planted);
    assert.equal(await database.db.session.count({ where: { sid: planted } }), 0);
    assert.ok(await signedIn(client));
  });

  it('uses unguessable ids: 192 random bits, never the same twice', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const id = sid(await adminClient(app, 'sessions.example'))!;
      assert.match(id, /^[A-Za-z0-9_-]{32}$/, '24 random bytes in base64url');
      seen.add(id);
    }
    assert.equal(seen.size, 5);
  });

  it('refuses a cookie whose signature is wrong', async () => {
    const client = await adminClient(app, 'sessions.example');
    const id = sid(client);
    client.setCookie('easymail', `${id}.forgedsignature`);
    assert.equal(await signedIn(client), false);
  });
});

describe('session expiry on the server (V3.3.1, V3.3.2)', () => {
  it('ends a session idle for more than 30 minutes, and deletes it', async () => {
    const client = await adminClient(app, 'sessions.example');
    const id = sid(client)!;
    await ageSession(id, { lastSeenAt: Date.now() - IDLE_TIMEOUT_MS - 60_000 });
    const response = await client.get(HOME);
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/admin/connexion');
    assert.equal(await database.db.session.count({ where: { sid: id } }), 0);
    assert.ok(
      setCookies(response).some((line) => /^easymail=;/.test(line)),
      'the cookie is cleared',
    );
  });

  it('keeps a session used within 30 minutes and moves its expiry forward', async () => {
    const client = await adminClient(app, 'sessions.example');
    const id = sid(client)!;
    await ageSession(id, { lastSeenAt: Date.now() - IDLE_TIMEOUT_MS + 60_000 });
    assert.ok(await signedIn(client));
    const row = await database.db.session.findUniqueOrThrow({ where: { sid: id } });
    assert.ok(row.expiresAt.getTime() > Date.now() + IDLE_TIMEOUT_MS - 60_000);
  });

  it('ends a session 12 hours after sign-in however active it is', async () => {
    const client = await adminClient(app, 'sessions.example');
    const id = sid(client)!;
    await ageSession(id, { signedInAt: Date.now() - ABSOLUTE_LIFETIME_MS - 60_000, lastSeenAt: Date.now() });
    assert.equal(await signedIn(client), false);
    assert.equal(await database.db.session.count({ where: { sid: id } }), 0);
  });

  it('ignores a stored session past its expiry column even if its data looks fresh', async () => {
    const client = await adminClient(app, 'sessions.example');
    await ageSession(sid(client)!, { expiresAt: new Date(Date.now() - 1000) });
    assert.equal(await signedIn(client), false);
  });
});

describe('ending sessions (V3.3.1, V3.3.3)', () => {
  it('sign-out deletes the session and clears the cookie; the old cookie is useless', async () => {
    const client = await adminClient(app, 'sessions.example');
    const cookie = client.cookie('easymail')!;
    const id = sid(client)!;
    const out = await client.post('/admin/deconnexion', {}, { from: HOME });
    assert.equal(out.statusCode, 303);
    assert.ok(setCookies(out).some((line) => /^easymail=;/.test(line)));
    assert.equal(await database.db.session.count({ where: { sid: id } }), 0);
    const replay = new Client(app);
    replay.setCookie('easymail', cookie);
    assert.equal(await signedIn(replay), false);
  });

  it('changing the administrator password ends the other sessions of the domain, not this one', async () => {
    const mine = await adminClient(app, 'other-sessions.example');
    const theirs = await adminClient(app, 'other-sessions.example');
    const elsewhere = await adminClient(app, 'sessions.example');
    const next = 'un tout nouveau mot de passe';
    const changed = await mine.post('/admin/securite', { current: PASSWORD, next, confirm: next });
    assert.equal(changed.statusCode, 303);
    assert.ok(await signedIn(mine));
    assert.equal(await signedIn(theirs), false);
    assert.ok(await signedIn(elsewhere), 'another domain is not touched');
    await resetDomainPassword(database.db, 'other-sessions.example', PASSWORD, OPERATOR);
    assert.equal(await signedIn(mine), false, 'the operator reset ends every administrator session');
  });

  it('suspending a domain (operator CLI) ends its sessions', async () => {
    const client = await adminClient(app, 'sessions.example');
    const id = sid(client)!;
    const suspended = await setDomainState(database.db, 'sessions.example', 'suspended', OPERATOR);
    assert.ok(suspended.ok);
    assert.equal(await database.db.session.count({ where: { sid: id } }), 0);
    assert.equal(await signedIn(client), false);
    await setDomainState(database.db, 'sessions.example', 'active', OPERATOR);
    assert.equal(await signedIn(client), false, 'resuming does not bring a session back');
  });
});

describe('ending webmail sessions (V3.3.1, V3.3.3)', () => {
  const INBOX = '/webmail/reception';
  const open = async (client: Client) => (await client.get(INBOX)).statusCode === 200;

  it('changing one’s own password ends the mailbox’s other sessions, not this one', async () => {
    const domain = await makeDomain(database.db, 'webmail-sessions.example');
    await makeMailbox(database.db, domain, 'jeanne');
    const mine = await mailboxClient(app, 'jeanne@webmail-sessions.example');
    const theirs = await mailboxClient(app, 'jeanne@webmail-sessions.example');
    const next = 'un tout nouveau mot de passe';
    const changed = await mine.post('/webmail/mot-de-passe', { current: PASSWORD, next, confirm: next });
    assert.equal(changed.statusCode, 303);
    assert.ok(await open(mine));
    assert.equal(await open(theirs), false);
  });

  it('a new password set by the administrator, deleting the mailbox, or suspending the domain end its sessions', async () => {
    const domain = await makeDomain(database.db, 'ended.example');
    const paul = await makeMailbox(database.db, domain, 'paul');
    const anne = await makeMailbox(database.db, domain, 'anne');
    await makeMailbox(database.db, domain, 'luc');
    const admin = await adminClient(app, 'ended.example');

    const paulClient = await mailboxClient(app, 'paul@ended.example');
    const from = '/admin/courriel/configuration';
    const set = await admin.post(`/admin/courriel/comptes/${paul.id}/mot-de-passe`, { action: 'generate' }, { from });
    assert.equal(set.statusCode, 303);
    assert.equal(await open(paulClient), false, 'new password');

    const anneClient = await mailboxClient(app, 'anne@ended.example');
    const deleted = await admin.post(`/admin/courriel/comptes/${anne.id}/supprimer`, {}, { from });
    assert.equal(deleted.statusCode, 303);
    assert.equal(await open(anneClient), false, 'mailbox deleted');

    const lucClient = await mailboxClient(app, 'luc@ended.example');
    await setDomainState(database.db, 'ended.example', 'suspended', OPERATOR);
    assert.equal(await open(lucClient), false, 'domain suspended');
    assert.equal(await signedIn(admin), false, 'its administrator too');
    assert.equal(await database.db.session.count({ where: { domainId: domain.id } }), 0);
  });
});

describe('an ended session stays ended (V3.3.1)', () => {
  it('a request that loaded the session before it was ended cannot bring it back by saving it', async () => {
    const domain = await makeDomain(database.db, 'late-save.example');
    const jeanne = await makeMailbox(database.db, domain, 'jeanne');
    const client = await mailboxClient(app, 'jeanne@late-save.example');
    const row = await database.db.session.findFirstOrThrow({ where: { mailboxId: jeanne.id } });
    // A slow request holds the session as it was loaded…
    const loaded = await new Promise<Session | null | undefined>((resolve, reject) =>
      store.get(row.sid, (error, session) => (error ? reject(error) : resolve(session))),
    );
    assert.ok(loaded);
    // …while the administrator sets a new password, which ends the mailbox's sessions…
    await endMailboxSessions(database.db, jeanne.id);
    // …then it finishes and saves what it changed (a flash message, the idle clock).
    loaded.flash = { key: 'webmail.flash.passwordChanged' };
    await new Promise<void>((resolve, reject) =>
      store.set(row.sid, loaded, (error) => (error ? reject(error) : resolve())),
    );
    assert.equal(await database.db.session.count({ where: { sid: row.sid } }), 0);
    assert.equal((await client.get('/webmail/reception')).statusCode, 303, 'the old cookie is useless');
  });
});

describe('session cookie attributes (V3.4.1–V3.4.5)', () => {
  it('is HttpOnly, SameSite=Lax, Path=/ and host-only over plain HTTP', async () => {
    const client = new Client(app);
    const response = await client.post('/admin/connexion', { username: 'sessions.example', password: PASSWORD });
    const line = setCookies(response).find((l) => l.startsWith('easymail='));
    assert.ok(line, 'session cookie set');
    assert.match(line, /; HttpOnly/i);
    assert.match(line, /; SameSite=Lax/i);
    assert.match(line, /; Path=\//);
    assert.doesNotMatch(line, /; Domain=/i);
    assert.doesNotMatch(line, /; Secure/i);
  });

  it('is __Host- and Secure behind a TLS proxy (TRUST_PROXY), as is the CSRF cookie', async () => {
    const client = new Client(proxied, { 'x-forwarded-proto': 'https' });
    const page = await client.get('/admin/connexion');
    const csrf = setCookies(page).find((l) => l.startsWith('__Host-csrf='));
    assert.ok(csrf);
    assert.match(csrf, /; Secure/i);
    assert.match(csrf, /; HttpOnly/i);
    const response = await client.post('/admin/connexion', { username: 'sessions.example', password: PASSWORD });
    assert.equal(response.statusCode, 303);
    const line = setCookies(response).find((l) => l.startsWith('__Host-easymail='));
    assert.ok(line, 'session cookie set');
    for (const attribute of [/; Secure/i, /; HttpOnly/i, /; SameSite=Lax/i, /; Path=\//]) assert.match(line, attribute);
    assert.doesNotMatch(line, /; Domain=/i);
    assert.equal((await client.get(HOME)).statusCode, 200);
  });

  it('is never sent over plain HTTP behind TRUST_PROXY', async () => {
    const client = new Client(proxied);
    const page = await client.get('/admin/connexion');
    assert.equal(page.statusCode, 200);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    assert.ok(token);
    const response = await proxied.inject({
      method: 'POST',
      url: '/admin/connexion',
      payload: new URLSearchParams({ _csrf: token, username: 'sessions.example', password: PASSWORD }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `csrf=${client.cookie('csrf') ?? ''}` },
    });
    assert.ok(!setCookies(response).some((l) => /easymail=/.test(l)));
  });
});
