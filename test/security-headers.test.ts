// ASVS V14.4 (HTTP security headers) on every kind of response: pages, errors, redirects, static
// files and the bare page Fastify's own URL errors get.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { PERMISSIONS_POLICY } from '../src/plugins/security.ts';
import { buildTestApp } from './helpers/app.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';
import { addMessage, mailboxClient, makeDomain, makeMailbox } from './helpers/security.ts';

let database: TestDatabase;
let app: FastifyInstance;
let proxied: FastifyInstance;

before(async () => {
  database = await createTestDatabase();
  app = await buildTestApp(database.db, database.url);
  proxied = await buildTestApp(database.db, database.url, { trustProxy: true });
});
after(async () => {
  await app.close();
  await proxied.close();
  await database.drop();
});

const form = { 'content-type': 'application/x-www-form-urlencoded' };

/** One request of each kind of response the app sends, and its status. */
const RESPONSES: [string, InjectOptions, number][] = [
  ['a page', { url: '/' }, 200],
  ['a sign-in form', { url: '/admin/connexion' }, 200],
  ['a redirect', { url: '/admin/domaine' }, 303],
  ['a static file', { url: '/public/css/site.css' }, 200],
  ['a 404 page', { url: '/nulle-part' }, 404],
  ['a missing static file', { url: '/public/css/none.css' }, 404],
  ['a CSRF refusal', { method: 'POST', url: '/langue', payload: 'lang=en', headers: form }, 403],
  ['a 413 page', { method: 'POST', url: '/langue', payload: 'x=' + 'a'.repeat(1_100_000), headers: form }, 413],
  ['a malformed URL', { url: '/%zz' }, 400],
  ['a mail program’s autoconfig document', { url: '/mail/config-v1.1.xml' }, 200],
  [
    'an Autodiscover refusal (no CSRF token: a machine endpoint)',
    { method: 'POST', url: '/autodiscover/autodiscover.xml', payload: 'x', headers: { 'content-type': 'text/xml' } },
    400,
  ],
];

function assertStrictHeaders(response: LightMyRequestResponse) {
  const csp = String(response.headers['content-security-policy'] ?? '');
  assert.ok(csp, 'has a CSP');
  const directives = new Map(
    csp.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values.join(' ')] as const;
    }),
  );
  assert.equal(directives.get('base-uri'), "'none'");
  assert.equal(directives.get('frame-ancestors'), "'none'");
  assert.ok(directives.get('object-src') === "'none'" || directives.get('default-src') === "'none'");
  const script = directives.get('script-src') ?? directives.get('default-src') ?? '';
  assert.doesNotMatch(script, /unsafe-inline|unsafe-eval|\*|data:|nonce-|sha256-/, 'no inline script at all');
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.equal(response.headers['x-content-type-options'], 'nosniff');
  assert.equal(response.headers['referrer-policy'], 'no-referrer');
  assert.equal(response.headers['x-frame-options'], 'DENY');
  assert.equal(response.headers['x-powered-by'], undefined);
  assert.equal(response.headers['permissions-policy'], PERMISSIONS_POLICY);
}

