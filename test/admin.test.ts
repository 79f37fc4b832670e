import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { OPERATOR, recordAudit } from '../src/accounts/audit.ts';
import { addDomain, setDomainState } from '../src/accounts/domains.ts';
import { createMailbox, deleteMailbox, setMailboxPassword } from '../src/accounts/mailboxes.ts';
import { signInAdmin, signInMailbox } from '../src/accounts/sign-in.ts';
import type { Config } from '../src/config.ts';
import { buildTestApp, Client } from './helpers/app.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';
import { byRole, text } from './helpers/html.ts';

const PASSWORD = 'un mot de passe solide';
const MAILBOX_PASSWORD = 'cheval agrafe pile correcte';

let database: TestDatabase;
let app: FastifyInstance;

before(async () => {
  database = await createTestDatabase();
  // Many sign-ins from one address in a few seconds: the per-client limits are tested elsewhere.
  app = await buildTestApp(database.db, database.url, {
    signInRateLimit: 100_000,
    rateLimit: 100_000,
  } as Partial<Config>);
});
after(async () => {
  await app.close();
  await database.drop();
});

/** A fresh domain of its own for each test. */
async function newDomain(quota = 15, password = PASSWORD) {
  const name = `d${randomBytes(5).toString('hex')}.example`;
  const added = await addDomain(database.db, { name, quota, password }, OPERATOR);
  assert.ok(added.ok);
  const domain = await database.db.domain.findUniqueOrThrow({ where: { name } });
  return domain;
}

/** A client signed in as the administrator of the domain. */
async function adminOf(domain: { name: string }, lang = 'fr', password = PASSWORD) {
  const client = new Client(app, { 'accept-language': lang });
  const response = await client.post('/admin/connexion', { username: domain.name, password });
  assert.equal(response.statusCode, 303, response.body);
  assert.equal(response.headers.location, '/admin/domaine');
  return client;
}

const statusLine = (html: string) => {
  const match = /<p class="status-line" role="status">([^<]*)<\/p>/.exec(html);
  return match ? text(match[1] ?? '') : null;
};

const mailboxCount = (domainId: number) => database.db.mailbox.count({ where: { domainId } });

describe('administrator sign-in', () => {
  it('shows the fields of the guide, and sends signed-out visitors of any admin page to it', async () => {
    const client = new Client(app);
    const page = await client.get('/admin/connexion');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<label for="username">Nom d&#39;utilisateur<\/label>/);
    assert.match(page.body, /<input type="text" id="username" name="username"[^>]*autocomplete="username"/);
    assert.match(page.body, /<label for="password">Mot de passe<\/label>/);
    assert.match(page.body, /<input type="password" id="password" name="password" autocomplete="current-password"/);
    assert.match(page.body, /<button type="submit">Ouvrir une session<\/button>/);
    for (const path of ['/admin', '/admin/domaine', '/admin/courriel/configuration', '/admin/courriel/comptes/1']) {
      const response = await client.get(path);
      assert.equal(response.statusCode, 303, path);
      assert.equal(response.headers.location, '/admin/connexion', path);
    }
  });

  it('signs in with the domain name in any case, and an administrator already in goes to the home', async () => {
    const domain = await newDomain();
    const client = new Client(app);
    const response = await client.post('/admin/connexion', { username: domain.name.toUpperCase(), password: PASSWORD });
    assert.equal(response.statusCode, 303);
    const home = await client.get('/admin/domaine');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /<nav class="top" aria-label="Administration du domaine">/);
    assert.match(home.body, /<a href="\/admin\/domaine" aria-current="page">Domaine<\/a>/);
    for (const label of ['Courriel', 'Hébergement Web', 'Sécurité', 'Fermer la session']) {
      assert.ok(text(home.body).includes(label), label);
    }
    const again = await client.get('/admin/connexion');
    assert.equal(again.statusCode, 303);
    assert.equal(again.headers.location, '/admin/domaine');
    const audit = await database.db.auditEvent.findFirstOrThrow({
      where: { domainId: domain.id, action: 'signin.admin.success' },
    });
    assert.equal(audit.clientAddress, '127.0.0.1');
  });

  it('gives an unknown domain and a wrong password the same 401 and sentence, keeping the name, never the password', async () => {
    const domain = await newDomain();
    const wrong = await new Client(app).post('/admin/connexion', { username: domain.name, password: 'pas le bon 1' });
    const unknown = await new Client(app).post('/admin/connexion', {
      username: 'inconnu-<b>"x"</b>.example',
      password: 'pas le bon 2',
    });
    for (const response of [wrong, unknown]) {
      assert.equal(response.statusCode, 401);
      assert.deepEqual(byRole(response.body, 'alert'), ["Nom d'utilisateur ou mot de passe invalide."]);
      assert.doesNotMatch(response.body, /pas le bon/);
      assert.match(response.body, /aria-invalid="true"/);
    }
    assert.match(wrong.body, new RegExp(`value="${domain.name.replace(/\./g, '\\.')}"`));
    assert.match(unknown.body, /value="inconnu-&lt;b&gt;&quot;x&quot;&lt;\/b&gt;\.example"/);
    assert.doesNotMatch(unknown.body, /<b>"x"/);
    const failures = await database.db.auditEvent.count({
      where: { domainId: domain.id, action: 'signin.admin.failure' },
    });
    assert.equal(failures, 1);
  });

  it('tells a suspended domain’s administrator to call support, after a correct password only, and ends its session', async () => {
    const domain = await newDomain();
    const client = await adminOf(domain);
    await setDomainState(database.db, domain.name, 'suspended', OPERATOR);
    const refused = await new Client(app).post('/admin/connexion', { username: domain.name, password: PASSWORD });
    assert.equal(refused.statusCode, 401);
    assert.deepEqual(byRole(refused.body, 'alert'), [
      `Ce domaine est suspendu. Appelez le soutien technique au ${app.config.supportPhone}.`,
    ]);
    const guessed = await new Client(app).post('/admin/connexion', {
      username: domain.name,
      password: 'wrong-guess-123',
    });
    assert.equal(guessed.statusCode, 401);
    assert.deepEqual(byRole(guessed.body, 'alert'), ["Nom d'utilisateur ou mot de passe invalide."]);
    const page = await client.get('/admin/domaine');
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, '/admin/connexion');
  });

  it('signs out with the Fermer la session button (a POST with its CSRF token)', async () => {
    const domain = await newDomain();
    const client = await adminOf(domain);
    const forged = await client.post('/admin/deconnexion', {}, { csrf: false });
    assert.equal(forged.statusCode, 403);
    const out = await client.post('/admin/deconnexion', {}, { from: '/admin/domaine' });
    assert.equal(out.statusCode, 303);
    assert.equal(out.headers.location, '/mes-comptes');
    const after = await client.get('/admin/domaine');
    assert.equal(after.headers.location, '/admin/connexion');
    assert.equal(await database.db.session.count({ where: { domainId: domain.id } }), 0);
  });
});

