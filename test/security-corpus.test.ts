// ASVS V5.1.x / V5.3.x (input validation, output encoding), V13.1.x: hostile and malformed input on
// the sign-in forms, mailbox creation, the three password changes and the operator CLI. Each gets
// a clear 4xx refusal in the reader's language (or exit 1 and one line on stderr), no 5xx, no state
// change, and nothing reflected unescaped.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { translate, type Lang, type MessageKey } from '../src/i18n/index.ts';
import { buildTestApp, Client } from './helpers/app.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';
import { makeDomain, makeMailbox, mailboxClient, adminClient, PASSWORD, snapshot } from './helpers/security.ts';
import { runCli } from './helpers/cli.ts';

let database: TestDatabase;
let app: FastifyInstance;
let admin: Client;
let user: Client;
let jeanne: number;

before(async () => {
  database = await createTestDatabase();
  app = await buildTestApp(database.db, database.url);
  const domain = await makeDomain(database.db, 'corpus.example', 5);
  jeanne = (await makeMailbox(database.db, domain, 'jeanne')).id;
  await makeDomain(database.db, 'bystander.example');
  admin = await adminClient(app, 'corpus.example');
  user = await mailboxClient(app, 'jeanne@corpus.example');
});
after(async () => {
  await app.close();
  await database.drop();
});

type Target = 'adminSignIn' | 'webmailSignIn' | 'create' | 'mailboxPassword' | 'adminPassword' | 'ownPassword';
interface WebCase {
  name: string;
  target: Target;
  /** Form fields, or a raw body (sent after the CSRF token for forms). */
  body: Record<string, string> | string;
  /** A body sent as-is with this content type (with the token inside when it is JSON). */
  contentType?: string;
  lang?: Lang;
  status: number;
  message: MessageKey;
}

const MiB = 1024 * 1024;
const long = (n: number) => 'a'.repeat(n);
const XSS = '<script>alert(1)</script>';
const IMG = '"><img src=x onerror=alert(1)>';
const CYRILLIC_A = '\u0430';
const CYRILLIC_O = '\u043e';
const CYRILLIC_E = '\u0435';
const ZWSP = '\u200b';

const admin401 = { status: 401, message: 'signIn.errors.adminInvalid' } as const;
const webmail401 = { status: 401, message: 'signIn.errors.mailboxInvalid' } as const;
const bad400 = { status: 400, message: 'errors.badRequest.body' } as const;
const tooLarge = { status: 413, message: 'errors.tooLarge.body' } as const;
const invalidName = { status: 422, message: 'mailbox.errors.invalidName' } as const;
const pw = (message: MessageKey) => ({ status: 422, message });

