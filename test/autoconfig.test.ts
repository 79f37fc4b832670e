// Mail programs setting themselves up: Thunderbird's autoconfig, Outlook's Autodiscover and the
// Apple profile. None of them may tell whether an address exists; the profile holds a password
// only when its owner asks and types it right.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { nameUuid } from '../src/autoconfig/apple-profile.ts';
import { buildTestApp, Client } from './helpers/app.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';
import { mailboxClient, makeDomain, makeMailbox, PASSWORD } from './helpers/security.ts';

let database: TestDatabase;
let app: FastifyInstance;
const HOST = 'mail.fournisseur.example';

before(async () => {
  database = await createTestDatabase();
  app = await buildTestApp(database.db, database.url, {
    mailHostname: HOST,
    imapPort: 143,
    imapsPort: 993,
    submissionPort: 587,
    submissionsPort: 465,
  });
  const domain = await makeDomain(database.db, 'client.example');
  await makeMailbox(database.db, domain, 'jeanne');
});
after(async () => {
  await app.close();
  await database.drop();
});

const THUNDERBIRD = '/.well-known/autoconfig/mail/config-v1.1.xml';
const REQUEST_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006';
const RESPONSE_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';
const autodiscoverBody = (address: string) =>
  `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="${REQUEST_SCHEMA}"><Request>` +
  `<EMailAddress>${address}</EMailAddress><AcceptableResponseSchema>${RESPONSE_SCHEMA}</AcceptableResponseSchema>` +
  `</Request></Autodiscover>`;
const postXml = (target: FastifyInstance, url: string, payload: string, type = 'text/xml') =>
  target.inject({ method: 'POST', url, payload, headers: { 'content-type': type } });

/** The text of every `<name>` element of a server block, in order: `<incomingServer type="imap">…`. */
function servers(xml: string, element: string) {
  return [...xml.matchAll(new RegExp(`<${element} type="(\\w+)">([\\s\\S]*?)</${element}>`, 'g'))].map(
    ([, type, inner = '']) => ({
      type,
      ...Object.fromEntries([...inner.matchAll(/<(\w+)>([^<]*)<\/\1>/g)].map(([, name, value]) => [name, value])),
    }),
  );
}

