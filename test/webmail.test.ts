import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import MailComposer from 'nodemailer/lib/mail-composer';
import { OPERATOR } from '../src/accounts/audit.ts';
import { addDomain, setDomainState } from '../src/accounts/domains.ts';
import { createMailbox } from '../src/accounts/mailboxes.ts';
import type { Config } from '../src/config.ts';
import { ingestMessage } from '../src/mail/ingest.ts';
import { attachmentDisposition, downloadType } from '../src/routes/webmail/mail.ts';
import { listFolder, moveToTrash, parseMessageId } from '../src/mail/store.ts';
import { buildTestApp, Client } from './helpers/app.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';
import { byRole, text } from './helpers/html.ts';
import { SMTPServer } from 'smtp-server';

const PASSWORD = 'cheval agrafe pile correcte';
const STORAGE = 50 * 1024 * 1024;

let database: TestDatabase;
let app: FastifyInstance;

before(async () => {
  database = await createTestDatabase();
  app = await buildTestApp(database.db, database.url, {
    signInRateLimit: 100_000,
    rateLimit: 100_000,
    mailboxStorageBytes: STORAGE,
  } as Partial<Config>);
});
after(async () => {
  await app.close();
  await database.drop();
});

interface Box {
  id: number;
  address: string;
  domain: { id: number; name: string };
}

/** A fresh domain with mailboxes of the given names. */
async function newDomain(...names: string[]): Promise<Box[]> {
  const name = `w${randomBytes(5).toString('hex')}.example`;
  assert.ok((await addDomain(database.db, { name, quota: 15, password: 'administrateur solide' }, OPERATOR)).ok);
  const domain = await database.db.domain.findUniqueOrThrow({ where: { name } });
  const boxes: Box[] = [];
  for (const local of names) {
    const created = await createMailbox(database.db, domain, { name: local, password: PASSWORD }, OPERATOR);
    assert.ok(created.ok);
    boxes.push({ ...created.value, domain });
  }
  return boxes;
}

/** A message as it would arrive, built by nodemailer's composer. */
async function rawMessage(options: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new MailComposer({
    from: 'Alice Expéditrice <alice@ailleurs.example>',
    to: 'someone@example.net',
    date: new Date('2026-11-24T15:00:00Z'),
    text: 'Bonjour.',
    ...options,
  })
    .compile()
    .build();
}

/** Delivers a message to a mailbox through the one ingestion function; returns its id. */
async function deliver(box: Box, options: ConstructorParameters<typeof MailComposer>[0] = {}): Promise<bigint> {
  const result = await ingestMessage(database.db, {
    recipients: [box.id],
    raw: await rawMessage({ to: box.address, subject: 'Bonjour', ...options }),
    folder: 'inbox',
    storageLimit: STORAGE,
  });
  assert.ok(result.ok);
  return result.value[0]!;
}

async function signIn(box: Box, lang = 'fr'): Promise<Client> {
  const client = new Client(app, { 'accept-language': lang });
  const response = await client.post('/webmail', { address: box.address, password: PASSWORD });
  assert.equal(response.statusCode, 303, response.body);
  assert.equal(response.headers.location, '/webmail/reception');
  return client;
}

/** Fails unless the page's visible text holds the fragment. */
function assertText(html: string, fragment: string) {
  const visible = text(html);
  assert.ok(visible.includes(fragment), `"${fragment}" not in: ${visible}`);
}

/** The subjects of the message list, in order. */
const subjects = (html: string) =>
  [...html.matchAll(/<a href="\/webmail\/messages\/\d+">([^<]*)<\/a>/g)].map((m) => text(m[1] ?? ''));

/** A stored message, its folder named by special use (inbox, sent, trash…) or null for a user folder. */
const messageRow = async (id: bigint) => {
  const row = await database.db.message.findUnique({ where: { id }, include: { folder: true } });
  return row && { ...row, folder: row.folder.specialUse };
};
const inboxOf = async (box: Box) =>
  (await database.db.folder.findFirstOrThrow({ where: { mailboxId: box.id, specialUse: 'inbox' } })).id;
const storageOf = async (box: Box) =>
  (await database.db.mailbox.findUniqueOrThrow({ where: { id: box.id } })).storageUsed;