const CASES: WebCase[] = [
  // Administrator sign-in: every refusal is the one generic sentence (or the 400 / 413 / 415 page).
  {
    name: 'SQL in both fields',
    target: 'adminSignIn',
    body: { username: "' OR '1'='1' --", password: "' OR 1=1 --" },
    ...admin401,
  },
  {
    name: 'SQL after a real domain',
    target: 'adminSignIn',
    body: { username: "corpus.example'; DROP TABLE domains;--", password: PASSWORD },
    ...admin401,
  },
  {
    name: 'NUL after a real domain, right password',
    target: 'adminSignIn',
    body: { username: 'corpus.example\0', password: PASSWORD },
    ...admin401,
  },
  {
    name: 'right password then NUL and more',
    target: 'adminSignIn',
    body: { username: 'corpus.example', password: `${PASSWORD}\0suffix` },
    ...admin401,
  },
  {
    name: 'CR/LF header injection in the user name',
    target: 'adminSignIn',
    body: { username: 'corpus.example\r\nSet-Cookie: admin=1', password: 'x' },
    ...admin401,
  },
  {
    name: 'repeated password field: the first (wrong) one counts',
    target: 'adminSignIn',
    body: `username=corpus.example&password=wrong&password=${encodeURIComponent(PASSWORD)}`,
    ...admin401,
  },
  {
    name: 'Cyrillic о homoglyph of a real domain',
    target: 'adminSignIn',
    body: { username: `c${CYRILLIC_O}rpus.example`, password: PASSWORD },
    ...admin401,
  },
  {
    name: 'zero-width space inside a real domain',
    target: 'adminSignIn',
    body: { username: `corpus${ZWSP}.example`, password: PASSWORD },
    ...admin401,
  },
  {
    name: 'path traversal as user name',
    target: 'adminSignIn',
    body: { username: '../../../etc/passwd', password: 'x' },
    ...admin401,
  },
  { name: 'script tag as user name', target: 'adminSignIn', body: { username: XSS, password: 'x' }, ...admin401 },
  {
    name: 'unknown fields that look like privileges',
    target: 'adminSignIn',
    body: { username: 'corpus.example', password: 'nope', isAdmin: 'true', domainId: '1' },
    ...admin401,
  },
  { name: 'no fields at all', target: 'adminSignIn', body: '', ...admin401 },
  {
    name: 'wrong password, in English',
    target: 'adminSignIn',
    body: { username: 'corpus.example', password: 'nope' },
    lang: 'en',
    ...admin401,
  },
  { name: '1 MB user name', target: 'adminSignIn', body: { username: long(MiB - 2000), password: 'x' }, ...bad400 },
  {
    name: '5 MB password (over the 1 MiB body limit)',
    target: 'adminSignIn',
    body: { username: 'corpus.example', password: long(5 * MiB) },
    ...tooLarge,
  },
  { name: '5 MB body, in English', target: 'adminSignIn', body: { username: long(5 * MiB) }, lang: 'en', ...tooLarge },
  {
    name: 'JSON arrays and operators instead of strings',
    target: 'adminSignIn',
    contentType: 'application/json',
    body: '{"username":["corpus.example","x"],"password":{"$gt":""}}',
    ...bad400,
  },
  {
    name: 'JSON prototype pollution',
    target: 'adminSignIn',
    contentType: 'application/json',
    body: '{"__proto__":{"admin":{"domainId":1}},"username":"corpus.example","password":"x"}',
    ...bad400,
  },
  { name: 'malformed JSON', target: 'adminSignIn', contentType: 'application/json', body: '{"username":', ...bad400 },
  {
    name: 'a text/plain body instead of a form',
    target: 'adminSignIn',
    contentType: 'text/plain',
    body: 'username=corpus.example',
    ...bad400,
  },
  {
    name: 'an unsupported content type',
    target: 'adminSignIn',
    contentType: 'application/xml',
    body: '<username>corpus.example</username>',
    status: 415,
    message: 'errors.badRequest.body',
  },
  { name: 'malformed percent-encoding', target: 'adminSignIn', body: 'username=%zz%&password=%', ...admin401 },

  // Webmail sign-in.
  {
    name: 'SQL after a real address',
    target: 'webmailSignIn',
    body: { address: "jeanne@corpus.example' OR 1=1--", password: PASSWORD },
    ...webmail401,
  },
  {
    name: 'NUL inside a real address',
    target: 'webmailSignIn',
    body: { address: 'jean\0ne@corpus.example', password: PASSWORD },
    ...webmail401,
  },
  {
    name: 'Cyrillic о in the domain of a real address',
    target: 'webmailSignIn',
    body: { address: `jeanne@c${CYRILLIC_O}rpus.example`, password: PASSWORD },
    ...webmail401,
  },
  {
    name: 'Cyrillic е in the name of a real address',
    target: 'webmailSignIn',
    body: { address: `j${CYRILLIC_E}anne@corpus.example`, password: PASSWORD },
    ...webmail401,
  },
  {
    name: 'HTML attribute break-out as address',
    target: 'webmailSignIn',
    body: { address: `${IMG}@corpus.example`, password: 'x' },
    ...webmail401,
  },
  {
    name: 'CR/LF and a Bcc header after the address',
    target: 'webmailSignIn',
    body: { address: 'jeanne@corpus.example\r\nBcc: x@evil.example', password: PASSWORD },
    ...webmail401,
  },
  {
    name: 'repeated address field: the first (unknown) one counts',
    target: 'webmailSignIn',
    body: `address=nobody%40corpus.example&address=jeanne%40corpus.example&password=${encodeURIComponent(PASSWORD)}`,
    ...webmail401,
  },
  {
    name: '1 MB password',
    target: 'webmailSignIn',
    body: { address: 'jeanne@corpus.example', password: long(MiB - 2000) },
    ...bad400,
  },

  // Créer (a mailbox).
  {
    name: 'SQL as mailbox name',
    target: 'create',
    body: { name: "a'; DROP TABLE mailboxes;--", password: 'un mot de passe valide' },
    ...invalidName,
  },
  {
    name: 'path traversal as mailbox name',
    target: 'create',
    body: { name: '../etc', password: 'un mot de passe valide' },
    ...invalidName,
  },
  {
    name: 'script tag as mailbox name',
    target: 'create',
    body: { name: XSS, password: 'un mot de passe valide' },
    ...invalidName,
  },
  {
    name: 'NUL in the mailbox name',
    target: 'create',
    body: { name: 'paul\0', password: 'un mot de passe valide' },
    ...invalidName,
  },
  {
    name: 'Cyrillic а in the mailbox name',
    target: 'create',
    body: { name: `p${CYRILLIC_A}ul`, password: 'un mot de passe valide' },
    ...invalidName,
  },
  {
    name: 'zero-width space in the mailbox name',
    target: 'create',
    body: { name: `pa${ZWSP}ul`, password: 'un mot de passe valide' },
    ...invalidName,
  },
  {
    name: 'CR/LF header injection in the mailbox name',
    target: 'create',
    body: { name: 'paul\r\nX-Injected: 1', password: 'un mot de passe valide' },
    ...invalidName,
  },
  {
    name: 'a reserved name',
    target: 'create',
    body: { name: 'postmaster', password: 'un mot de passe valide' },
    status: 422,
    message: 'mailbox.errors.reserved',
  },
  {
    name: 'unknown fields naming another domain and a quota',
    target: 'create',
    body: { name: '-x-', password: 'un mot de passe valide', domainId: '2', quota: '9999' },
    ...invalidName,
  },
  { name: 'no fields at all', target: 'create', body: '', ...invalidName },
  {
    name: 'a 9-character password',
    target: 'create',
    body: { name: 'paul', password: 'neuf car.' },
    ...pw('password.errors.length'),
  },
  {
    name: 'a 129-character password',
    target: 'create',
    body: { name: 'paul', password: long(129) },
    ...pw('password.errors.length'),
  },
  {
    name: 'NUL in the password',
    target: 'create',
    body: { name: 'paul', password: 'a\0bcdefghijkl' },
    ...pw('password.errors.control'),
  },
  {
    name: 'CR/LF in the password',
    target: 'create',
    body: { name: 'paul', password: 'ligne\r\nsuivante' },
    ...pw('password.errors.control'),
  },
  {
    name: 'a common password',
    target: 'create',
    body: { name: 'paul', password: 'password123' },
    ...pw('password.errors.common'),
  },
  {
    name: 'the user name as password',
    target: 'create',
    body: { name: 'paulinette12', password: 'PaulineTte12' },
    ...pw('password.errors.name'),
  },
  {
    name: 'the domain as password',
    target: 'create',
    body: { name: 'paul', password: 'corpus.example' },
    ...pw('password.errors.name'),
  },
  {
    name: 'repeated password field: the first (short) one counts',
    target: 'create',
    body: 'name=paul&password=court&password=un%20mot%20de%20passe%20valide',
    ...pw('password.errors.length'),
  },
  {
    name: 'a weak password, in English',
    target: 'create',
    body: { name: 'paul', password: 'court' },
    lang: 'en',
    ...pw('password.errors.length'),
  },
  {
    name: '1 MB mailbox name',
    target: 'create',
    body: { name: long(MiB - 2000), password: 'un mot de passe valide' },
    ...bad400,
  },
  { name: '5 MB password', target: 'create', body: { name: 'paul', password: long(5 * MiB) }, ...tooLarge },

  // Nouveau mot de passe (administrator sets a mailbox's), Sécurité, and the webmail's own.
  {
    name: 'short new mailbox password',
    target: 'mailboxPassword',
    body: { action: 'set', password: 'court' },
    ...pw('password.errors.length'),
  },
  {
    name: 'NUL in a new mailbox password',
    target: 'mailboxPassword',
    body: { action: 'set', password: 'abcdefghij\0k' },
    ...pw('password.errors.control'),
  },
  {
    name: 'the address as new mailbox password',
    target: 'mailboxPassword',
    body: { action: 'set', password: 'jeanne@corpus.example' },
    ...pw('password.errors.name'),
  },
  { name: 'an unknown action', target: 'mailboxPassword', body: { action: 'reveal', password: 'x' }, ...bad400 },
  {
    name: '5 MB new mailbox password',
    target: 'mailboxPassword',
    body: { action: 'set', password: long(5 * MiB) },
    ...tooLarge,
  },
  {
    name: 'wrong current administrator password',
    target: 'adminPassword',
    body: { current: 'pas le bon', next: 'un autre secret sûr', confirm: 'un autre secret sûr' },
    ...pw('password.errors.currentWrong'),
  },
  {
    name: 'administrator confirmation differs',
    target: 'adminPassword',
    body: { current: PASSWORD, next: 'un autre secret sûr', confirm: 'un autre secret sur' },
    ...pw('password.errors.mismatch'),
  },
  {
    name: 'the domain as administrator password',
    target: 'adminPassword',
    body: { current: PASSWORD, next: 'corpus.example', confirm: 'corpus.example' },
    ...pw('password.errors.name'),
  },
  {
    name: 'script tag as new administrator password (too short)',
    target: 'adminPassword',
    body: { current: PASSWORD, next: '<script>', confirm: '<script>' },
    ...pw('password.errors.length'),
  },
  {
    name: 'wrong current webmail password',
    target: 'ownPassword',
    body: { current: 'pas le bon', next: 'un autre secret sûr', confirm: 'un autre secret sûr' },
    ...pw('password.errors.currentWrong'),
  },
  {
    name: 'the address as own new password',
    target: 'ownPassword',
    body: { current: PASSWORD, next: 'jeanne@corpus.example', confirm: 'jeanne@corpus.example' },
    ...pw('password.errors.name'),
  },
  {
    name: 'CR/LF in own new password',
    target: 'ownPassword',
    body: { current: PASSWORD, next: 'un\r\nmot de passe', confirm: 'un\r\nmot de passe' },
    ...pw('password.errors.control'),
  },
];

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