describe('Configuration Easymail', () => {
  it('lists the accounts as radio buttons under Sélectionner un compte, with the French status line', async () => {
    const domain = await newDomain(2);
    const client = await adminOf(domain);
    const courriel = await client.get('/admin/courriel');
    assert.match(courriel.body, /<nav class="side" aria-label="Menu Courriel">/);
    assert.match(courriel.body, /href="\/admin\/courriel\/configuration">Configuration Easymail<\/a>/);

    let page = await client.get('/admin/courriel/configuration');
    assert.match(page.body, /<h1>Configuration Easymail<\/h1>/);
    assert.match(page.body, /<legend>Sélectionner un compte<\/legend>/);
    // Créer opens its own form (a GET of the Créer page), so Enter in the list means Afficher.
    assert.match(page.body, /<form id="create" method="get" action="\/admin\/courriel\/creer"><\/form>/);
    assert.match(page.body, /<button type="submit" form="create">Créer<\/button>/);
    for (const [value, label] of [
      ['show', 'Afficher'],
      ['delete', 'Supprimer'],
    ]) {
      assert.match(page.body, new RegExp(`<button type="submit" name="action" value="${value}">${label}</button>`));
    }
    assert.equal(statusLine(page.body), '2 comptes de courriel disponibles sur une possibilité de 2');

    await createMailbox(database.db, domain, { name: 'jeanne', password: MAILBOX_PASSWORD }, OPERATOR);
    page = await client.get('/admin/courriel/configuration');
    assert.equal(statusLine(page.body), '1 compte de courriel disponible sur une possibilité de 2');
    const jeanne = await database.db.mailbox.findFirstOrThrow({ where: { domainId: domain.id } });
    assert.match(
      page.body,
      new RegExp(
        `<input type="radio" name="mailbox" value="${jeanne.id}" id="mailbox-${jeanne.id}">\\s*<label for="mailbox-${jeanne.id}">jeanne@${domain.name}</label>`,
      ),
    );

    await createMailbox(database.db, domain, { name: 'paul', password: MAILBOX_PASSWORD }, OPERATOR);
    page = await client.get('/admin/courriel/configuration');
    assert.equal(statusLine(page.body), '0 compte de courriel disponible sur une possibilité de 2');
  });

  it('says the same in English, with English plural rules', async () => {
    const domain = await newDomain(15);
    const client = await adminOf(domain, 'en');
    let page = await client.get('/admin/courriel/configuration');
    assert.match(page.body, /<h1>Easymail configuration<\/h1>/);
    assert.match(page.body, /<legend>Select an account<\/legend>/);
    assert.equal(statusLine(page.body), '15 email accounts available out of 15');
    await createMailbox(database.db, domain, { name: 'a', password: MAILBOX_PASSWORD }, OPERATOR);
    await createMailbox(database.db, domain, { name: 'b', password: MAILBOX_PASSWORD }, OPERATOR);
    page = await client.get('/admin/courriel/configuration');
    assert.equal(statusLine(page.body), '13 email accounts available out of 15');
    const one = await newDomain(1);
    const oneClient = await adminOf(one, 'en');
    page = await oneClient.get('/admin/courriel/configuration');
    assert.equal(statusLine(page.body), '1 email account available out of 1');
  });

  it('asks to select an account first when Afficher or Supprimer is pressed with none selected', async () => {
    const domain = await newDomain();
    const client = await adminOf(domain);
    for (const action of ['show', 'delete']) {
      const response = await client.post('/admin/courriel/configuration', { action });
      assert.equal(response.statusCode, 422);
      assert.deepEqual(byRole(response.body, 'alert'), ['Sélectionnez d’abord un compte de courriel dans la liste.']);
    }
    const create = await client.post('/admin/courriel/configuration', { action: 'create' });
    assert.equal(create.headers.location, '/admin/courriel/creer');
  });

  it('opens the selected account with Afficher, and its confirmation with Supprimer', async () => {
    const domain = await newDomain();
    const made = await createMailbox(database.db, domain, { name: 'jeanne', password: MAILBOX_PASSWORD }, OPERATOR);
    assert.ok(made.ok);
    const id = String(made.value.id);
    const client = await adminOf(domain);
    const show = await client.post('/admin/courriel/configuration', { action: 'show', mailbox: id });
    assert.equal(show.headers.location, `/admin/courriel/comptes/${id}`);
    const remove = await client.post('/admin/courriel/configuration', { action: 'delete', mailbox: id });
    assert.equal(remove.headers.location, `/admin/courriel/comptes/${id}/supprimer`);
  });
});