/** Posts a multipart form (as the compose page sends it), with the CSRF token of the page at `from`. */
async function postMultipart(
  client: Client,
  url: string,
  fields: Record<string, string>,
  files: { filename: string; type: string; content: Buffer }[] = [],
  from = url,
  on: FastifyInstance = app,
) {
  const page = await client.get(from);
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(token, `no CSRF token on ${from}`);
  const boundary = `----easymail${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries({ _csrf: token, ...fields })) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const file of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="${file.filename}"\r\n` +
          `Content-Type: ${file.type}\r\n\r\n`,
      ),
      file.content,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  const cookie = ['easymail', 'csrf']
    .flatMap((name) => (client.cookie(name) ? [`${name}=${client.cookie(name)}`] : []))
    .join('; ');
  return on.inject({
    method: 'POST',
    url,
    payload: Buffer.concat(parts),
    headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
}

describe('webmail sign-in', () => {
  it('shows the fields of the guide, and sends signed-out visitors of any webmail page to it', async () => {
    const client = new Client(app);
    const page = await client.get('/webmail');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<label for="address">Adresse de courriel<\/label>/);
    assert.match(page.body, /<input type="email" id="address" name="address"[^>]*autocomplete="username"/);
    assert.match(page.body, /<label for="password">Mot de passe<\/label>/);
    assert.match(page.body, /<input type="password" id="password" name="password" autocomplete="current-password"/);
    assert.match(page.body, /<button type="submit">Ouvrir une session<\/button>/);
    for (const path of ['/webmail/reception', '/webmail/envoyes', '/webmail/messages/1', '/webmail/nouveau']) {
      const response = await client.get(path);
      assert.equal(response.statusCode, 303, path);
      assert.equal(response.headers.location, '/webmail', path);
    }
  });

  it('signs in with the address in any case, opens the inbox, and signs out', async () => {
    const [jeanne] = await newDomain('jeanne');
    const client = new Client(app);
    const response = await client.post('/webmail', { address: jeanne!.address.toUpperCase(), password: PASSWORD });
    assert.equal(response.statusCode, 303);
    const inbox = await client.get('/webmail/reception');
    assert.equal(inbox.statusCode, 200);
    assert.match(inbox.body, /<h1>Boîte de réception<\/h1>/);
    assertText(inbox.body, jeanne!.address);
    assert.equal(inbox.headers['cache-control'], 'no-store');
    assert.equal((await client.get('/webmail')).headers.location, '/webmail/reception');
    const out = await client.post('/webmail/deconnexion', {}, { from: '/webmail/reception' });
    assert.equal(out.statusCode, 303);
    assert.equal((await client.get('/webmail/reception')).headers.location, '/webmail');
  });

  it('gives an unknown address, a wrong password and a suspended domain guessed at the same 401 and sentence', async () => {
    const [jeanne] = await newDomain('jeanne');
    const [paul] = await newDomain('paul');
    await setDomainState(database.db, paul!.domain.name, 'suspended', OPERATOR);
    const attempts = [
      { address: jeanne!.address, password: 'pas le bon mot de passe' },
      { address: `inconnu-"<b>x</b>"@${jeanne!.domain.name}`, password: PASSWORD },
      { address: paul!.address, password: 'pas le bon mot de passe' },
      { address: '', password: '' },
    ];
    const suspended = await new Client(app).post('/webmail', { address: paul!.address, password: PASSWORD });
    assert.equal(suspended.statusCode, 401);
    assert.deepEqual(byRole(suspended.body, 'alert'), [
      `Ce domaine est suspendu. Appelez le soutien technique au ${app.config.supportPhone}.`,
    ]);
    for (const attempt of attempts) {
      const response = await new Client(app).post('/webmail', attempt);
      assert.equal(
        response.statusCode,
        401,
        `${attempt.address} ${response.statusCode} ${response.body.slice(0, 300)}`,
      );
      assert.deepEqual(byRole(response.body, 'alert'), ['Adresse de courriel ou mot de passe invalide.']);
      assert.doesNotMatch(response.body, /pas le bon/);
    }
    const unknown = await new Client(app).post('/webmail', attempts[1]!);
    assert.match(unknown.body, /value="inconnu-&quot;&lt;b&gt;x&lt;\/b&gt;&quot;@/);
    assert.doesNotMatch(unknown.body, /<b>x<\/b>/);
  });

  it('serves the webmail at / on its own host name, and the portal elsewhere', async () => {
    const hosted = await buildTestApp(database.db, database.url, { webmailHost: 'webmail.example.net' });
    try {
      const webmail = await hosted.inject({ url: '/', headers: { host: 'Webmail.Example.net:8080' } });
      assert.equal(webmail.statusCode, 303);
      assert.equal(webmail.headers.location, '/webmail');
      const portal = await hosted.inject({ url: '/', headers: { host: 'portail.example.net' } });
      assert.equal(portal.statusCode, 200);
      assert.match(portal.body, /Mes comptes/);
    } finally {
      await hosted.close();
    }
  });
});

describe('folders', () => {
  it('lists 50 messages a page, newest first, with paging links, unread counts and storage', async () => {
    const [jeanne] = await newDomain('jeanne');
    for (let i = 1; i <= 120; i++) await deliver(jeanne!, { subject: `Message ${i}` });
    const client = await signIn(jeanne!);
    const first = await client.get('/webmail/reception');
    assert.deepEqual(subjects(first.body).slice(0, 2), ['Message 120', 'Message 119']);
    assert.equal(subjects(first.body).length, 50);
    assert.match(first.body, /<caption>Boîte de réception : 120 messages, page 1 sur 3<\/caption>/);
    assert.match(first.body, /<a href="\/webmail\/reception\?page=2" rel="next">Suivant<\/a>/);
    assert.doesNotMatch(first.body, /rel="prev"/);
    assert.match(
      first.body,
      /aria-label="Boîte de réception, 120 non lus">Boîte de réception <span class="badge">120<\/span>/,
    );
    assert.match(first.body, /<span class="unread-mark">Non lu<\/span>/);
    assert.match(first.body, /Espace utilisé : [\d,]+\sko sur 50\sMo \(0\s%\)/);
    const last = await client.get('/webmail/reception?page=3');
    assert.deepEqual(
      subjects(last.body),
      Array.from({ length: 20 }, (_, i) => `Message ${20 - i}`),
    );
    assert.match(last.body, /<a href="\/webmail\/reception\?page=2" rel="prev">Précédent<\/a>/);
    assert.doesNotMatch(last.body, /rel="next"/);
    const middle = await client.get('/webmail/reception?page=2');
    assert.deepEqual(subjects(middle.body).slice(0, 1), ['Message 70']);
    assert.deepEqual(subjects(middle.body).slice(-1), ['Message 21']);
    // Pages past the end show the last page; a page that is not a number shows the first.
    assert.deepEqual(subjects((await client.get('/webmail/reception?page=99')).body)[0], 'Message 20');
    assert.deepEqual(subjects((await client.get('/webmail/reception?page=-1')).body)[0], 'Message 120');
    const sent = await client.get('/webmail/envoyes');
    assert.deepEqual(byRole(sent.body, 'status'), []);
    assertText(sent.body, 'Ce dossier ne contient aucun message.');
  });

  it('splits a folder into pages that hold every message once, newest first, whichever end they are read from', async () => {
    const [jeanne] = await newDomain('jeanne');
    const ids: bigint[] = [];
    for (let i = 0; i < 151; i++) ids.push(await deliver(jeanne!, { subject: `M${i}` }));
    const pages = [];
    for (let page = 1; page <= 4; page++) {
      const list = await listFolder(database.db, jeanne!.id, await inboxOf(jeanne!), { page });
      assert.equal(list.pages, 4);
      pages.push(...list.messages.map((m) => m.id));
    }
    assert.deepEqual(pages, [...ids].reverse());
    const beyond = await listFolder(database.db, jeanne!.id, await inboxOf(jeanne!), { page: 9 });
    assert.equal(beyond.page, 4);
    assert.deepEqual(
      beyond.messages.map((m) => m.id),
      [ids[0]],
    );
  });

  it('searches body text, recipients and unaccented words, with operators, in one folder or all', async () => {
    const [jeanne] = await newDomain('jeanne');
    await deliver(jeanne!, { subject: 'Ordre du jour', text: 'La Réunion budgétaire est jeudi.' });
    await deliver(jeanne!, {
      subject: 'Photos',
      text: 'Voici les photos.',
      attachments: [{ filename: 'a.png', content: 'x' }],
    });
    await deliver(jeanne!, { subject: 'Ancien', text: 'Vieux message.', date: new Date('2025-01-15T10:00:00Z') });
    const sent = await ingestMessage(database.db, {
      recipients: [],
      raw: await rawMessage({ from: jeanne!.address, to: 'Paul Client <paul@client.example>', subject: 'Devis' }),
      folder: 'inbox',
      storageLimit: STORAGE,
      sentCopyFor: jeanne!.id,
    });
    assert.ok(sent.ok);
    const client = await signIn(jeanne!);
    const search = async (folder: string, q: string, everywhere = false) =>
      subjects(
        (await client.get(`/webmail/${folder}?q=${encodeURIComponent(q)}${everywhere ? '&dans=tout' : ''}`)).body,
      );
    assert.deepEqual(await search('reception', 'budgetaire'), ['Ordre du jour'], 'body text');
    assert.deepEqual(await search('reception', 'reunion'), ['Ordre du jour'], 'reunion finds Réunion');
    assert.deepEqual(await search('reception', 'RÉUNION jeudi'), ['Ordre du jour'], 'every word');
    assert.deepEqual(await search('envoyes', 'paul@client.example'), ['Devis'], 'Envoyés searches its recipients');
    assert.deepEqual(await search('envoyes', 'client'), ['Devis']);
    assert.deepEqual(await search('reception', 'paul'), [], 'one folder only');
    assert.deepEqual(await search('reception', 'paul', true), ['Devis'], 'every folder');
    const all = await client.get(`/webmail/reception?q=devis&dans=tout`);
    assert.match(all.body, /<th scope="col">Dossier<\/th>/);
    assert.match(all.body, /data-label="Dossier">Envoyés</, 'each result names its folder');
    assert.deepEqual(await search('reception', 'from:alice subject:photos'), ['Photos']);
    assert.deepEqual(await search('reception', 'from:photos'), [], 'from: reads only the sender');
    assert.deepEqual(await search('reception', 'has:attachment'), ['Photos']);
    assert.deepEqual(await search('reception', 'before:2026-01-01'), ['Ancien']);
    assert.deepEqual((await search('reception', 'after:2026-01-01')).sort(), ['Ordre du jour', 'Photos']);
  });

  it('counts a search’s hits up to 500, then says there are more, in pages it can still turn', async () => {
    const [jeanne] = await newDomain('jeanne');
    await database.db.$executeRaw`
      INSERT INTO messages (mailbox_id, folder_id, uid, from_text, from_address, to_text, cc_text, subject, size, search_text)
      SELECT ${jeanne!.id}, ${await inboxOf(jeanne!)}, i, 'x', 'x@y.example', '', '', 'Courant ' || i, 10, ${'\u0001f x\u0001t \u0001s courant\u0001b '}
      FROM generate_series(1, 520) AS i`;
    const client = await signIn(jeanne!);
    const page = await client.get('/webmail/reception?q=courant');
    assertText(page.body, 'Plus de 500 messages trouvés pour « courant » : précisez la recherche.');
    assert.match(page.body, /plus de 500 messages, page 1 sur 10/);
    assert.equal(subjects(page.body).length, 50);
    assert.equal(subjects((await client.get('/webmail/reception?q=courant&page=10')).body).length, 50);
  });

  it('searches the sender or the subject, ignoring case, with % and _ taken literally', async () => {
    const [jeanne] = await newDomain('jeanne');
    await deliver(jeanne!, { subject: 'Facture de novembre' });
    await deliver(jeanne!, { subject: 'Rabais de 100 %' });
    await deliver(jeanne!, { subject: 'Rabais de 1000 dollars' });
    await deliver(jeanne!, { subject: 'Réunion', from: 'Bernard Comptable <bernard@fournisseur.example>' });
    await deliver(jeanne!, { subject: 'nom_de_fichier' });
    await deliver(jeanne!, { subject: 'nomXdeXfichier' });
    const client = await signIn(jeanne!);
    const search = async (q: string) =>
      subjects((await client.get(`/webmail/reception?q=${encodeURIComponent(q)}`)).body);
    assert.deepEqual(await search('FACTURE'), ['Facture de novembre']);
    assert.deepEqual(await search('bernard'), ['Réunion']);
    assert.deepEqual(await search('fournisseur.example'), ['Réunion']);
    assert.deepEqual(await search('100 %'), ['Rabais de 100 %']);
    assert.deepEqual(await search('%'), ['Rabais de 100 %']);
    assert.deepEqual(await search('_de_'), ['nom_de_fichier']);
    assert.deepEqual(await search('aucun'), []);
    const page = await client.get('/webmail/reception?q=rabais');
    assert.match(page.body, /<form class="search" role="search"/);
    assert.match(page.body, /<label for="q">Rechercher dans Boîte de réception<\/label>/);
    assertText(page.body, '2 messages trouvés pour « rabais ».');
    assert.match(page.body, /value="rabais"/);
  });

  it('speaks English to English readers', async () => {
    const [jeanne] = await newDomain('jeanne');
    await deliver(jeanne!);
    const client = await signIn(jeanne!, 'en');
    const inbox = await client.get('/webmail/reception');
    assert.match(inbox.body, /<h1>Inbox<\/h1>/);
    assert.match(inbox.body, /aria-label="Inbox, 1 unread"/);
    assertText(inbox.body, 'Sign out');
  });
});

describe('reading and filing a message', () => {
  it('shows the headers and the text, marks the message read, and can mark it unread again', async () => {
    const [jeanne] = await newDomain('jeanne');
    const id = await deliver(jeanne!, {
      subject: 'Ordre du jour',
      cc: 'Chloé <chloe@ailleurs.example>',
      text: 'Voici <b>le</b> plan : https://exemple.example/plan?a=1&b=2\nÀ bientôt.',
    });
    const client = await signIn(jeanne!);
    const page = await client.get(`/webmail/messages/${id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<h1 class="subject">Ordre du jour<\/h1>/);
    for (const label of ['De', 'À', 'Cc', 'Objet', 'Date']) assert.match(page.body, new RegExp(`<dt>${label}</dt>`));
    assertText(page.body, 'De Alice Expéditrice <alice@ailleurs.example>');
    assertText(page.body, 'Cc "Chloé" <chloe@ailleurs.example>');
    assert.match(page.body, /Voici &lt;b&gt;le&lt;\/b&gt; plan/);
    assert.match(
      page.body,
      /<a href="https:\/\/exemple.example\/plan\?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">/,
    );
    assert.doesNotMatch(page.body, /<iframe/);
    assert.equal((await messageRow(id))!.seen, true);
    assert.doesNotMatch(page.body, /, \d+ non lus?</);

    const unread = await client.post(`/webmail/messages/${id}/non-lu`, {}, { from: `/webmail/messages/${id}` });
    assert.equal(unread.statusCode, 303);
    assert.equal(unread.headers.location, '/webmail/reception');
    assert.equal((await messageRow(id))!.seen, false);
    const inbox = await client.get('/webmail/reception');
    assert.deepEqual(byRole(inbox.body, 'status'), ['Le message est marqué comme non lu.']);
    assert.match(inbox.body, /aria-label="Boîte de réception, 1 non lu"/);
  });

  it('moves a message to Corbeille, restores it, and deletes it for good only from there, freeing its storage', async () => {
    const [jeanne] = await newDomain('jeanne');
    const id = await deliver(jeanne!, { subject: 'À jeter', text: 'x'.repeat(5000) });
    const size = (await messageRow(id))!.size;
    const client = await signIn(jeanne!);
    const before = await storageOf(jeanne!);
    assert.ok(before >= BigInt(size));

    // Not in Corbeille yet: there is nothing to delete for good.
    const early = await client.post(`/webmail/messages/${id}/supprimer`, {}, { from: `/webmail/messages/${id}` });
    assert.equal(early.statusCode, 404);
    assert.equal((await client.get(`/webmail/messages/${id}/supprimer`)).statusCode, 404);

    const trashed = await client.post(`/webmail/messages/${id}/corbeille`, {}, { from: `/webmail/messages/${id}` });
    assert.equal(trashed.statusCode, 303);
    assert.equal((await messageRow(id))!.folder, 'trash');
    assert.deepEqual(byRole((await client.get('/webmail/reception')).body, 'status'), [
      'Le message a été mis à la corbeille.',
    ]);
    assert.deepEqual(subjects((await client.get('/webmail/corbeille')).body), ['À jeter']);

    const restored = await client.post(`/webmail/messages/${id}/restaurer`, {}, { from: `/webmail/messages/${id}` });
    assert.equal(restored.statusCode, 303);
    assert.equal((await messageRow(id))!.folder, 'inbox');
    await client.post(`/webmail/messages/${id}/corbeille`, {}, { from: `/webmail/messages/${id}` });

    const message = await client.get(`/webmail/messages/${id}`);
    assert.match(
      message.body,
      /<a class="button danger" href="\/webmail\/messages\/\d+\/supprimer">Supprimer définitivement<\/a>/,
    );
    const confirm = await client.get(`/webmail/messages/${id}/supprimer`);
    assert.equal(confirm.statusCode, 200);
    assertText(confirm.body, 'Le message « À jeter » sera supprimé définitivement.');
    const deleted = await client.post(
      `/webmail/messages/${id}/supprimer`,
      {},
      { from: `/webmail/messages/${id}/supprimer` },
    );
    assert.equal(deleted.statusCode, 303);
    assert.equal(deleted.headers.location, '/webmail/corbeille');
    assert.equal(await messageRow(id), null);
    assert.equal(await database.db.messageBody.count({ where: { messageId: id } }), 0);
    assert.equal(await storageOf(jeanne!), before - BigInt(size));
    assert.deepEqual(byRole((await client.get('/webmail/corbeille')).body, 'status'), [
      'Le message a été supprimé définitivement.',
    ]);
  });

  it('empties Corbeille after asking, freeing the storage of every message in it', async () => {
    const [jeanne] = await newDomain('jeanne');
    const ids = [await deliver(jeanne!), await deliver(jeanne!), await deliver(jeanne!)];
    const client = await signIn(jeanne!);
    for (const id of ids.slice(0, 2)) {
      await client.post(`/webmail/messages/${id}/corbeille`, {}, { from: `/webmail/messages/${id}` });
    }
    const kept = (await messageRow(ids[2]!))!.size;
    assert.equal((await client.get('/webmail/corbeille/vider')).statusCode, 200);
    const emptied = await client.post('/webmail/corbeille/vider', {});
    assert.equal(emptied.statusCode, 303);
    assert.equal(await database.db.message.count({ where: { mailboxId: jeanne!.id } }), 1);
    assert.equal(await storageOf(jeanne!), BigInt(kept));
  });

  it('lists attachments and serves them as downloads, active types as application/octet-stream', async () => {
    const [jeanne] = await newDomain('jeanne');
    const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');
    const id = await deliver(jeanne!, {
      subject: 'Pièces',
      attachments: [
        { filename: 'page.html', contentType: 'text/html', content: '<script>alert(1)</script>' },
        { filename: 'dessin.svg', contentType: 'image/svg+xml', content: '<svg onload="alert(1)"/>' },
        { filename: 'relevé "mars".pdf', contentType: 'application/pdf', content: pdf },
        { filename: 'photo.png', contentType: 'image/png', content: Buffer.from('89504e47', 'hex') },
      ],
    });
    const client = await signIn(jeanne!);
    const page = await client.get(`/webmail/messages/${id}`);
    assert.match(page.body, /<h2 id="attachments-heading">Pièces jointes<\/h2>/);
    assert.match(
      page.body,
      /<a href="\/webmail\/messages\/\d+\/pieces\/0" download>page.html<\/a> <span class="size">\(\d+\soctets\)<\/span>/,
    );

    const expected: [string, string][] = [
      ['application/octet-stream', 'page.html'],
      ['application/octet-stream', 'dessin.svg'],
      ['application/pdf', 'relevé "mars".pdf'],
      ['image/png', 'photo.png'],
    ];
    for (const [index, [type, name]] of expected.entries()) {
      const response = await client.get(`/webmail/messages/${id}/pieces/${index}`);
      assert.equal(response.statusCode, 200, name);
      assert.equal(response.headers['content-type'], type, name);
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.equal(response.headers['content-disposition'], attachmentDisposition(name));
      assert.match(String(response.headers['content-security-policy']), /default-src 'none'/);
      assert.match(String(response.headers['content-security-policy']), /sandbox/);
      assert.equal(response.headers['cache-control'], 'no-store');
    }
    const pdfResponse = await client.get(`/webmail/messages/${id}/pieces/2`);
    assert.deepEqual(pdfResponse.rawPayload, pdf);
    assert.equal(
      pdfResponse.headers['content-disposition'],
      `attachment; filename="relev_ _mars_.pdf"; filename*=UTF-8''relev%C3%A9%20%22mars%22.pdf`,
    );
    assert.equal((await client.get(`/webmail/messages/${id}/pieces/4`)).statusCode, 404);
    assert.equal((await client.get(`/webmail/messages/${id}/pieces/x`)).statusCode, 404);
    assert.equal(downloadType('TEXT/HTML; charset=utf-8'), 'application/octet-stream');
    assert.equal(downloadType('application/xhtml+xml'), 'application/octet-stream');
    assert.equal(downloadType('text/javascript'), 'application/octet-stream');
    assert.equal(downloadType('image/jpeg'), 'image/jpeg');
    assert.equal(
      attachmentDisposition("a'b(c)*;\\.txt"),
      `attachment; filename="a'b(c)*__.txt"; filename*=UTF-8''a%27b%28c%29%2A%3B%5C.txt`,
    );
  });

  it('shows HTML in a sandboxed frame under its own strict policy, remote images only when asked', async () => {
    const [jeanne] = await newDomain('jeanne');
    const id = await deliver(jeanne!, {
      subject: 'Infolettre',
      html:
        '<p style="color: red" onclick="alert(1)">Bonjour <a href="https://exemple.example/">lien</a></p>' +
        '<script>alert(1)</script><img src="https://tracker.example/pixel.gif" alt="pixel" onerror="alert(2)">',
    });
    const client = await signIn(jeanne!);
    const page = await client.get(`/webmail/messages/${id}`);
    const frame = /<iframe[^>]*>/.exec(page.body)?.[0] ?? '';
    assert.match(frame, /sandbox="allow-popups allow-popups-to-escape-sandbox"/);
    assert.doesNotMatch(frame, /allow-scripts|allow-same-origin/);
    assert.match(frame, new RegExp(`src="/webmail/messages/${id}/contenu"`));
    assert.match(frame, /title="Contenu du message « Infolettre »"/);
    assertText(page.body, '1 image externe a été bloquée');
    assert.match(page.body, /<button type="submit" class="secondary">Afficher les images<\/button>/);

    const content = await client.get(`/webmail/messages/${id}/contenu`);
    assert.equal(content.statusCode, 200);
    assert.equal(
      content.headers['content-security-policy'],
      "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'; form-action 'none'; " +
        "base-uri 'none'; sandbox allow-popups allow-popups-to-escape-sandbox",
    );
    assert.equal(content.headers['x-content-type-options'], 'nosniff');
    assert.equal(content.headers['cache-control'], 'no-store');
    assert.equal(content.headers['x-frame-options'], undefined);
    assert.doesNotMatch(content.body, /<script|onclick|onerror|tracker\.example/);
    assert.match(content.body, /<p style="color:red">/);
    assert.match(content.body, /<span class="blocked-image" title="Image bloquée">pixel<\/span>/);
    assert.doesNotMatch(content.body, /<img/, 'no <img> without src');

    const withImages = await client.get(`/webmail/messages/${id}?images=1`);
    assert.match(withImages.body, new RegExp(`src="/webmail/messages/${id}/contenu\\?images=1"`));
    assert.doesNotMatch(withImages.body, /Afficher les images/);
    const shown = await client.get(`/webmail/messages/${id}/contenu?images=1`);
    assert.match(String(shown.headers['content-security-policy']), /img-src data: https: http:;/);
    assert.match(shown.body, /<img alt="pixel" src="https:\/\/tracker.example\/pixel.gif" \/>/);
    assert.doesNotMatch(shown.body, /<script|onerror/);

    // Every other page keeps the site's policy: no framing at all.
    assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);
  });

  it('gives the frame the message’s own language from Content-Language, or none, never the reader’s', async () => {
    const [paul] = await newDomain('paul');
    const client = await signIn(paul!, 'en');
    const cases: [string | undefined, string][] = [
      ['fr-ca, en', '<html lang="fr-CA">'],
      ['EN (English)', '<html lang="en">'],
      [undefined, '<html>'],
      ['"><script>alert(1)</script>', '<html>'],
      ['en-', '<html>'],
      ['x-private', '<html>'],
    ];
    for (const [language, opening] of cases) {
      const headers = language === undefined ? {} : { 'Content-Language': language };
      const id = await deliver(paul!, { subject: 'Langue', html: '<p>Bonjour</p>', headers });
      const content = await client.get(`/webmail/messages/${id}/contenu`);
      assert.equal(content.statusCode, 200);
      assert.ok(content.body.includes(`\n${opening}\n`), `${language}: ${content.body.slice(0, 60)}`);
    }
  });
});

describe('Nouveau message', () => {
  it('sends to a colleague, who finds it in her inbox while the sender finds it in Envoyés', async () => {
    const [jeanne, marie] = await newDomain('jeanne', 'marie');
    const client = await signIn(jeanne!);
    const form = await client.get('/webmail/nouveau');
    for (const [id, label] of [
      ['to', 'À'],
      ['cc', 'Cc'],
      ['subject', 'Objet'],
      ['text', 'Message'],
      ['attachments', 'Pièces jointes'],
    ]) {
      assert.match(form.body, new RegExp(`<label for="${id}">${label}</label>`));
    }
    assert.match(form.body, /enctype="multipart\/form-data"/);
    assert.match(form.body, /<input type="file" id="attachments" name="attachments" multiple/);
    assert.match(form.body, /<button type="submit">Envoyer<\/button>/);

    const sent = await postMultipart(
      client,
      '/webmail/nouveau',
      { to: marie!.address, cc: '', subject: 'Dîner d’équipe', text: 'Jeudi, 18 h ?' },
      [{ filename: 'menu.txt', type: 'text/plain', content: Buffer.from('Soupe, pain, fromage') }],
    );
    assert.equal(sent.statusCode, 303, sent.body);
    assert.equal(sent.headers.location, '/webmail/envoyes');
    const outbox = await client.get('/webmail/envoyes');
    assert.deepEqual(byRole(outbox.body, 'status'), ['Votre message a été envoyé.']);
    assert.deepEqual(subjects(outbox.body), ['Dîner d’équipe']);
    assert.match(outbox.body, /<th scope="col">À<\/th>/);

    const inbox = await (await signIn(marie!)).get('/webmail/reception');
    assert.deepEqual(subjects(inbox.body), ['Dîner d’équipe']);
    const copy = await database.db.message.findFirstOrThrow({ where: { mailboxId: marie!.id } });
    assert.equal(copy.fromAddress, jeanne!.address);
    assert.deepEqual(copy.attachments, [{ filename: 'menu.txt', contentType: 'text/plain', size: 20 }]);
  });

  it('refuses each problem next to its field, keeps what was typed, and sends nothing', async () => {
    const [jeanne] = await newDomain('jeanne');
    const client = await signIn(jeanne!);
    const cases: [Record<string, string>, string, string][] = [
      [{ to: 'pas une adresse' }, 'to', 'L’adresse « pas une adresse » n’est pas une adresse de courriel valide.'],
      [{ to: '' }, 'to', 'Indiquez au moins un destinataire.'],
      [{ to: `personne@${jeanne!.domain.name}` }, 'to', `L’adresse personne@${jeanne!.domain.name} n’existe pas.`],
      [{ to: 'ami@ailleurs.example' }, 'to', ''],
      [{ to: jeanne!.address, cc: 'x@@y' }, 'cc', 'L’adresse « x@@y » n’est pas une adresse de courriel valide.'],
    ];
    for (const [fields, field, sentence] of cases) {
      const response = await postMultipart(client, '/webmail/nouveau', {
        cc: '',
        subject: 'Objet <gardé>',
        text: 'Texte gardé',
        ...fields,
      });
      assert.equal(response.statusCode, 422, JSON.stringify(fields));
      const alerts = byRole(response.body, 'alert');
      assert.equal(alerts.length, 1);
      if (sentence) assert.equal(alerts[0], sentence);
      assert.match(response.body, new RegExp(`<p class="field-error" id="${field}-error" role="alert">`));
      assert.match(response.body, new RegExp(`id="${field}"[^>]*aria-invalid="true"`));
      assert.match(response.body, /value="Objet &lt;gardé&gt;"/);
      assert.match(response.body, />\nTexte gardé<\/textarea>/);
    }
    const both = await postMultipart(client, '/webmail/nouveau', { to: 'pas une adresse', cc: 'x@@y', subject: 's' });
    assert.deepEqual(
      byRole(both.body, 'alert'),
      [
        'L’adresse « pas une adresse » n’est pas une adresse de courriel valide.',
        'L’adresse « x@@y » n’est pas une adresse de courriel valide.',
      ],
      'every refusal at once, each next to its field',
    );
    assert.match(both.body, /id="to"[^>]*aria-invalid="true"[^>]*autofocus/);
    const outside = await postMultipart(client, '/webmail/nouveau', { to: 'ami@ailleurs.example' });
    assert.match(byRole(outside.body, 'alert')[0] ?? '', /extérieur n’est pas activé/);
    assert.equal(await database.db.message.count({ where: { mailboxId: jeanne!.id } }), 0);
  });

  it('refuses attachments past the message size limit without sending, and asks to attach them again', async () => {
    const small = await buildTestApp(database.db, database.url, {
      signInRateLimit: 100_000,
      rateLimit: 100_000,
      maxMessageBytes: 4096,
    } as Partial<Config>);
    try {
      const [jeanne, marie] = await newDomain('jeanne', 'marie');
      const client = new Client(small);
      await client.post('/webmail', { address: jeanne!.address, password: PASSWORD });
      const response = await postMultipart(
        client,
        '/webmail/nouveau',
        { to: marie!.address, subject: 'Gros', text: 'Voir la pièce jointe' },
        [{ filename: 'gros.bin', type: 'application/octet-stream', content: randomBytes(10_000) }],
        '/webmail/nouveau',
        small,
      );
      assert.equal(response.statusCode, 422);
      assert.deepEqual(byRole(response.body, 'alert'), [
        'Le message, pièces jointes comprises, dépasse la taille maximale de 0 Mo.',
      ]);
      assertText(response.body, 'joignez-les de nouveau');
      assert.match(response.body, /value="Gros"/);
      assert.equal(await database.db.message.count({ where: { mailboxId: marie!.id } }), 0);
    } finally {
      await small.close();
    }
  });

  it('says which outside addresses the relay refused instead of claiming the message went to all', async () => {
    // A smarthost that takes every recipient but those named "nobody".
    const relay = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      onRcptTo: (address, _session, callback) =>
        callback(
          address.address.startsWith('nobody@')
            ? Object.assign(new Error('no such user'), { responseCode: 550 })
            : undefined,
        ),
      onData: (stream, _session, callback) => stream.on('end', () => callback()).resume(),
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const port = (relay.server.address() as { port: number }).port;
    const relaying = await buildTestApp(database.db, database.url, {
      signInRateLimit: 100_000,
      rateLimit: 100_000,
      relayUrl: `smtp://127.0.0.1:${port}`,
    } as Partial<Config>);
    try {
      const [jeanne] = await newDomain('jeanne');
      const client = new Client(relaying);
      await client.post('/webmail', { address: jeanne!.address, password: PASSWORD });
      const to = 'ami@ailleurs.example, nobody@ailleurs.example';
      const sent = await postMultipart(
        client,
        '/webmail/nouveau',
        { to, subject: 'Bonjour', text: 'Salut' },
        [],
        '/webmail/nouveau',
        relaying,
      );
      assert.equal(sent.statusCode, 303, sent.body);
      const outbox = await client.get('/webmail/envoyes');
      assert.deepEqual(byRole(outbox.body, 'status'), [
        'Votre message a été envoyé, sauf à nobody@ailleurs.example : le relais a refusé ces adresses.',
      ]);
    } finally {
      await relaying.close();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    }
  });

  it('replies with Re:, the quoted text and the thread headers; forwards with Tr: and the original attached', async () => {
    const [jeanne, marie] = await newDomain('jeanne', 'marie');
    const original = await deliver(jeanne!, {
      from: `Marie <${marie!.address}>`,
      subject: 'Budget',
      messageId: '<budget-1@exemple.example>',
      text: 'Première ligne\nDeuxième ligne',
    });
    const client = await signIn(jeanne!);
    const form = await client.get(`/webmail/nouveau?repondre=${original}`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, new RegExp(`id="to" name="to" value="${marie!.address}"`));
    assert.match(form.body, /value="Re: Budget"/);
    assert.match(form.body, /&gt; Première ligne\n&gt; Deuxième ligne/);
    assert.match(form.body, new RegExp(`<input type="hidden" name="repondre" value="${original}">`));
    const replied = await postMultipart(
      client,
      '/webmail/nouveau',
      { to: marie!.address, subject: 'Re: Budget', text: 'D’accord.', repondre: String(original) },
      [],
      `/webmail/nouveau?repondre=${original}`,
    );
    assert.equal(replied.statusCode, 303, replied.body);
    const reply = await database.db.message.findFirstOrThrow({
      where: { mailboxId: marie!.id, subject: 'Re: Budget' },
      include: { body: true },
    });
    const replyRaw = Buffer.from(reply.body!.raw).toString();
    assert.match(replyRaw, /In-Reply-To: <budget-1@exemple.example>/);
    assert.match(replyRaw, /References: <budget-1@exemple.example>/);

    const forward = await client.get(`/webmail/nouveau?transferer=${original}`);
    assert.match(forward.body, /value="Tr: Budget"/);
    assertText(forward.body, 'Le message original est joint (Budget.eml');
    const forwarded = await postMultipart(
      client,
      '/webmail/nouveau',
      { to: marie!.address, subject: 'Tr: Budget', text: 'Pour info.', transferer: String(original) },
      [],
      `/webmail/nouveau?transferer=${original}`,
    );
    assert.equal(forwarded.statusCode, 303, forwarded.body);
    const copy = await database.db.message.findFirstOrThrow({
      where: { mailboxId: marie!.id, subject: 'Tr: Budget' },
      include: { body: true },
    });
    const copyRaw = Buffer.from(copy.body!.raw).toString();
    assert.match(copyRaw, /Content-Type: message\/rfc822; name=Budget\.eml/);
    assert.match(copyRaw, /Message-ID: <budget-1@exemple\.example>/);
    assert.match(copyRaw, /Content-Disposition: attachment; filename=Budget\.eml/);
    assert.deepEqual(
      (copy.attachments as { filename: string }[]).map((a) => a.filename),
      ['Budget.eml'],
      'the forwarded original is listed as an attachment, not merged into the text',
    );
  });
});