describe('security headers (V14.4.1–V14.4.7)', () => {
  for (const [kind, request, status] of RESPONSES) {
    it(`puts a strict CSP, nosniff, no-referrer and DENY framing on ${kind}`, async () => {
      const response = await app.inject(request);
      assert.equal(response.statusCode, status);
      assertStrictHeaders(response);
      assert.equal(response.headers['strict-transport-security'], undefined, 'no HSTS over plain HTTP');
      if (response.headers['content-type']?.toString().startsWith('text/html')) {
        assert.match(String(response.headers['content-type']), /charset=utf-8/);
        assert.doesNotMatch(response.body, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline script element');
        assert.doesNotMatch(response.body, /\son[a-z]+\s*=/i, 'no inline event handler');
      }
    });
  }

  it('sends HSTS only on HTTPS responses behind TRUST_PROXY, on every kind of response', async () => {
    for (const [kind, request] of RESPONSES) {
      const https = await proxied.inject({ ...request, headers: { ...request.headers, 'x-forwarded-proto': 'https' } });
      assert.match(String(https.headers['strict-transport-security']), /max-age=31536000; includeSubDomains/, kind);
      assertStrictHeaders(https);
    }
    const plain = await proxied.inject('/');
    assert.equal(plain.headers['strict-transport-security'], undefined);
  });

  it('turns off with Permissions-Policy every browser feature the app never uses, on every response', async () => {
    const features = PERMISSIONS_POLICY.split(', ');
    assert.ok(
      features.every((f) => /^[a-z-]+=\(\)$/.test(f)),
      'each feature allowed to no origin at all',
    );
    for (const feature of ['camera', 'microphone', 'geolocation', 'payment', 'usb', 'serial', 'bluetooth', 'hid']) {
      assert.ok(features.includes(`${feature}=()`), feature);
    }
    for (const feature of ['midi', 'display-capture', 'fullscreen', 'interest-cohort', 'browsing-topics']) {
      assert.ok(features.includes(`${feature}=()`), feature);
    }
    for (const [kind, request] of RESPONSES) {
      assert.equal((await app.inject(request)).headers['permissions-policy'], PERMISSIONS_POLICY, kind);
    }
  });

  it('keeps message frames and attachments inert, and their error pages under the site policy', async () => {
    const domain = await makeDomain(database.db, 'frames.example');
    const mine = await makeMailbox(database.db, domain, 'moi');
    const theirs = await makeMailbox(database.db, domain, 'autre');
    const own = await addMessage(database.db, mine.id);
    const other = await addMessage(database.db, theirs.id);
    const client = await mailboxClient(app, 'moi@frames.example');

    const frame = await client.get(`/webmail/messages/${own}/contenu`);
    assert.equal(frame.statusCode, 200);
    const csp = String(frame.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'self'/);
    assert.doesNotMatch(csp, /script-src/, 'nothing may run: default-src none covers scripts');
    // Sandboxed however it is opened (alone in a tab too): opaque origin, no scripts, only popups.
    const sandbox = csp.split(/;\s*/).find((d) => d.startsWith('sandbox'));
    assert.equal(sandbox, 'sandbox allow-popups allow-popups-to-escape-sandbox');
    const withImages = await client.get(`/webmail/messages/${own}/contenu?images=1`);
    assert.match(
      String(withImages.headers['content-security-policy']),
      /; sandbox allow-popups allow-popups-to-escape-sandbox(;|$)/,
    );
    assert.equal(frame.headers['x-content-type-options'], 'nosniff');
    assert.equal(frame.headers['permissions-policy'], PERMISSIONS_POLICY);

    const attachment = await client.get(`/webmail/messages/${own}/pieces/1`);
    assert.equal(attachment.statusCode, 200);
    assert.equal(attachment.headers['content-type'], 'application/octet-stream', 'an HTML attachment is never a page');
    assert.match(String(attachment.headers['content-disposition']), /^attachment;/);
    assert.match(String(attachment.headers['content-security-policy']), /default-src 'none'.*sandbox/);
    assert.equal(attachment.headers['x-content-type-options'], 'nosniff');

    for (const url of [`/webmail/messages/${other}/contenu`, `/webmail/messages/${other}/pieces/0`]) {
      const refused = await client.get(url);
      assert.equal(refused.statusCode, 404, url);
      assertStrictHeaders(refused);
    }
  });

  it('renders a malformed URL as a short page in the reader language, never JSON', async () => {
    const response = await app.inject({ url: '/%E0%A4%A', headers: { 'accept-language': 'en' } });
    assert.equal(response.statusCode, 400);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    assert.match(response.body, /The request could not be read/);
    assert.doesNotMatch(response.body, /FST_ERR|statusCode/);
  });
});
