// ASVS V4.1.1, V4.1.3, V4.2.1 (access control, IDOR): every object is fetched through the
// signed-in domain or mailbox. Ids of other domains and other mailboxes are tried on every route
// that takes one; the route table is read from Fastify so a new route with an id cannot be missed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildTestApp, type Client } from './helpers/app.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';
import {
  addMessage,
  adminClient,
  mailboxClient,
  makeDomain,
  makeMailbox,
  routeTable,
  snapshot,
} from './helpers/security.ts';

let database: TestDatabase;
let app: FastifyInstance;
let own: { mailbox: number; inbox: bigint; trash: bigint };
let sameDomain: { mailbox: number; inbox: bigint; trash: bigint };
let otherDomain: { mailbox: number; inbox: bigint; trash: bigint };

before(async () => {
  database = await createTestDatabase();
  app = await buildTestApp(database.db, database.url);
  const a = await makeDomain(database.db, 'alpha.example');
  const b = await makeDomain(database.db, 'beta.example');
  const fixture = async (domain: typeof a, name: string) => {
    const mailbox = await makeMailbox(database.db, domain, name);
    return {
      mailbox: mailbox.id,
      inbox: await addMessage(database.db, mailbox.id),
      trash: await addMessage(database.db, mailbox.id, 'trash'),
    };
  };
  own = await fixture(a, 'alice');
  sameDomain = await fixture(a, 'albert');
  otherDomain = await fixture(b, 'bruno');
});
after(async () => {
  await app.close();
  await database.drop();
});

type Probe = { method: 'GET' | 'POST'; route: string; url: (id: string) => string; body?: (id: string) => object };

// Every route (or form field) that names a mailbox, for the administrator.
const ADMIN_PROBES: Probe[] = [
  { method: 'GET', route: '/admin/courriel/comptes/:id', url: (id) => `/admin/courriel/comptes/${id}` },
  {
    method: 'GET',
    route: '/admin/courriel/comptes/:id/mot-de-passe',
    url: (id) => `/admin/courriel/comptes/${id}/mot-de-passe`,
  },
  {
    method: 'POST',
    route: '/admin/courriel/comptes/:id/mot-de-passe',
    url: (id) => `/admin/courriel/comptes/${id}/mot-de-passe`,
    body: () => ({ action: 'generate' }),
  },
  {
    method: 'POST',
    route: '/admin/courriel/comptes/:id/mot-de-passe',
    url: (id) => `/admin/courriel/comptes/${id}/mot-de-passe`,
    body: () => ({ action: 'set', password: 'un mot de passe imposé' }),
  },
  {
    method: 'GET',
    route: '/admin/courriel/comptes/:id/supprimer',
    url: (id) => `/admin/courriel/comptes/${id}/supprimer`,
  },
  {
    method: 'POST',
    route: '/admin/courriel/comptes/:id/supprimer',
    url: (id) => `/admin/courriel/comptes/${id}/supprimer`,
    body: () => ({}),
  },
  {
    method: 'POST',
    route: '/admin/courriel/configuration',
    url: () => '/admin/courriel/configuration',
    body: (id) => ({ action: 'show', mailbox: id }),
  },
  {
    method: 'POST',
    route: '/admin/courriel/configuration',
    url: () => '/admin/courriel/configuration',
    body: (id) => ({ action: 'delete', mailbox: id }),
  },
];

// Every route (or form field) that names a message, for the webmail user.
const message = (suffix = '') => ({
  route: `/webmail/messages/:id${suffix}`,
  url: (id: string) => `/webmail/messages/${id}${suffix}`,
});
const WEBMAIL_PROBES: Probe[] = [
  { method: 'GET', ...message() },
  { method: 'GET', ...message('/contenu') },
  { method: 'GET', ...message('/contenu'), url: (id) => `/webmail/messages/${id}/contenu?images=1` },
  { method: 'GET', route: '/webmail/messages/:id/pieces/:n', url: (id) => `/webmail/messages/${id}/pieces/0` },
  { method: 'GET', route: '/webmail/messages/:id/pieces/:n', url: (id) => `/webmail/messages/${id}/pieces/2` },
  { method: 'GET', ...message('/supprimer') },
  { method: 'POST', ...message('/supprimer'), body: () => ({}) },
  { method: 'POST', ...message('/corbeille'), body: () => ({}) },
  { method: 'POST', ...message('/non-lu'), body: () => ({}) },
  { method: 'POST', ...message('/restaurer'), body: () => ({}) },
  { method: 'POST', ...message('/deplacer'), body: () => ({ dossier: '1' }) },
  { method: 'POST', ...message('/suivre'), body: () => ({ suivre: '1' }) },
  { method: 'GET', route: '/webmail/nouveau', url: (id) => `/webmail/nouveau?repondre=${id}` },
  { method: 'GET', route: '/webmail/nouveau', url: (id) => `/webmail/nouveau?transferer=${id}` },
  {
    method: 'POST',
    route: '/webmail/nouveau',
    url: () => '/webmail/nouveau',
    body: (id) => ({ to: 'alice@alpha.example', subject: 'Re', text: 'x', repondre: id }),
  },
  {
    method: 'POST',
    route: '/webmail/nouveau',
    url: () => '/webmail/nouveau',
    body: (id) => ({ to: 'alice@alpha.example', subject: 'Tr', text: 'x', transferer: id }),
  },
];

// Every route that names a user folder.
const folder = (suffix = '') => ({
  route: `/webmail/dossiers/:id${suffix}`,
  url: (id: string) => `/webmail/dossiers/${id}${suffix}`,
});
const FOLDER_PROBES: Probe[] = [
  { method: 'GET', ...folder() },
  { method: 'GET', ...folder('/supprimer') },
  { method: 'POST', ...folder('/supprimer'), body: () => ({}) },
  { method: 'POST', ...folder('/renommer'), body: () => ({ name: 'Volé' }) },
];