describe('Mot de passe', () => {
  it('changes the password with the current one; other sessions end, this one stays', async () => {
    const [jeanne] = await newDomain('jeanne');
    const client = await signIn(jeanne!);
    const other = await signIn(jeanne!);
    const wrong = await client.post('/webmail/mot-de-passe', {
      current: 'pas le bon mot de passe',
      next: 'un tout nouveau secret',
      confirm: 'un tout nouveau secret',
    });
    assert.equal(wrong.statusCode, 422);
    assert.deepEqual(byRole(wrong.body, 'alert'), ['Le mot de passe actuel est incorrect.']);
    const mismatch = await client.post('/webmail/mot-de-passe', {
      current: PASSWORD,
      next: 'un tout nouveau secret',
      confirm: 'un autre secret encore',
    });
    assert.deepEqual(byRole(mismatch.body, 'alert'), ['Les deux nouveaux mots de passe ne sont pas identiques.']);
    const weak = await client.post('/webmail/mot-de-passe', { current: PASSWORD, next: 'court', confirm: 'court' });
    assert.deepEqual(byRole(weak.body, 'alert'), ['Le mot de passe doit compter de 10 à 128 caractères.']);
    assert.match(weak.body, /<p class="field-error" id="next-error" role="alert">/);

    const changed = await client.post('/webmail/mot-de-passe', {
      current: PASSWORD,
      next: 'un tout nouveau secret',
      confirm: 'un tout nouveau secret',
    });
    assert.equal(changed.statusCode, 303);
    const page = await client.get('/webmail/mot-de-passe');
    assert.equal(page.statusCode, 200);
    assert.deepEqual(byRole(page.body, 'status'), [
      'Votre mot de passe a été changé. Vos autres sessions ont été fermées.',
    ]);
    assert.equal((await other.get('/webmail/reception')).headers.location, '/webmail');
    const again = await new Client(app).post('/webmail', {
      address: jeanne!.address,
      password: 'un tout nouveau secret',
    });
    assert.equal(again.statusCode, 303);
  });
});