async function clientFor(target: Target, lang: Lang): Promise<{ client: Client; url: string; from?: string }> {
  const headers: Record<string, string> = lang === 'en' ? { 'accept-language': 'en' } : {};
  switch (target) {
    case 'adminSignIn':
      return { client: new Client(app, headers), url: '/admin/connexion' };
    case 'webmailSignIn':
      return { client: new Client(app, headers), url: '/webmail' };
    case 'create':
      return {
        client: lang === 'en' ? await adminClient(app, 'corpus.example', headers) : admin,
        url: '/admin/courriel/creer',
      };
    case 'mailboxPassword':
      return {
        client: admin,
        url: `/admin/courriel/comptes/${jeanne}/mot-de-passe`,
        from: `/admin/courriel/comptes/${jeanne}`,
      };
    case 'adminPassword':
      return { client: admin, url: '/admin/securite' };
    case 'ownPassword':
      return { client: user, url: '/webmail/mot-de-passe' };
  }
}

async function send(c: WebCase): Promise<LightMyRequestResponse> {
  const { client, url, from } = await clientFor(c.target, c.lang ?? 'fr');
  if (!c.contentType) return client.post(url, c.body, { from });
  const token = await client.csrfToken(from ?? url);
  const payload =
    c.contentType === 'application/json' ? c.body.toString().replace('{', `{"_csrf":"${token}",`) : c.body;
  return client.raw('POST', url, payload as string, { 'content-type': c.contentType });
}