describe('Créer', () => {
  it('shows Nom d’utilisateur with @domain beside it, Mot de passe, OK and Annuler', async () => {
    const domain = await newDomain();
    const client = await adminOf(domain);
    const page = await client.get('/admin/courriel/creer');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<label for="name">Nom d&#39;utilisateur<\/label>/);
    assert.match(page.body, /id="name"[^>]*aria-describedby="name-suffix"/);
    assert.match(page.body, new RegExp(`<span class="suffix" id="name-suffix">@${domain.name}</span>`));
    assert.match(page.body, /<label for="password">Mot de passe<\/label>/);
    assert.match(page.body, /<button type="submit">OK<\/button>/);
    assert.match(page.body, /<button type="submit" class="secondary" form="cancel">Annuler<\/button>/);
    assert.match(page.body, /<form id="cancel" method="get" action="\/admin\/courriel\/configuration">/);
  });

  it('creates the account, then Configuration Easymail confirms it once, lists it and counts one fewer', async () => {
    const domain = await newDomain();
    const client = await adminOf(domain);
    const created = await client.post('/admin/courriel/creer', { name: 'Jeanne', password: MAILBOX_PASSWORD });
    assert.equal(created.statusCode, 303);
    assert.equal(created.headers.location, '/admin/courriel/configuration');
    assert.doesNotMatch(created.headers.location ?? '', /mot|pass/);
    const page = await client.get('/admin/courriel/configuration');
    assert.ok(byRole(page.body, 'status').includes(`Le compte de courriel jeanne@${domain.name} a été créé.`));
    assert.match(page.body, new RegExp(`<label for="mailbox-\\d+">jeanne@${domain.name}</label>`));
    assert.equal(statusLine(page.body), '14 comptes de courriel disponibles sur une possibilité de 15');
    const again = await client.get('/admin/courriel/configuration');
    assert.doesNotMatch(again.body, /a été créé/);
    const audit = await database.db.auditEvent.findFirstOrThrow({
      where: { domainId: domain.id, action: 'mailbox.create' },
    });
    assert.equal(audit.actor, `admin:${domain.name}`);
    assert.equal(audit.clientAddress, '127.0.0.1');
    assert.equal(audit.target, `jeanne@${domain.name}`);
    const session = await signInMailbox(
      database.db,
      { address: `jeanne@${domain.name}`, password: MAILBOX_PASSWORD },
      '127.0.0.1',
    );
    assert.ok(session.ok);
  });

  const refusals: [string, { name: string; password: string }, string, string][] = [
    [
      'a bad name',
      { name: 'jean..ne', password: MAILBOX_PASSWORD },
      'name',
      'Le nom d’utilisateur doit compter de 1 à 64 caractères parmi a-z, 0-9, le point, le tiret et le trait de soulignement, et commencer et finir par une lettre ou un chiffre.',
    ],
    [
      'a reserved name',
      { name: 'Postmaster', password: MAILBOX_PASSWORD },
      'name',
      'Ce nom est réservé. Choisissez-en un autre.',
    ],
    [
      'a short password',
      { name: 'luc', password: 'court' },
      'password',
      'Le mot de passe doit compter de 10 à 128 caractères.',
    ],
    [
      'a common password',
      { name: 'luc', password: 'password123' },
      'password',
      'Ce mot de passe est trop courant. Choisissez-en un autre.',
    ],
    [
      'the name as password',
      { name: 'lucienlucien', password: 'lucienlucien' },
      'password',
      'Le mot de passe ne peut pas être le nom d’utilisateur ou le domaine.',
    ],
  ];
  for (const [what, fields, field, sentence] of refusals) {
    it(`refuses ${what} with one sentence next to the field, keeps the name, creates nothing`, async () => {
      const domain = await newDomain();
      const client = await adminOf(domain);
      const response = await client.post('/admin/courriel/creer', fields);
      assert.equal(response.statusCode, 422);
      assert.deepEqual(byRole(response.body, 'alert'), [sentence]);
      assert.match(response.body, new RegExp(`<p class="field-error" id="${field}-error" role="alert">`));
      assert.match(
        response.body,
        new RegExp(`id="${field}"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*${field}-error"`),
      );
      assert.match(response.body, new RegExp(`id="name" name="name" value="${fields.name}"`));
      assert.doesNotMatch(response.body, new RegExp(fields.password === fields.name ? '$^' : fields.password));
      assert.equal(await mailboxCount(domain.id), 0);
    });
  }

  it('refuses a name already taken, whatever its case', async () => {
    const domain = await newDomain();
    await createMailbox(database.db, domain, { name: 'jeanne', password: MAILBOX_PASSWORD }, OPERATOR);
    const client = await adminOf(domain);
    const response = await client.post('/admin/courriel/creer', { name: 'JEANNE', password: MAILBOX_PASSWORD });
    assert.equal(response.statusCode, 422);
    assert.deepEqual(byRole(response.body, 'alert'), [`L’adresse jeanne@${domain.name} existe déjà.`]);
    assert.match(response.body, /value="JEANNE"/);
    assert.equal(await mailboxCount(domain.id), 1);
  });

  it('refuses a 3rd mailbox when the quota is 2, naming the limit', async () => {
    const domain = await newDomain(2);
    const client = await adminOf(domain);
    for (const name of ['un', 'deux']) {
      assert.equal((await client.post('/admin/courriel/creer', { name, password: MAILBOX_PASSWORD })).statusCode, 303);
    }
    const response = await client.post('/admin/courriel/creer', { name: 'trois', password: MAILBOX_PASSWORD });
    assert.equal(response.statusCode, 422);
    assert.deepEqual(byRole(response.body, 'alert'), ['La limite de 2 comptes de courriel est atteinte.']);
    assert.equal(await mailboxCount(domain.id), 2);
  });

  it('enforces the rules whatever the page sends (missing fields, arrays, huge values)', async () => {
    const domain = await newDomain();
    const client = await adminOf(domain);
    const empty = await client.post('/admin/courriel/creer', {});
    assert.equal(empty.statusCode, 422);
    const doubled = await client.post(
      '/admin/courriel/creer',
      'name=ok&name=abuse&password=' + encodeURIComponent(MAILBOX_PASSWORD),
    );
    assert.equal(doubled.statusCode, 303);
    const huge = await client.post('/admin/courriel/creer', { name: 'x'.repeat(5000), password: MAILBOX_PASSWORD });
    assert.equal(huge.statusCode, 400);
    assert.equal(await mailboxCount(domain.id), 1);
  });

  it('never exceeds the quota under simultaneous creations (accounts function and HTTP)', async () => {
    const quota = 5;
    const domain = await newDomain(quota);
    const results = await Promise.all(
      Array.from({ length: quota + 10 }, (_, i) =>
        createMailbox(database.db, domain, { name: `c${i}`, password: MAILBOX_PASSWORD }, OPERATOR),
      ),
    );
    assert.equal(results.filter((r) => r.ok).length, quota);
    assert.equal(await mailboxCount(domain.id), quota);

    const web = await newDomain(quota);
    const clients = await Promise.all(Array.from({ length: 3 }, () => adminOf(web)));
    const responses = await Promise.all(
      Array.from({ length: quota + 10 }, (_, i) =>
        clients[i % clients.length]!.post('/admin/courriel/creer', { name: `h${i}`, password: MAILBOX_PASSWORD }),
      ),
    );
    assert.equal(responses.filter((r) => r.statusCode === 303).length, quota);
    assert.equal(responses.filter((r) => r.statusCode === 422).length, 10);
    assert.equal(await mailboxCount(web.id), quota);
  });
});