describe('isolation', () => {
  it('answers 404 to ids that are not numbers, or too long to be one', async () => {
    const [jeanne] = await newDomain('jeanne');
    const client = await signIn(jeanne!);
    for (const id of ['abc', '1e3', '0', '-1', '01', '99999999999999999999', '1.5']) {
      assert.equal((await client.get(`/webmail/messages/${id}`)).statusCode, 404, id);
      assert.equal((await client.get(`/webmail/messages/${id}/contenu`)).statusCode, 404, id);
    }
    assert.equal((await client.get('/webmail/nouveau?repondre=abc')).statusCode, 404);
    assert.equal(parseMessageId('9223372036854775807'), null);
    assert.equal(parseMessageId('123456789012345678'), 123456789012345678n);
  });

  it('never lets a user read, download, answer, move or delete another mailbox’s message by its id', async () => {
    const [alice] = await newDomain('alice');
    const [bob] = await newDomain('bob');
    const id = await deliver(bob!, {
      subject: 'Secret de Bob',
      html: '<p>secret</p>',
      attachments: [{ filename: 'secret.txt', content: 'secret' }],
    });
    const storage = await storageOf(bob!);
    const client = await signIn(alice!);
    const gets = [
      `/webmail/messages/${id}`,
      `/webmail/messages/${id}?images=1`,
      `/webmail/messages/${id}/contenu`,
      `/webmail/messages/${id}/contenu?images=1`,
      `/webmail/messages/${id}/pieces/0`,
      `/webmail/messages/${id}/supprimer`,
      `/webmail/nouveau?repondre=${id}`,
      `/webmail/nouveau?transferer=${id}`,
    ];
    for (const url of gets) {
      const response = await client.get(url);
      assert.equal(response.statusCode, 404, url);
      assert.doesNotMatch(response.body, /secret/i, url);
    }
    for (const action of ['non-lu', 'corbeille', 'restaurer', 'supprimer']) {
      const response = await client.post(`/webmail/messages/${id}/${action}`, {}, { from: '/webmail/reception' });
      assert.equal(response.statusCode, 404, action);
    }
    for (const field of ['repondre', 'transferer']) {
      const response = await postMultipart(client, '/webmail/nouveau', {
        to: alice!.address,
        subject: 'Vol',
        text: 'x',
        [field]: String(id),
      });
      assert.equal(response.statusCode, 404, field);
    }
    // Bob's message is untouched: unread, in his inbox, his storage the same; Alice received nothing.
    assert.ok(await moveToTrash(database.db, bob!.id, id));
    const response = await client.post(`/webmail/messages/${id}/supprimer`, {}, { from: '/webmail/reception' });
    assert.equal(response.statusCode, 404);
    const row = await messageRow(id);
    assert.equal(row?.seen, false);
    assert.equal(row?.folder, 'trash');
    assert.equal(await storageOf(bob!), storage);
    assert.equal(await database.db.message.count({ where: { mailboxId: alice!.id } }), 0);
  });

  it('refuses a state change without the form’s CSRF token', async () => {
    const [jeanne] = await newDomain('jeanne');
    const id = await deliver(jeanne!);
    const client = await signIn(jeanne!);
    const response = await client.post(`/webmail/messages/${id}/corbeille`, {}, { csrf: false });
    assert.equal(response.statusCode, 403);
    assert.equal((await messageRow(id))!.folder, 'inbox');
    const multipart = await app.inject({
      method: 'POST',
      url: '/webmail/nouveau',
      payload: '--b\r\nContent-Disposition: form-data; name="to"\r\n\r\nx@y.example\r\n--b--\r\n',
      headers: { cookie: `easymail=${client.cookie('easymail')}`, 'content-type': 'multipart/form-data; boundary=b' },
    });
    assert.equal(multipart.statusCode, 403);
  });
});