describe('Thunderbird autoconfig', () => {
  it('names IMAPS and IMAP with STARTTLS, submissions and submission, as Thunderbird reads them', async () => {
    const response = await app.inject(`${THUNDERBIRD}?emailaddress=jeanne%40client.example`);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/xml; charset=utf-8');
    assert.equal(response.headers['set-cookie'], undefined, 'no session, no cookie');
    const xml = response.body;
    assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<clientConfig version="1.1">'));
    assert.ok(xml.includes('<emailProvider id="client.example">'));
    assert.ok(xml.includes('<domain>client.example</domain>'));
    assert.ok(xml.includes('<displayName>Easymail</displayName>'));
    const common = { hostname: HOST, username: '%EMAILADDRESS%', authentication: 'password-cleartext' };
    assert.deepEqual(servers(xml, 'incomingServer'), [
      { type: 'imap', ...common, port: '993', socketType: 'SSL' },
      { type: 'imap', ...common, port: '143', socketType: 'STARTTLS' },
    ]);
    assert.deepEqual(servers(xml, 'outgoingServer'), [
      { type: 'smtp', ...common, port: '465', socketType: 'SSL' },
      { type: 'smtp', ...common, port: '587', socketType: 'STARTTLS' },
    ]);
    // Every value Thunderbird's parser accepts, and nothing else.
    for (const [, value] of xml.matchAll(/<socketType>([^<]*)</g))
      assert.ok(['SSL', 'STARTTLS', 'plain'].includes(value!));
    for (const [, value] of xml.matchAll(/<authentication>([^<]*)</g)) assert.equal(value, 'password-cleartext');
  });

  it('answers the same bytes for an existing and a non-existing address of a domain', async () => {
    const existing = await app.inject(`${THUNDERBIRD}?emailaddress=jeanne%40client.example`);
    const unknown = await app.inject(`${THUNDERBIRD}?emailaddress=personne%40client.example`);
    assert.equal(unknown.statusCode, 200);
    assert.equal(unknown.body, existing.body);
    const steady = (headers: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(headers).filter(([name]) => name !== 'date' && !name.startsWith('x-ratelimit')),
      );
    assert.deepEqual(steady(unknown.headers), steady(existing.headers), 'the headers too (length included)');
    // A domain that is not hosted gets the same document, only its own name in it.
    const elsewhere = await app.inject(`${THUNDERBIRD}?emailaddress=x%40ailleurs.example`);
    assert.equal(elsewhere.body, existing.body.replaceAll('client.example', 'ailleurs.example'));
    // Thunderbird's other door, on the autoconfig.<domain> host.
    const host = await app.inject(`/mail/config-v1.1.xml?emailaddress=jeanne%40client.example`);
    assert.equal(host.body, existing.body);
  });

  it('answers a missing or malformed address with the generic document, never an error', async () => {
    const generic = await app.inject(THUNDERBIRD);
    assert.equal(generic.statusCode, 200);
    assert.ok(generic.body.includes(`<emailProvider id="${HOST}">`));
    for (const query of [
      'emailaddress=',
      'emailaddress=pas-une-adresse',
      'emailaddress=a%40b',
      'emailaddress=%3Cscript%3E%40client.example',
      'emailaddress=x%40%3C%2FemailProvider%3E.example',
      'emailaddress=x%40client.example&emailaddress=y%40autre.example',
      `emailaddress=${'a'.repeat(5000)}%40client.example`,
    ]) {
      const response = await app.inject(`${THUNDERBIRD}?${query}`);
      assert.equal(response.statusCode, 200, query);
      assert.equal(response.body, generic.body, query);
    }
  });

  it('leaves out a port configured 0, and escapes the brand', async () => {
    const narrow = await buildTestApp(database.db, database.url, {
      mailHostname: HOST,
      imapPort: 0,
      imapsPort: 993,
      submissionPort: 587,
      submissionsPort: 0,
      brandName: 'Courriel <Tremblay & fils>',
    });
    try {
      const xml = (await narrow.inject(`${THUNDERBIRD}?emailaddress=jeanne%40client.example`)).body;
      assert.deepEqual(
        servers(xml, 'incomingServer').map((s) => [s.port, s.socketType]),
        [['993', 'SSL']],
      );
      assert.deepEqual(
        servers(xml, 'outgoingServer').map((s) => [s.port, s.socketType]),
        [['587', 'STARTTLS']],
      );
      assert.ok(xml.includes('<displayName>Courriel &lt;Tremblay &amp; fils&gt;</displayName>'));
      const autodiscover = (await postXml(narrow, '/autodiscover/autodiscover.xml', autodiscoverBody('a@b.example')))
        .body;
      assert.match(autodiscover, /<Type>IMAP<\/Type>\s*<Server>[^<]+<\/Server>\s*<Port>993<\/Port>/);
      assert.match(autodiscover, /<Type>SMTP<\/Type>[\s\S]*<Port>587<\/Port>[\s\S]*<Encryption>TLS<\/Encryption>/);
    } finally {
      await narrow.close();
    }
  });
});