describe('simultaneous changes to one mailbox', () => {
  it('deletes it once when several deletions race; the others find it gone, none fails', async () => {
    const domain = await newDomain();
    const made = await createMailbox(database.db, domain, { name: 'double', password: MAILBOX_PASSWORD }, OPERATOR);
    assert.ok(made.ok);
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => deleteMailbox(database.db, domain, made.value.id, OPERATOR)),
      setMailboxPassword(database.db, domain, made.value.id, undefined, OPERATOR),
    ]);
    const deleted = results.slice(0, 5);
    assert.equal(deleted.filter((r) => r.ok).length, 1);
    assert.ok(deleted.every((r) => r.ok || r.message === 'mailbox.errors.notFound'));
    assert.ok(results[5]!.ok || results[5]!.message === 'mailbox.errors.notFound');
    assert.equal(await mailboxCount(domain.id), 0);
    assert.equal(
      await database.db.auditEvent.count({ where: { action: 'mailbox.delete', target: made.value.address } }),
      1,
    );
  });
});

describe('an account’s page, Nouveau mot de passe and Supprimer', () => {
  it('shows the address, creation date, storage used and last sign-in, and says passwords cannot be shown', async () => {
    const domain = await newDomain();
    const made = await createMailbox(database.db, domain, { name: 'jeanne', password: MAILBOX_PASSWORD }, OPERATOR);
    assert.ok(made.ok);
    const client = await adminOf(domain);
    let page = await client.get(`/admin/courriel/comptes/${made.value.id}`);
    assert.equal(page.statusCode, 200);
    const body = text(page.body);
    assert.ok(body.includes(`Compte de courriel jeanne@${domain.name}`));
    assert.ok(body.includes('Espace utilisé 0 octet sur 1 Go'), body);
    assert.ok(body.includes('Dernière ouverture de session au courriel Web jamais'));
    assert.ok(body.includes('ne peuvent pas être affichés'));
    assert.match(body, /Date de création \d{1,2} \S+ \d{4} à \d{1,2} h \d{2}/);

    await database.db.mailbox.update({
      where: { id: made.value.id },
      data: { storageUsed: 1_258_291n, lastSignInAt: new Date('2025-03-04T15:06:00Z') },
    });
    page = await client.get(`/admin/courriel/comptes/${made.value.id}`);
    assert.ok(text(page.body).includes('1,2 Mo sur 1 Go'));
    assert.ok(text(page.body).includes('2025'));
    const english = await adminOf(domain, 'en');
    page = await english.get(`/admin/courriel/comptes/${made.value.id}`);
    assert.ok(text(page.body).includes('Storage used 1.2 MB of 1 GB'));
  });

  it('sets a typed password, ending the account’s webmail sessions, and refuses a weak one', async () => {
    const domain = await newDomain();
    const made = await createMailbox(database.db, domain, { name: 'jeanne', password: MAILBOX_PASSWORD }, OPERATOR);
    assert.ok(made.ok);
    const id = made.value.id;
    await database.db.session.create({
      data: {
        sid: 'webmail-jeanne',
        data: {},
        expiresAt: new Date(Date.now() + 60_000),
        domainId: domain.id,
        mailboxId: id,
      },
    });
    const client = await adminOf(domain);
    const from = `/admin/courriel/comptes/${id}`;
    const weak = await client.post(`${from}/mot-de-passe`, { action: 'set', password: 'qwerty' }, { from });
    assert.equal(weak.statusCode, 422);
    assert.deepEqual(byRole(weak.body, 'alert'), ['Le mot de passe doit compter de 10 à 128 caractères.']);
    const set = await client.post(
      `${from}/mot-de-passe`,
      { action: 'set', password: 'un tout nouveau secret' },
      { from },
    );
    assert.equal(set.statusCode, 303);
    assert.equal(set.headers.location, from);
    const page = await client.get(from);
    assert.deepEqual(byRole(page.body, 'status'), [
      `Le nouveau mot de passe de jeanne@${domain.name} est enregistré. Les sessions ouvertes de ce compte ont été fermées.`,
    ]);
    assert.equal(await database.db.session.count({ where: { mailboxId: id } }), 0);
    const signIn = await signInMailbox(
      database.db,
      { address: `jeanne@${domain.name}`, password: 'un tout nouveau secret' },
      '::1',
    );
    assert.ok(signIn.ok);
    const audit = await database.db.auditEvent.findFirstOrThrow({
      where: { domainId: domain.id, action: 'mailbox.set-password' },
    });
    assert.equal(audit.clientAddress, '127.0.0.1');
  });

  it('shows a generated password once, after a redirect: a reload neither shows nor makes another', async () => {
    const domain = await newDomain();
    const made = await createMailbox(database.db, domain, { name: 'jeanne', password: MAILBOX_PASSWORD }, OPERATOR);
    assert.ok(made.ok);
    const from = `/admin/courriel/comptes/${made.value.id}`;
    const client = await adminOf(domain);
    const posted = await client.post(`${from}/mot-de-passe`, { action: 'generate' }, { from });
    assert.equal(posted.statusCode, 303);
    assert.equal(posted.headers.location, from, 'the password is in no URL');
    // While it waits for the next page, the stored session holds it sealed, never in clear.
    const waiting = await database.db.session.findMany({ where: { domainId: domain.id } });
    const hash = (await database.db.mailbox.findUniqueOrThrow({ where: { id: made.value.id } })).passwordHash;
    const response = await client.get(from);
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['cache-control'], 'no-store');
    const password = /<code class="secret">([^<]+)<\/code>/.exec(response.body)?.[1];
    assert.ok(password && password.length === 20);
    assert.ok(waiting.every((s) => !JSON.stringify(s.data).includes(password)));
    const sessions = await database.db.session.findMany({ where: { domainId: domain.id } });
    assert.ok(sessions.every((s) => !JSON.stringify(s.data).includes(password)));
    const again = await client.get(from);
    assert.ok(!again.body.includes(password), 'a reload does not show it again');
    assert.ok(!again.body.includes('class="secret"'), 'nor another one');
    const after = (await database.db.mailbox.findUniqueOrThrow({ where: { id: made.value.id } })).passwordHash;
    assert.equal(after, hash, 'a reload changes nothing');
    const history = await database.db.auditEvent.count({
      where: { domainId: domain.id, action: 'mailbox.set-password' },
    });
    assert.equal(history, 1, 'one entry in the history');
    const signIn = await signInMailbox(database.db, { address: `jeanne@${domain.name}`, password }, '::1');
    assert.ok(signIn.ok);
  });

  it('asks to confirm Supprimer, then deletes the account and its sessions and counts one more', async () => {
    const domain = await newDomain();
    const made = await createMailbox(database.db, domain, { name: 'jeanne', password: MAILBOX_PASSWORD }, OPERATOR);
    assert.ok(made.ok);
    const id = made.value.id;
    await database.db.session.create({
      data: {
        sid: `webmail-${id}`,
        data: {},
        expiresAt: new Date(Date.now() + 60_000),
        domainId: domain.id,
        mailboxId: id,
      },
    });
    const client = await adminOf(domain);
    let config = await client.get('/admin/courriel/configuration');
    assert.equal(statusLine(config.body), '14 comptes de courriel disponibles sur une possibilité de 15');
    const confirm = await client.get(`/admin/courriel/comptes/${id}/supprimer`);
    assert.equal(confirm.statusCode, 200);
    assert.ok(text(confirm.body).includes(`Supprimer le compte de courriel jeanne@${domain.name} ?`));
    assert.ok(text(confirm.body).includes('Tout son courriel sera supprimé définitivement'));
    assert.match(confirm.body, /<button type="submit" class="danger">OK<\/button>/);
    assert.match(confirm.body, />Annuler<\/button>/);
    assert.equal(await mailboxCount(domain.id), 1);

    const forged = await client.post(`/admin/courriel/comptes/${id}/supprimer`, {}, { csrf: false });
    assert.equal(forged.statusCode, 403);
    assert.equal(await mailboxCount(domain.id), 1);

    const deleted = await client.post(`/admin/courriel/comptes/${id}/supprimer`, {});
    assert.equal(deleted.statusCode, 303);
    assert.equal(deleted.headers.location, '/admin/courriel/configuration');
    assert.equal(await mailboxCount(domain.id), 0);
    assert.equal(await database.db.session.count({ where: { mailboxId: id } }), 0);
    config = await client.get('/admin/courriel/configuration');
    assert.ok(byRole(config.body, 'status').includes(`Le compte de courriel jeanne@${domain.name} a été supprimé.`));
    assert.doesNotMatch(config.body, /<label for="mailbox-/);
    assert.equal(statusLine(config.body), '15 comptes de courriel disponibles sur une possibilité de 15');
    const audit = await database.db.auditEvent.findFirstOrThrow({
      where: { domainId: domain.id, action: 'mailbox.delete' },
    });
    assert.equal(audit.clientAddress, '127.0.0.1');
    assert.equal((await client.get(`/admin/courriel/comptes/${id}`)).statusCode, 404);
  });

  it('answers 404 for a mailbox of another domain on every route, and changes nothing', async () => {
    const mine = await newDomain();
    const theirs = await newDomain();
    const made = await createMailbox(database.db, theirs, { name: 'secret', password: MAILBOX_PASSWORD }, OPERATOR);
    assert.ok(made.ok);
    const id = made.value.id;
    const before = await database.db.mailbox.findUniqueOrThrow({ where: { id } });
    const client = await adminOf(mine);
    const from = '/admin/courriel/configuration';
    const responses = [
      await client.get(`/admin/courriel/comptes/${id}`),
      await client.get(`/admin/courriel/comptes/${id}/supprimer`),
      await client.post(`/admin/courriel/comptes/${id}/supprimer`, {}, { from }),
      await client.post(`/admin/courriel/comptes/${id}/mot-de-passe`, { action: 'generate' }, { from }),
      await client.post(
        `/admin/courriel/comptes/${id}/mot-de-passe`,
        { action: 'set', password: 'tout autre secret' },
        { from },
      ),
      await client.post(from, { action: 'show', mailbox: String(id) }),
      await client.post(from, { action: 'delete', mailbox: String(id) }),
    ];
    for (const response of responses) {
      assert.equal(response.statusCode, 404);
      assert.doesNotMatch(response.body, /secret@/);
    }
    const after = await database.db.mailbox.findUniqueOrThrow({ where: { id } });
    assert.equal(after.passwordHash, before.passwordHash);
    assert.equal((await client.get('/admin/courriel/comptes/abc')).statusCode, 400);
  });
});

