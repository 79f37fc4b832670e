// ASVS V2.2.1 / V11.1.4 (anti-automation): per-client limits on the sign-in forms and on everything,
// counted in PostgreSQL so that several instances share them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.ts';
import { countRequest } from '../src/db/counters.ts';
import { PASSWORD_FORM_PATHS } from '../src/plugins/security.ts';
import { buildTestApp } from './helpers/app.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';
import { routeTable } from './helpers/security.ts';

let database: TestDatabase;
let first: FastifyInstance;
let second: FastifyInstance;
let proxied: FastifyInstance;
let tight: FastifyInstance;

// The production defaults, not the high limits the other test files run with.
const defaults = loadConfig({ SESSION_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgresql://unused' });

before(async () => {
  database = await createTestDatabase();
  const limits = { rateLimit: defaults.rateLimit, signInRateLimit: defaults.signInRateLimit };
  first = await buildTestApp(database.db, database.url, limits);
  second = await buildTestApp(database.db, database.url, limits);
  proxied = await buildTestApp(database.db, database.url, { ...limits, trustProxy: true });
  tight = await buildTestApp(database.db, database.url, { rateLimit: 5, signInRateLimit: 1000 });
});
after(async () => {
  await Promise.all([first.close(), second.close(), proxied.close(), tight.close()]);
  await database.drop();
});

/** A sign-in POST without a CSRF token: refused with 403 unless the rate limit answers first. */
function signInPost(app: FastifyInstance, url: string, remoteAddress: string, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url,
    remoteAddress,
    payload: 'username=x&address=x&password=y',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
}

describe('per-client limit on the sign-in forms', () => {
  it('defaults to 30 sign-in submissions per client in 15 minutes, and a page in the reader language', async () => {
    assert.equal(defaults.signInRateLimit, 30);
    for (let i = 0; i < 30; i++) {
      assert.equal((await signInPost(first, '/admin/connexion', '198.51.100.1')).statusCode, 403);
    }
    const refused = await signInPost(first, '/admin/connexion', '198.51.100.1', { 'accept-language': 'en-CA,en' });
    assert.equal(refused.statusCode, 429);
    assert.match(String(refused.headers['content-type']), /^text\/html/);
    assert.match(refused.body, /Too many requests in a short time\. Wait a few minutes and try again\./);
    assert.ok(Number(refused.headers['retry-after']) > 0);
    assert.match(String(refused.headers['content-security-policy']), /frame-ancestors 'none'/);
    const french = await signInPost(first, '/admin/connexion', '198.51.100.1');
    assert.match(french.body, /Trop de demandes en peu de temps/);

    assert.equal((await signInPost(first, '/admin/connexion', '198.51.100.2')).statusCode, 403, 'another client');
    assert.equal((await first.inject({ url: '/admin/connexion', remoteAddress: '198.51.100.1' })).statusCode, 200);
  });

  it('limits the webmail sign-in form too', async () => {
    for (let i = 0; i < 30; i++) await signInPost(first, '/webmail', '198.51.100.3');
    assert.equal((await signInPost(first, '/webmail', '198.51.100.3')).statusCode, 429);
  });

  it('limits the password-change forms the same way, as they check the current password', async () => {
    for (const path of PASSWORD_FORM_PATHS) {
      assert.ok(routeTable(first).includes(`POST ${path}`), `${path} exists`);
    }
    for (const path of ['/admin/securite', '/webmail/mot-de-passe']) {
      for (let i = 0; i < 30; i++) await signInPost(first, path, '198.51.100.5');
      assert.equal((await signInPost(first, path, '198.51.100.5')).statusCode, 429, path);
    }
  });

  it('shares the count between two instances on one database', async () => {
    for (let i = 0; i < 15; i++) await signInPost(first, '/admin/connexion', '198.51.100.4');
    for (let i = 0; i < 15; i++) await signInPost(second, '/admin/connexion', '198.51.100.4');
    assert.equal((await signInPost(second, '/admin/connexion', '198.51.100.4')).statusCode, 429);
    assert.equal((await signInPost(first, '/admin/connexion', '198.51.100.4')).statusCode, 429);
  });

  it('counts behind a proxy per forwarded client address (TRUST_PROXY)', async () => {
    const via = (client: string) => ({ 'x-forwarded-for': client, 'x-forwarded-proto': 'https' });
    for (let i = 0; i < 30; i++) await signInPost(proxied, '/admin/connexion', '10.0.0.1', via('203.0.113.7'));
    assert.equal((await signInPost(proxied, '/admin/connexion', '10.0.0.1', via('203.0.113.7'))).statusCode, 429);
    assert.equal((await signInPost(proxied, '/admin/connexion', '10.0.0.1', via('203.0.113.8'))).statusCode, 403);
  });

  it('believes only the proxy’s own entry: a client cannot pick its address with X-Forwarded-For', async () => {
    // The proxy appends the address it saw (203.0.113.9); whatever the client wrote before it is ignored.
    const spoofed = (i: number) => ({ 'x-forwarded-for': `192.0.2.${i}, 203.0.113.9`, 'x-forwarded-proto': 'https' });
    for (let i = 0; i < 30; i++) await signInPost(proxied, '/admin/connexion', '10.0.0.1', spoofed(i));
    assert.equal((await signInPost(proxied, '/admin/connexion', '10.0.0.1', spoofed(99))).statusCode, 429);
  });
});

describe('looser limit on every request', () => {
  it('never answers 429 to fifty people behind one address, each opening a page every three seconds', async () => {
    // A minute of an office behind one NAT address: 50 people × 20 pages, all in one window.
    const statuses = new Map<number, number>();
    for (let second = 0; second < 60; second += 3) {
      const pages = await Promise.all(
        Array.from({ length: 50 }, () => first.inject({ url: '/mes-comptes', remoteAddress: '203.0.113.50' })),
      );
      for (const page of pages) statuses.set(page.statusCode, (statuses.get(page.statusCode) ?? 0) + 1);
    }
    assert.deepEqual([...statuses], [[200, 1000]]);
  });

  it('writes nothing to PostgreSQL on a page view', async () => {
    const before = await database.db.rateLimitCounter.count();
    for (let i = 0; i < 20; i++) await first.inject({ url: '/', remoteAddress: '203.0.113.51' });
    assert.equal(await database.db.rateLimitCounter.count(), before);
  });

  it('answers 429 past RATE_LIMIT requests a minute, static files aside', async () => {
    for (let i = 0; i < 5; i++)
      assert.equal((await tight.inject({ url: '/', remoteAddress: '192.0.2.50' })).statusCode, 200);
    const refused = await tight.inject({ url: '/mes-comptes', remoteAddress: '192.0.2.50' });
    assert.equal(refused.statusCode, 429);
    assert.match(refused.body, /Trop de tentatives/);
    const css = await tight.inject({ url: '/public/css/site.css', remoteAddress: '192.0.2.50' });
    assert.equal(css.statusCode, 200);
    assert.equal(defaults.rateLimit, 3000);
  });
});

describe('the PostgreSQL counter store', () => {
  it('counts 50 simultaneous requests exactly, in one statement each', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => countRequest(database.db, 'race', 60_000)));
    assert.deepEqual(
      results.map((r) => r.current).sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.ok(results.every((r) => r.ttl > 0 && r.ttl <= 60_000));
  });

  it('starts a new window once the old one has ended', async () => {
    await countRequest(database.db, 'window', 60_000);
    await countRequest(database.db, 'window', 60_000);
    await database.db.rateLimitCounter.update({
      where: { key: 'window' },
      data: { resetAt: new Date(Date.now() - 1) },
    });
    const next = await countRequest(database.db, 'window', 60_000);
    assert.equal(next.current, 1);
    assert.ok(next.ttl > 59_000);
  });
});