describe('Outlook Autodiscover (POX)', () => {
  it('answers both spellings with IMAP and SMTP settings for the address, without a CSRF token', async () => {
    for (const url of ['/autodiscover/autodiscover.xml', '/Autodiscover/Autodiscover.xml']) {
      for (const type of ['text/xml', 'application/xml', 'text/xml; charset=utf-8']) {
        const response = await postXml(app, url, autodiscoverBody('Jeanne@Client.example'), type);
        assert.equal(response.statusCode, 200, `${url} ${type}`);
        assert.equal(response.headers['content-type'], 'application/xml; charset=utf-8');
        assert.equal(response.headers['set-cookie'], undefined);
        const xml = response.body;
        assert.ok(xml.includes(`<Response xmlns="${RESPONSE_SCHEMA}">`));
        assert.ok(xml.includes('<AccountType>email</AccountType>'));
        assert.ok(xml.includes('<Action>settings</Action>'));
        const protocols = [...xml.matchAll(/<Protocol>([\s\S]*?)<\/Protocol>/g)].map(([, inner = '']) =>
          Object.fromEntries([...inner.matchAll(/<(\w+)>([^<]*)<\/\1>/g)].map(([, name, value]) => [name, value])),
        );
        const common = { Server: HOST, DomainRequired: 'off', LoginName: 'jeanne@client.example', SPA: 'off' };
        assert.deepEqual(protocols, [
          { Type: 'IMAP', ...common, Port: '993', SSL: 'on', AuthRequired: 'on' },
          { Type: 'SMTP', ...common, Port: '465', SSL: 'on', AuthRequired: 'on', UsePOPAuth: 'on', SMTPLast: 'off' },
        ]);
      }
    }
  });

  it('answers an unknown address exactly as a known one, but for the address itself', async () => {
    const known = await postXml(app, '/autodiscover/autodiscover.xml', autodiscoverBody('jeanne@client.example'));
    const unknown = await postXml(app, '/autodiscover/autodiscover.xml', autodiscoverBody('paul@client.example'));
    assert.equal(unknown.statusCode, 200);
    assert.equal(unknown.body.replaceAll('paul@', 'jeanne@'), known.body);
  });

  it('answers a malformed request with 400 in Autodiscover’s error form, never a 500', async () => {
    const bodies = [
      '',
      'pas du XML',
      '<Autodiscover><Request></Request></Autodiscover>',
      autodiscoverBody('pas-une-adresse'),
      autodiscoverBody('<x>@client.example'),
      autodiscoverBody('jeanne@client.example').replace('</Autodiscover>', ''),
      autodiscoverBody('jeanne@client.example').replace(RESPONSE_SCHEMA, 'http://example.com/mobilesync'),
      autodiscoverBody('a@client.example').replace(
        '</Request>',
        '<EMailAddress>b@client.example</EMailAddress></Request>',
      ),
    ];
    for (const body of bodies) {
      const response = await postXml(app, '/autodiscover/autodiscover.xml', body);
      assert.equal(response.statusCode, 400, body);
      assert.equal(response.headers['content-type'], 'application/xml; charset=utf-8');
      assert.match(response.body, /<ErrorCode>600<\/ErrorCode>/);
    }
    const form = await app.inject({
      method: 'POST',
      url: '/Autodiscover/Autodiscover.xml',
      payload: 'EMailAddress=jeanne%40client.example',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.statusCode, 400, 'a form is no Autodiscover request');
    const json = await postXml(app, '/autodiscover/autodiscover.xml', '{"a":1}', 'application/json');
    assert.equal(json.statusCode, 400);
    const tooBig = await postXml(
      app,
      '/autodiscover/autodiscover.xml',
      autodiscoverBody('a@b.example') + ' '.repeat(20_000),
    );
    assert.equal(tooBig.statusCode, 413);
    assert.match(tooBig.body, /<ErrorCode>600<\/ErrorCode>/);
  });

  it('expands no entity: a document type is refused whole', async () => {
    const attack =
      '<?xml version="1.0"?><!DOCTYPE Autodiscover [<!ENTITY a "EXPANDED"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">' +
      '<!ENTITY file SYSTEM "file:///etc/passwd">]>' +
      autodiscoverBody('&b;@client.example&file;').replace(/^<\?xml[^>]*>/, '');
    const response = await postXml(app, '/autodiscover/autodiscover.xml', attack);
    assert.equal(response.statusCode, 400);
    assert.doesNotMatch(response.body, /EXPANDED|root:/);
    const inAddress = await postXml(app, '/autodiscover/autodiscover.xml', autodiscoverBody('&a;@client.example'));
    assert.equal(inAddress.statusCode, 400, 'an entity reference is no address');
  });

  it('is counted by the general rate limit', async () => {
    const limited = await buildTestApp(database.db, database.url, { rateLimit: 2 });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        statuses.push(
          (await postXml(limited, '/autodiscover/autodiscover.xml', autodiscoverBody('a@b.example'))).statusCode,
        );
      }
      assert.deepEqual(statuses, [200, 200, 429]);
      assert.equal((await limited.inject(THUNDERBIRD)).statusCode, 429);
    } finally {
      await limited.close();
    }
  });
});