describe('Domaine, Hébergement Web and Sécurité', () => {
  it('shows the domain’s facts with a localized creation date', async () => {
    const domain = await newDomain(7);
    const client = await adminOf(domain);
    const page = text((await client.get('/admin/domaine')).body);
    assert.ok(page.includes(`Nom de domaine ${domain.name}`));
    assert.ok(page.includes('État actif'));
    assert.ok(page.includes('Quota de comptes de courriel 7'));
    const year = new Date().getFullYear();
    assert.match(page, new RegExp(`Date de création \\d{1,2} \\S+ ${year}`));
    const english = text((await (await adminOf(domain, 'en')).get('/admin/domaine')).body);
    assert.match(english, new RegExp(`Created on [A-Z][a-z]+ \\d{1,2}, ${year}`));
    assert.ok(english.includes('State active'));
  });

  it('lists the history newest first with readable actions, 20 per page, and validates the page number', async () => {
    const domain = await newDomain();
    for (let i = 0; i < 25; i++) {
      await recordAudit(
        database.db,
        { actor: `admin:${domain.name}`, clientAddress: '192.0.2.7' },
        'mailbox.create',
        `n${i}@${domain.name}`,
        domain.id,
      );
    }
    const client = await adminOf(domain);
    const first = await client.get('/admin/domaine');
    const rows = (html: string) => [...html.matchAll(/<tr>\s*<td><time/g)].length;
    // 1 domain.add + 25 creations + 1 sign-in = 27 events.
    assert.equal(rows(first.body), 20);
    assert.ok(text(first.body).includes('Ouverture de session de l’administrateur'));
    assert.ok(text(first.body).includes('Compte de courriel créé'));
    assert.ok(text(first.body).includes('192.0.2.7'));
    assert.ok(text(first.body).indexOf('n24@') < text(first.body).indexOf('n23@'));
    assert.match(first.body, /<nav class="pager" aria-label="Pages de l’historique">/);
    assert.match(first.body, /href="\/admin\/domaine\?page=2" rel="next">Page suivante/);
    const second = await client.get('/admin/domaine?page=2');
    assert.equal(second.statusCode, 200);
    assert.equal(rows(second.body), 7);
    assert.ok(text(second.body).includes('Domaine créé par le fournisseur'));
    assert.ok(text(second.body).includes('ligne de commande'));
    for (const bad of ['0', '-1', 'abc', '1.5']) {
      assert.equal((await client.get(`/admin/domaine?page=${bad}`)).statusCode, 400, bad);
    }
    assert.equal((await client.get('/admin/domaine?page=3')).statusCode, 404);
    const english = await (await adminOf(domain, 'en')).get('/admin/domaine');
    assert.ok(text(english.body).includes('Administrator signed in'));
  });

  it('says web hosting is not part of the offer', async () => {
    const client = await adminOf(await newDomain());
    const page = await client.get('/admin/hebergement-web');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<a href="\/admin\/hebergement-web" aria-current="page">Hébergement Web<\/a>/);
    assert.ok(text(page.body).includes('L’hébergement Web ne fait pas partie de cette offre'));
  });

  it('changes the administrator password, ending the other sessions but keeping this one', async () => {
    const domain = await newDomain();
    const me = await adminOf(domain);
    const other = await adminOf(domain);
    const wrong = await me.post('/admin/securite', {
      current: 'pas le bon du tout',
      next: 'un nouveau secret fort',
      confirm: 'un nouveau secret fort',
    });
    assert.equal(wrong.statusCode, 422);
    assert.deepEqual(byRole(wrong.body, 'alert'), ['Le mot de passe actuel est incorrect.']);
    const mismatch = await me.post('/admin/securite', {
      current: PASSWORD,
      next: 'un nouveau secret fort',
      confirm: 'un autre',
    });
    assert.deepEqual(byRole(mismatch.body, 'alert'), ['Les deux nouveaux mots de passe ne sont pas identiques.']);
    const weak = await me.post('/admin/securite', { current: PASSWORD, next: domain.name, confirm: domain.name });
    assert.equal(weak.statusCode, 422);
    assert.deepEqual(byRole(weak.body, 'alert'), [
      'Le mot de passe ne peut pas être le nom d’utilisateur ou le domaine.',
    ]);
    assert.equal((await other.get('/admin/domaine')).statusCode, 200);

    const done = await me.post('/admin/securite', {
      current: PASSWORD,
      next: 'un nouveau secret fort',
      confirm: 'un nouveau secret fort',
    });
    assert.equal(done.statusCode, 303);
    const page = await me.get('/admin/securite');
    assert.equal(page.statusCode, 200);
    assert.deepEqual(byRole(page.body, 'status'), [
      'Le mot de passe de l’administrateur a été changé. Les autres sessions ont été fermées.',
    ]);
    assert.equal((await other.get('/admin/domaine')).headers.location, '/admin/connexion');
    assert.equal((await me.get('/admin/domaine')).statusCode, 200);
    assert.ok(!(await signInAdmin(database.db, { domain: domain.name, password: PASSWORD }, '::1')).ok);
    assert.ok((await signInAdmin(database.db, { domain: domain.name, password: 'un nouveau secret fort' }, '::1')).ok);
    const audit = await database.db.auditEvent.findFirstOrThrow({
      where: { domainId: domain.id, action: 'domain.change-password' },
    });
    assert.equal(audit.actor, `admin:${domain.name}`);
    assert.equal(audit.clientAddress, '127.0.0.1');
  });

  it('gives every admin page its own title and escapes what people typed', async () => {
    const domain = await newDomain();
    const client = await adminOf(domain);
    const made = await createMailbox(database.db, domain, { name: 'jeanne', password: MAILBOX_PASSWORD }, OPERATOR);
    assert.ok(made.ok);
    const paths = [
      '/admin/domaine',
      '/admin/courriel',
      '/admin/courriel/configuration',
      '/admin/courriel/creer',
      `/admin/courriel/comptes/${made.value.id}`,
      `/admin/courriel/comptes/${made.value.id}/supprimer`,
      '/admin/hebergement-web',
      '/admin/securite',
    ];
    const titles = new Set<string>();
    for (const path of paths) {
      const page = await client.get(path);
      assert.equal(page.statusCode, 200, path);
      assert.equal(page.headers['cache-control'], 'no-store', path);
      titles.add(/<title>([^<]*)<\/title>/.exec(page.body)?.[1] ?? '');
    }
    assert.equal(titles.size, paths.length);
    const typed = await client.post('/admin/courriel/creer', {
      name: '<script>alert(1)</script>',
      password: MAILBOX_PASSWORD,
    });
    assert.doesNotMatch(typed.body, /<script>alert/);
    assert.match(typed.body, /value="&lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
  });
});