describe('bad-input corpus: web forms', () => {
  it('has at least 40 cases across the six forms', () => {
    assert.ok(CASES.length >= 40);
    assert.equal(new Set(CASES.map((c) => c.target)).size, 6);
  });

  for (const c of CASES) {
    it(`${c.target}: ${c.name} → ${c.status}`, async () => {
      await database.db.signInFailure.deleteMany(); // the per-account throttle is tested elsewhere
      const before = await snapshot(database.db);
      const response = await send(c);
      assert.equal(response.statusCode, c.status, response.body.slice(0, 300));
      assert.match(String(response.headers['content-type']), /^text\/html; charset=utf-8/);
      const sentence = escapeHtml(translate(c.lang ?? 'fr', c.message, { quota: 5 }));
      assert.ok(response.body.includes(sentence), `the page says: ${sentence}`);
      assert.match(response.body, new RegExp(`<html lang="${c.lang ?? 'fr'}">`));
      assert.match(response.body, /role="alert"/);
      assert.deepEqual(await snapshot(database.db), before, 'nothing changed');
      assert.ok(!/<script|<img|alert\(1\)>/i.test(response.body), 'nothing reflected unescaped');
      assert.ok(!/admin=1|X-Injected/i.test(JSON.stringify(response.headers)), 'no header injected');
      assert.doesNotMatch(response.body, /FST_ERR|"statusCode"|\bat [^<\n]*\.ts:\d+/, 'no internals');
    });
  }

  it('the forms still work after the corpus (sessions intact, nothing locked)', async () => {
    assert.equal((await admin.get('/admin/courriel/configuration')).statusCode, 200);
    assert.equal((await user.get('/webmail/reception')).statusCode, 200);
  });
});