describe('Apple configuration profile', () => {
  const PROFILE = '/webmail/parametres/logiciel-de-courriel/profil-apple';

  it('downloads the profile of the signed-in address, with stable UUIDs and no password', async () => {
    const client = await mailboxClient(app, 'jeanne@client.example');
    const response = await client.get(PROFILE);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/x-apple-aspen-config');
    assert.equal(response.headers['content-disposition'], 'attachment; filename="jeanne@client.example.mobileconfig"');
    assert.equal(response.headers['cache-control'], 'no-store');
    const plist = response.body;
    const value = (key: string) =>
      new RegExp(`<key>${key}</key>\\n(<string>([^<]*)</string>|<integer>(\\d+)</integer>|<(true|false)/>)`).exec(
        plist,
      );
    assert.equal(value('PayloadType')?.[2], 'com.apple.mail.managed');
    assert.equal(value('EmailAccountType')?.[2], 'EmailTypeIMAP');
    assert.equal(value('EmailAddress')?.[2], 'jeanne@client.example');
    assert.equal(value('IncomingMailServerHostName')?.[2], HOST);
    assert.equal(value('IncomingMailServerPortNumber')?.[3], '993');
    assert.equal(value('IncomingMailServerUseSSL')?.[4], 'true');
    assert.equal(value('IncomingMailServerUsername')?.[2], 'jeanne@client.example');
    assert.equal(value('IncomingMailServerAuthentication')?.[2], 'EmailAuthPassword');
    assert.equal(value('OutgoingMailServerHostName')?.[2], HOST);
    assert.equal(value('OutgoingMailServerPortNumber')?.[3], '465');
    assert.equal(value('OutgoingMailServerUseSSL')?.[4], 'true');
    assert.equal(value('OutgoingPasswordSameAsIncomingPassword')?.[4], 'true');
    assert.doesNotMatch(plist, /<key>(Incoming|Outgoing)Password<\/key>|correct horse/);
    assert.match(plist, /<string>example\.fournisseur\.mail\.profile\.[0-9A-F-]{36}<\/string>/);
    assert.ok(plist.includes(`<string>${nameUuid(`${HOST} profile jeanne@client.example`)}</string>`));
    assert.match(nameUuid('x'), /^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/);
    assert.equal((await client.get(PROFILE)).body, plist, 'the same file every time');
  });

  it('puts the password in only when it is asked for and right; a wrong one is refused next to its field', async () => {
    const client = await mailboxClient(app, 'jeanne@client.example');
    const from = '/webmail/parametres/logiciel-de-courriel';
    const wrong = await client.post(PROFILE, { includePassword: '1', password: 'pas le bon mot de passe' }, { from });
    assert.equal(wrong.statusCode, 422);
    assert.match(String(wrong.headers['content-type']), /^text\/html/);
    assert.equal(wrong.headers['content-disposition'], undefined, 'nothing downloaded');
    assert.match(wrong.body, /id="password"[^>]*aria-invalid="true"/);
    assert.ok(wrong.body.includes('Ce n’est pas le mot de passe de votre courriel.'));
    assert.doesNotMatch(wrong.body, /pas le bon mot de passe/, 'the typed password is not shown again');

    const right = await client.post(PROFILE, { includePassword: '1', password: PASSWORD }, { from });
    assert.equal(right.statusCode, 200);
    assert.equal(right.headers['content-type'], 'application/x-apple-aspen-config');
    assert.match(right.body, /<key>IncomingPassword<\/key>\n<string>correct horse battery staple<\/string>/);

    const unasked = await client.post(PROFILE, { password: PASSWORD }, { from });
    assert.equal(unasked.statusCode, 200);
    assert.doesNotMatch(unasked.body, /<key>IncomingPassword<\/key>/, 'not without the box ticked');
    const noToken = await client.post(PROFILE, { includePassword: '1', password: PASSWORD }, { csrf: false });
    assert.equal(noToken.statusCode, 403);
  });

  it('requires a signed-in user', async () => {
    const stranger = new Client(app);
    for (const url of [PROFILE, '/webmail/parametres/logiciel-de-courriel']) {
      const response = await stranger.get(url);
      assert.equal(response.statusCode, 303, url);
      assert.equal(response.headers.location, '/webmail');
    }
  });
});

describe('Logiciel de courriel page and the account sheet', () => {
  it('shows the settings and the steps, in French and in English', async () => {
    const client = await mailboxClient(app, 'jeanne@client.example');
    const page = await client.get('/webmail/parametres/logiciel-de-courriel');
    assert.equal(page.statusCode, 200);
    for (const text of [
      'Serveur de réception (IMAP)',
      'Serveur d’envoi (SMTP)',
      HOST,
      '<code>993</code>',
      '<code>465</code>',
    ]) {
      assert.ok(page.body.includes(text), text);
    }
    assert.ok(page.body.includes('port 143 avec STARTTLS'));
    assert.ok(page.body.includes('port 587 avec STARTTLS'));
    assert.match(page.body, /href="\/webmail\/parametres\/logiciel-de-courriel" aria-current="page"/);
    for (const title of [
      'Outlook (Windows)',
      'Mail sur le Mac',
      'iPhone et iPad',
      'Gmail sur Android',
      'Thunderbird',
    ]) {
      assert.ok(page.body.includes(title), title);
    }
    const english = new Client(app, { 'accept-language': 'en' });
    await english.post('/webmail', { address: 'jeanne@client.example', password: PASSWORD });
    const en = await english.get('/webmail/parametres/logiciel-de-courriel');
    assert.ok(en.body.includes('Incoming server (IMAP)'));
    assert.ok(en.body.includes('Gmail on Android'));
  });

  it('shows the administrator the same settings as a sheet, without a password', async () => {
    const admin = new Client(app);
    await admin.post('/admin/connexion', { username: 'client.example', password: PASSWORD });
    const mailbox = await database.db.mailbox.findFirstOrThrow({ where: { localPart: 'jeanne' } });
    const page = await admin.get(`/admin/courriel/comptes/${mailbox.id}`);
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('Fiche pour l’employé'));
    assert.ok(page.body.includes('<code>jeanne@client.example</code>'));
    assert.ok(page.body.includes(HOST));
    assert.doesNotMatch(page.body, new RegExp(PASSWORD));
  });
});