async function send(client: Client, probe: Probe, id: string, from: string): Promise<LightMyRequestResponse> {
  if (probe.method === 'GET') return client.get(probe.url(id));
  return client.post(probe.url(id), (probe.body?.(id) ?? {}) as Record<string, string>, { from });
}

/** The response refuses without revealing: 404 (or a redirect to a page that is a 404). */
async function assertRefused(client: Client, response: LightMyRequestResponse, what: string) {
  if (response.statusCode === 303 && response.headers.location) {
    response = await client.get(String(response.headers.location));
  }
  assert.equal(response.statusCode, 404, what);
  for (const secret of ['albert@', 'bruno@', 'contrat.pdf', 'Documents', 'Paul']) {
    assert.ok(!response.body.includes(secret), `${what} shows ${secret}`);
  }
}

describe('tampering with ids (V4.1.1, V4.2.1)', () => {
  it('an administrator gets 404 for the mailboxes of another domain on every route, and nothing changes', async () => {
    const client = await adminClient(app, 'alpha.example');
    const before = await snapshot(database.db);
    for (const probe of ADMIN_PROBES) {
      const response = await send(client, probe, String(otherDomain.mailbox), '/admin/courriel/configuration');
      await assertRefused(client, response, `${probe.method} ${probe.url(String(otherDomain.mailbox))}`);
    }
    assert.deepEqual(await snapshot(database.db), before);
    assert.equal((await client.get(`/admin/courriel/comptes/${sameDomain.mailbox}`)).statusCode, 200, 'control');
  });

  for (const [who, victim] of [
    ['another mailbox of the same domain', () => sameDomain],
    ['a mailbox of another domain', () => otherDomain],
  ] as const) {
    it(`a webmail user gets 404 for the messages of ${who} on every route, and nothing changes`, async () => {
      const client = await mailboxClient(app, 'alice@alpha.example');
      const before = await snapshot(database.db);
      for (const id of [victim().inbox, victim().trash]) {
        for (const probe of WEBMAIL_PROBES) {
          const response = await send(client, probe, String(id), '/webmail/reception');
          await assertRefused(client, response, `${probe.method} ${probe.url(String(id))}`);
        }
      }
      assert.deepEqual(await snapshot(database.db), before);
    });
  }

  it('a webmail user gets 404 for another mailbox’s folder on every route, and nothing changes', async () => {
    const client = await mailboxClient(app, 'alice@alpha.example');
    const victim = await database.db.folder.create({
      data: { mailboxId: otherDomain.mailbox, name: 'Privé', uidValidity: 1 },
    });
    const before = await snapshot(database.db);
    for (const probe of FOLDER_PROBES) {
      const response = await send(client, probe, String(victim.id), '/webmail/dossiers');
      await assertRefused(client, response, `${probe.method} ${probe.url(String(victim.id))}`);
    }
    assert.deepEqual(await snapshot(database.db), before);
    assert.equal((await database.db.folder.findUniqueOrThrow({ where: { id: victim.id } })).name, 'Privé');
  });

  it('the same routes work on the user’s own message (so the refusals above mean something)', async () => {
    const client = await mailboxClient(app, 'alice@alpha.example');
    for (const url of [
      `/webmail/messages/${own.inbox}`,
      `/webmail/messages/${own.inbox}/contenu`,
      `/webmail/messages/${own.inbox}/pieces/0`,
      `/webmail/messages/${own.trash}/supprimer`,
      `/webmail/nouveau?repondre=${own.inbox}`,
    ]) {
      assert.equal((await client.get(url)).statusCode, 200, url);
    }
  });

  it('malformed ids get a clear 4xx page, never a 500', async () => {
    const client = await mailboxClient(app, 'alice@alpha.example');
    const admin = await adminClient(app, 'alpha.example');
    for (const bad of ['0', '-1', 'abc', '1e3', '99999999999999999999999', '1%00', '..%2F1', '%27%20OR%201=1']) {
      const mail = await client.get(`/webmail/messages/${bad}`);
      assert.ok(mail.statusCode >= 400 && mail.statusCode < 500, `webmail ${bad}: ${mail.statusCode}`);
      const box = await admin.get(`/admin/courriel/comptes/${bad}`);
      assert.ok(box.statusCode >= 400 && box.statusCode < 500, `admin ${bad}: ${box.statusCode}`);
    }
  });

  it('an administrator session opens no webmail page, and a webmail session no administration page', async () => {
    const admin = await adminClient(app, 'alpha.example');
    const user = await mailboxClient(app, 'alice@alpha.example');
    const webmail = await admin.get('/webmail/reception');
    assert.equal(webmail.statusCode, 303);
    assert.equal(webmail.headers.location, '/webmail');
    const adminPage = await user.get('/admin/courriel/configuration');
    assert.equal(adminPage.statusCode, 303);
    assert.equal(adminPage.headers.location, '/admin/connexion');
  });

  it('every route that takes an id, or a form field naming one, is in the tables above', () => {
    const covered = new Set(
      [...ADMIN_PROBES, ...WEBMAIL_PROBES, ...FOLDER_PROBES].map((p) => `${p.method} ${p.route}`),
    );
    const withIds = routeTable(app).filter((route) => route.includes(':') && !route.includes('*'));
    assert.ok(withIds.length >= 10, 'the route table was read');
    const missed = withIds.filter((route) => !covered.has(route));
    assert.deepEqual(missed, [], 'routes with an id that no tampering probe covers');
  });
});