describe('user folders in the webmail', () => {
  it('creates, fills, flags, renames and deletes a folder, its messages going to Corbeille', async () => {
    const [jeanne, paul] = await newDomain('jeanne', 'paul');
    const id = await deliver(jeanne!, { subject: 'À classer' });
    const client = await signIn(jeanne!);

    const refused = await client.post('/webmail/dossiers', { name: 'Corbeille' }, { from: '/webmail/dossiers' });
    assert.equal(refused.statusCode, 422);
    assertText(refused.body, 'Ce nom est celui d’un dossier spécial. Choisissez-en un autre.');
    assert.match(refused.body, /id="new-name"[^>]*aria-invalid="true"/);

    const created = await client.post('/webmail/dossiers', { name: 'Clients' }, { from: '/webmail/dossiers' });
    assert.equal(created.statusCode, 303);
    const folder = (await database.db.folder.findFirstOrThrow({ where: { mailboxId: jeanne!.id, name: 'Clients' } }))
      .id;
    const nav = (await client.get('/webmail/reception')).body;
    assert.match(nav, new RegExp(`href="/webmail/dossiers/${folder}"`));
    for (const name of ['Brouillons', 'Courrier indésirable', 'Archives']) assertText(nav, name);

    const moved = await client.post(
      `/webmail/messages/${id}/deplacer`,
      { dossier: String(folder) },
      { from: `/webmail/messages/${id}` },
    );
    assert.equal(moved.statusCode, 303);
    assert.deepEqual(subjects((await client.get(`/webmail/dossiers/${folder}`)).body), ['À classer']);
    const flagged = await client.post(
      `/webmail/messages/${id}/suivre`,
      { suivre: '1' },
      { from: `/webmail/messages/${id}` },
    );
    assert.equal(flagged.statusCode, 303);
    assert.equal((await messageRow(id))!.flagged, true);
    assertText((await client.get(`/webmail/dossiers/${folder}`)).body, 'Suivi');

    // Another mailbox's folder is a 404, to look at and to change.
    const other = await signIn(paul!);
    assert.equal((await other.get(`/webmail/dossiers/${folder}`)).statusCode, 404);
    const stolen = await other.post(
      `/webmail/dossiers/${folder}/renommer`,
      { name: 'X' },
      { from: '/webmail/dossiers' },
    );
    assert.equal(stolen.statusCode, 404);

    const renamed = await client.post(
      `/webmail/dossiers/${folder}/renommer`,
      { name: 'Clients 2026' },
      { from: '/webmail/dossiers' },
    );
    assert.equal(renamed.statusCode, 303);
    const question = await client.get(`/webmail/dossiers/${folder}/supprimer`);
    assertText(question.body, 'Le dossier « Clients 2026 » contient 1 message');
    const deleted = await client.post(`/webmail/dossiers/${folder}/supprimer`, {}, { from: '/webmail/dossiers' });
    assert.equal(deleted.statusCode, 303);
    assert.equal((await messageRow(id))!.folder, 'trash');
    assert.equal((await client.get(`/webmail/dossiers/${folder}`)).statusCode, 404);
  });
});