describe('redirects (V5.1.5)', () => {
  it('sends the language switch back only to a path of this site', async () => {
    const client = new Client(app);
    for (const next of [
      '//evil.example/x',
      'https://evil.example/',
      '/\\evil.example',
      'javascript:alert(1)',
      '/ok path',
      '/€',
      '/\x7f',
    ]) {
      const response = await client.post('/langue', { lang: 'en', next });
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, '/', next);
    }
    assert.equal((await client.post('/langue', { lang: 'fr', next: '/mes-comptes' })).headers.location, '/mes-comptes');
  });
});

interface CliCase {
  name: string;
  args: string[];
  stdin?: string;
  /** A part of the English sentence on stderr. */
  says: RegExp;
}

const CLI_CASES: CliCase[] = [
  { name: 'SQL as domain name', args: ['domain', 'add', "a'; DROP TABLE domains;--"], says: /is not valid/ },
  { name: 'path traversal as domain name', args: ['domain', 'add', '../../etc/passwd'], says: /is not valid/ },
  { name: 'script tag as domain name', args: ['domain', 'add', `${XSS}.example`], says: /is not valid/ },
  { name: 'Cyrillic а homoglyph domain', args: ['domain', 'add', `ex${CYRILLIC_A}mple.com`], says: /is not valid/ },
  { name: 'homoglyph domain typed in punycode', args: ['domain', 'add', 'xn--exmple-4nf.com'], says: /is not valid/ },
  {
    name: 'zero-width space in a domain',
    args: ['domain', 'add', `exa${ZWSP}mple.com`],
    says: /exa\\u200bmple\.com" is not valid/,
  },
  {
    name: 'CR/LF in a domain (one line on stderr)',
    args: ['domain', 'add', 'evil.example\r\nfake: line'],
    says: /evil\.example\\u000d\\u000afake: line/,
  },
  {
    name: 'SQL as quota',
    args: ['domain', 'add', 'quota.example', '--quota', '15; DROP TABLE domains'],
    says: /quota must be a whole number/,
  },
  {
    name: 'short password on stdin',
    args: ['domain', 'add', 'pw.example', '--password-stdin'],
    stdin: 'court\n',
    says: /10 to 128 characters/,
  },
  {
    name: 'NUL in the password on stdin',
    args: ['domain', 'add', 'pw.example', '--password-stdin'],
    stdin: 'abcdefghij\0kl\n',
    says: /control characters/,
  },
  {
    name: '1 MB password on stdin',
    args: ['domain', 'add', 'pw.example', '--password-stdin'],
    stdin: long(MiB),
    says: /10 to 128 characters/,
  },
  {
    name: '5 MB password on stdin',
    args: ['domain', 'add', 'pw.example', '--password-stdin'],
    stdin: long(5 * MiB),
    says: /10 to 128 characters/,
  },
  {
    name: 'a confirmation that is not the name',
    args: ['domain', 'remove', 'bystander.example', '--confirm', "bystander.example' --"],
    says: /add --confirm bystander\.example/,
  },
  { name: 'an unknown option', args: ['domain', 'suspend', 'bystander.example', '--all'], says: /bad option/ },
];

function easymail(args: string[], stdin = '') {
  return runCli(args, { DATABASE_URL: database.url }, stdin);
}

describe('bad-input corpus: operator CLI', () => {
  it(`refuses ${CLI_CASES.length} hostile inputs with exit 1, one line on stderr, and changes nothing`, async () => {
    const before = await snapshot(database.db);
    const runs = await Promise.all(CLI_CASES.map((c) => easymail(c.args, c.stdin)));
    CLI_CASES.forEach((c, i) => {
      const run = runs[i]!;
      assert.equal(run.status, 1, `${c.name}: ${run.stderr}`);
      assert.equal(run.stdout, '', c.name);
      assert.match(run.stderr, /^easymail: [^\n]+\n$/, `${c.name}: exactly one line`);
      assert.match(run.stderr, c.says, c.name);
      assert.doesNotMatch(run.stderr, /at .*\.ts:\d+|Error:/, `${c.name}: no stack trace`);
    });
    assert.deepEqual(await snapshot(database.db), before);
  });
});
