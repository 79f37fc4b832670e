import { expect, test, type Browser, type Page } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { OPERATOR } from '../src/accounts/audit.ts';
import { addDomain, setDomainState } from '../src/accounts/domains.ts';
import { createMailbox } from '../src/accounts/mailboxes.ts';
import { checkScreen, e2eDb } from './helpers.ts';

// The forms' promises, each in a browser: a generated password shown once, the quota said before
// the form is filled in, every refusal at once next to its field, Enter choosing Afficher, a
// suspended domain told only to the right password, Unicode domain names, phone width, favicon.

const ADMIN_PASSWORD = 'un mot de passe solide';
const MAILBOX_PASSWORD = 'cheval agrafe pile correcte';
const SUPPORT_PHONE = '1 800 555-0199';
const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 3925);

/** A domain of the test's own (its name as typed, Unicode or not), with the mailboxes named. */
async function newDomain(prefix: string, { quota = 15, mailboxes = [] as string[] } = {}) {
  const typed = `${prefix}-${randomBytes(3).toString('hex')}.ca`;
  const added = await addDomain(e2eDb(), { name: typed, quota, password: ADMIN_PASSWORD }, OPERATOR);
  expect(added.ok).toBe(true);
  const name = added.ok ? added.value.name : '';
  const domain = await e2eDb().domain.findUniqueOrThrow({ where: { name } });
  for (const local of mailboxes) {
    const made = await createMailbox(e2eDb(), domain, { name: local, password: MAILBOX_PASSWORD }, OPERATOR);
    expect(made.ok).toBe(true);
  }
  return { typed, name };
}

async function adminSignIn(page: Page, domain: string, password = ADMIN_PASSWORD) {
  await page.goto('/admin/connexion');
  await page.getByLabel("Nom d'utilisateur").fill(domain);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Ouvrir une session' }).click();
}

async function webmailSignIn(page: Page, address: string, password = MAILBOX_PASSWORD) {
  await page.goto('/webmail');
  await page.getByLabel('Adresse de courriel').fill(address);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Ouvrir une session' }).click();
}

const h1 = (page: Page) => page.getByRole('heading', { level: 1 });
const accountList = (page: Page) => page.getByRole('group', { name: 'Sélectionner un compte' });

/** The field's refusal is the sentence under it, and the field says so to assistive technology. */
async function expectRefused(page: Page, label: string | RegExp, id: string, sentence: string) {
  const field = page.getByLabel(label, { exact: typeof label === 'string' });
  await expect(page.locator(`#${id}-error`)).toHaveText(sentence);
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(field).toHaveAttribute('aria-describedby', new RegExp(`(^| )${id}-error( |$)`));
  // The sentence sits right after the field (and its hint), inside the field's own block.
  await expect(field.locator('xpath=ancestor::div[label][1]').locator(`#${id}-error`)).toHaveCount(1);
}

const activeId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

test('a generated password is shown once, a reload neither shows it again nor makes another, and it signs in', async ({
  page,
  browser,
}, testInfo) => {
  const { name: domain } = await newDomain('menuiserie', { mailboxes: ['jeanne'] });
  const address = `jeanne@${domain}`;
  await adminSignIn(page, domain);
  await page.goto('/admin/courriel/configuration');
  await accountList(page).getByRole('radio', { name: address }).check();
  await page.getByRole('button', { name: 'Afficher' }).click();
  await expect(h1(page)).toHaveText(`Compte de courriel ${address}`);
  await checkScreen(page, testInfo, 'generate-before');

  await page.getByRole('button', { name: 'Générer un mot de passe' }).click();
  await expect(h1(page)).toHaveText(`Compte de courriel ${address}`);
  expect(new URL(page.url()).pathname).toMatch(/^\/admin\/courriel\/comptes\/\d+$/);
  const secret = page.locator('code.secret');
  await expect(secret).toHaveText(/^[A-Za-z0-9]{20}$/);
  const generated = (await secret.textContent())!;
  expect(page.url()).not.toContain(generated);
  await checkScreen(page, testInfo, 'generate-shown');

  await page.reload();
  await expect(h1(page)).toHaveText(`Compte de courriel ${address}`);
  await expect(secret).toHaveCount(0);
  await expect(page.getByText(generated)).toHaveCount(0);
  await checkScreen(page, testInfo, 'generate-reloaded');

  await page
    .getByRole('navigation', { name: 'Administration du domaine' })
    .getByRole('link', { name: 'Domaine' })
    .click();
  await expect(h1(page)).toHaveText('Domaine');
  const history = page.getByRole('table', { name: /Historique/ });
  await expect(
    history.getByRole('row').filter({ hasText: 'Nouveau mot de passe d’un compte de courriel' }),
  ).toHaveCount(1);
  await checkScreen(page, testInfo, 'generate-history');

  // The shown password is the account's password now.
  const employee = await browser.newContext({ locale: 'fr-CA' });
  const webmail = await employee.newPage();
  await webmailSignIn(webmail, address, generated);
  await expect(h1(webmail)).toHaveText('Boîte de réception');
  await checkScreen(webmail, testInfo, 'generate-webmail');
  await employee.close();
});

test('at the quota, Configuration Easymail and Créer say so before anything is typed, and a post is still refused', async ({
  page,
}, testInfo) => {
  const { name: domain } = await newDomain('traiteur', { quota: 2, mailboxes: ['anne', 'berthe'] });
  await adminSignIn(page, domain);
  await page.goto('/admin/courriel/configuration');
  await expect(page.locator('#quota-reached')).toHaveText(
    'La limite de 2 comptes de courriel est atteinte : supprimez un compte avant d’en créer un autre.',
  );
  await expect(page.getByRole('button', { name: 'Créer' })).toHaveAccessibleDescription(/La limite de 2 comptes/);
  await checkScreen(page, testInfo, 'quota-easymail');

  await page.getByRole('button', { name: 'Créer' }).click();
  await expect(h1(page)).toHaveText('Créer un compte de courriel');
  await expect(page.getByRole('alert')).toHaveText(
    'La limite de 2 comptes de courriel est atteinte. Supprimez un compte avant d’en créer un autre.',
  );
  await expect(page.getByLabel("Nom d'utilisateur")).toHaveValue('');
  await checkScreen(page, testInfo, 'quota-create');

  await page.getByLabel("Nom d'utilisateur").fill('claire');
  await page.getByLabel('Mot de passe').fill(MAILBOX_PASSWORD);
  await page.getByRole('button', { name: 'OK' }).click();
  await expectRefused(page, "Nom d'utilisateur", 'name', 'La limite de 2 comptes de courriel est atteinte.');
  await expect(page.getByRole('alert')).toHaveCount(1);
  await expect(page.getByLabel("Nom d'utilisateur")).toHaveValue('claire');
  await checkScreen(page, testInfo, 'quota-create-refused');
  expect(await e2eDb().mailbox.count({ where: { domain: { name: domain } } })).toBe(2);
});

test('Créer shows a full address and a weak password refused at once, each next to its field', async ({
  page,
}, testInfo) => {
  const { name: domain } = await newDomain('ebenisterie');
  await adminSignIn(page, domain);
  await page.goto('/admin/courriel/creer');
  await page.getByLabel("Nom d'utilisateur").fill('paul@domaine.ca');
  await page.getByLabel('Mot de passe').fill('court');
  await page.getByRole('button', { name: 'OK' }).click();

  await expect(h1(page)).toHaveText('Créer un compte de courriel');
  await expectRefused(page, "Nom d'utilisateur", 'name', 'Tapez seulement la partie avant le @ : « paul ».');
  await expectRefused(page, 'Mot de passe', 'password', 'Le mot de passe doit compter de 10 à 128 caractères.');
  await expect(page.getByRole('alert')).toHaveCount(2);
  await expect(page.getByLabel("Nom d'utilisateur")).toHaveValue('paul@domaine.ca');
  await expect(page.getByLabel('Mot de passe')).toHaveValue('');
  await expect(page.getByLabel('Mot de passe')).toHaveAccessibleDescription(
    /Pour votre sécurité, tapez le mot de passe de nouveau\./,
  );
  await expect(page.getByText('Pour votre sécurité, tapez le mot de passe de nouveau.')).toBeVisible();
  expect(await activeId(page)).toBe('name');
  await checkScreen(page, testInfo, 'create-two-refusals');

  // Only the password wrong: the focus goes to it, and the name is kept.
  await page.getByLabel("Nom d'utilisateur").fill('paul');
  await page.getByLabel('Mot de passe').fill('password123');
  await page.getByRole('button', { name: 'OK' }).click();
  await expectRefused(page, 'Mot de passe', 'password', 'Ce mot de passe est trop courant. Choisissez-en un autre.');
  await expect(page.getByLabel("Nom d'utilisateur")).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel("Nom d'utilisateur")).toHaveValue('paul');
  expect(await activeId(page)).toBe('password');
  await checkScreen(page, testInfo, 'create-password-refused');
  expect(await e2eDb().mailbox.count({ where: { domain: { name: domain } } })).toBe(0);
});

test('Configuration Easymail by keyboard: Tab to the list, Space to choose, Enter opens the account', async ({
  page,
}, testInfo) => {
  const { name: domain } = await newDomain('horlogerie', { mailboxes: ['alice', 'bruno'] });
  await adminSignIn(page, domain);
  await page.goto('/admin/courriel/configuration');
  await checkScreen(page, testInfo, 'keyboard-easymail');
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type === 'radio')) break;
  }
  const first = accountList(page).getByRole('radio', { name: `alice@${domain}` });
  await expect(first).toBeFocused();
  // The arrow keys move within the group; Space chooses the focused account.
  await page.keyboard.press('ArrowDown');
  const second = accountList(page).getByRole('radio', { name: `bruno@${domain}` });
  await expect(second).toBeFocused();
  await page.keyboard.press('Space');
  await expect(second).toBeChecked();
  await page.keyboard.press('Enter');
  await expect(h1(page)).toHaveText(`Compte de courriel bruno@${domain}`);
  await checkScreen(page, testInfo, 'keyboard-account');
});

test('a suspended domain is told only to the right password, in French and in English', async ({
  browser,
}, testInfo) => {
  const { name: domain } = await newDomain('papeterie', { mailboxes: ['lise'] });
  const address = `lise@${domain}`;
  expect((await setDomainState(e2eDb(), domain, 'suspended', OPERATOR)).ok).toBe(true);
  const context = await browser.newContext({ locale: 'fr-CA' });
  const page = await context.newPage();
  const suspended = `Ce domaine est suspendu. Appelez le soutien technique au ${SUPPORT_PHONE}.`;

  await adminSignIn(page, domain);
  await expect(page.getByRole('alert')).toHaveText(suspended);
  await expect(h1(page)).toHaveText('Ouverture de session de l’administrateur');
  await checkScreen(page, testInfo, 'suspended-admin');
  await adminSignIn(page, domain, 'pas le bon mot de passe');
  await expect(page.getByRole('alert')).toHaveText("Nom d'utilisateur ou mot de passe invalide.");
  await checkScreen(page, testInfo, 'suspended-admin-wrong');

  await webmailSignIn(page, address);
  await expect(page.getByRole('alert')).toHaveText(suspended);
  await expect(h1(page)).toHaveText('Ouverture de session');
  await checkScreen(page, testInfo, 'suspended-webmail');
  await webmailSignIn(page, address, 'pas le bon mot de passe');
  await expect(page.getByRole('alert')).toHaveText('Adresse de courriel ou mot de passe invalide.');
  await checkScreen(page, testInfo, 'suspended-webmail-wrong');

  // In English, switched with the button.
  await page.getByRole('button', { name: /English/ }).click();
  await expect(h1(page)).toHaveText('Sign in');
  await page.getByLabel('Email address').fill(address);
  await page.getByLabel('Password').fill(MAILBOX_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    `This domain is suspended. Call technical support at ${SUPPORT_PHONE}.`,
  );
  await checkScreen(page, testInfo, 'suspended-webmail-en');
  await page.goto('/admin/connexion');
  await page.getByLabel('User name').fill(domain);
  await page.getByLabel('Password').fill('not the right password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Invalid user name or password.');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    `This domain is suspended. Call technical support at ${SUPPORT_PHONE}.`,
  );
  await checkScreen(page, testInfo, 'suspended-admin-en');
  await context.close();
});

test('a Unicode domain name shows as typed across the portal and the webmail, its punycode only as a detail', async ({
  page,
  browser,
}, testInfo) => {
  const { typed, name } = await newDomain('café-élise');
  expect(name).toMatch(/^xn--caf-lise-/);
  await adminSignIn(page, typed);
  await expect(h1(page)).toHaveText('Domaine');
  await expect(page).toHaveTitle(new RegExp(`Domaine — ${typed}`));
  const facts = page.locator('dl.facts');
  await expect(facts).toContainText(typed);
  await expect(facts.locator('.hint')).toHaveText(`Forme technique (punycode) : ${name}`);
  await checkScreen(page, testInfo, 'idn-domain');

  await page.goto('/admin/courriel/creer');
  await expect(page.getByText(`@${typed}`, { exact: true })).toBeVisible();
  await checkScreen(page, testInfo, 'idn-create');
  await page.getByLabel("Nom d'utilisateur").fill('luc');
  await page.getByLabel('Mot de passe').fill(MAILBOX_PASSWORD);
  await page.getByRole('button', { name: 'OK' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'a été créé' })).toHaveText(
    `Le compte de courriel luc@${typed} a été créé.`,
  );
  await expect(accountList(page).getByRole('radio', { name: `luc@${typed}` })).toBeVisible();
  await checkScreen(page, testInfo, 'idn-easymail');

  // The same name again: the refusal names the address as people read it.
  await page.getByRole('button', { name: 'Créer' }).click();
  await page.getByLabel("Nom d'utilisateur").fill('luc');
  await page.getByLabel('Mot de passe').fill(MAILBOX_PASSWORD);
  await page.getByRole('button', { name: 'OK' }).click();
  await expectRefused(page, "Nom d'utilisateur", 'name', `L’adresse luc@${typed} existe déjà.`);
  await checkScreen(page, testInfo, 'idn-create-taken');

  await page.goto('/admin/courriel/configuration');
  await accountList(page)
    .getByRole('radio', { name: `luc@${typed}` })
    .check();
  await page.getByRole('button', { name: 'Afficher' }).click();
  await expect(h1(page)).toHaveText(`Compte de courriel luc@${typed}`);
  await checkScreen(page, testInfo, 'idn-account');

  // The history names the account as people read it too.
  await page.goto('/admin/domaine');
  const history = page.getByRole('table', { name: /Historique/ });
  await expect(history.getByRole('row').filter({ hasText: 'Compte de courriel créé' })).toContainText(`luc@${typed}`);
  await expect(history).not.toContainText('xn--');
  await checkScreen(page, testInfo, 'idn-history');

  const employee = await browser.newContext({ locale: 'fr-CA' });
  const webmail = await employee.newPage();
  await webmailSignIn(webmail, `luc@${typed}`);
  await expect(h1(webmail)).toHaveText('Boîte de réception');
  const nav = webmail.getByRole('navigation', { name: 'Courriel Web' });
  await expect(nav).toContainText(`luc@${typed}`);
  await expect(nav).not.toContainText('xn--');
  await checkScreen(webmail, testInfo, 'idn-webmail');
  await employee.close();
});

async function phonePage(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'fr-CA' });
  return { context, page: await context.newPage() };
}

const pageScrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

test('on a 360 × 740 phone: the history reads in stacked rows, an inbox row is 3 lines at most, a message starts on the first screen', async ({
  browser,
}, testInfo) => {
  const { name: domain } = await newDomain('quincaillerie-generale-du-vieux-quartier', {
    mailboxes: ['jeanne-marie.tremblay', 'paul'],
  });
  const { context, page } = await phonePage(browser);
  await adminSignIn(page, domain);
  await expect(h1(page)).toHaveText('Domaine');
  expect(await pageScrollWidth(page)).toBeLessThanOrEqual(360);
  const wrap = page.locator('.table-wrap');
  const scrolls = await wrap.evaluate((el) => el.scrollWidth - el.clientWidth);
  expect(scrolls, 'the history table scrolls sideways').toBeLessThanOrEqual(0);
  // Still a table to assistive technology, each value labelled on screen by its column.
  const history = page.getByRole('table', { name: /Historique/ });
  await expect(history.getByRole('columnheader', { name: 'Action' })).toHaveCount(1);
  const row = history.getByRole('row').filter({ hasText: 'Compte de courriel créé' }).first();
  await expect(row.getByRole('cell').nth(1)).toHaveText('Compte de courriel créé');
  const label = await row
    .getByRole('cell')
    .nth(1)
    .evaluate((cell) => getComputedStyle(cell, '::before').content);
  expect(label).toBe('"Action"');
  await checkScreen(page, testInfo, 'phone-history');
  await context.close();

  // The webmail inbox and a message, on the same phone.
  const address = `paul@${domain}`;
  await deliver({
    to: address,
    from: 'Marie-Ève Bélanger-Tremblay <marie-eve.belanger-tremblay@fournisseur-de-bois.example>',
    subject: 'Commande numéro 2 d’un client très fidèle de la quincaillerie',
    text: 'Bonjour Paul,\nVoici la commande de la semaine.\nMerci.',
  });
  const phone = await phonePage(browser);
  await webmailSignIn(phone.page, address);
  await expect(h1(phone.page)).toHaveText('Boîte de réception');
  expect(await pageScrollWidth(phone.page)).toBeLessThanOrEqual(360);
  const inboxRow = phone.page.locator('table.messages tbody tr').first();
  const lines = await inboxRow.evaluate((tr) => {
    const style = getComputedStyle(tr);
    const content = tr.getBoundingClientRect().height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    const td = tr.querySelector('td')!;
    const style2 = getComputedStyle(td);
    const value = parseFloat(style2.lineHeight);
    const line = style2.lineHeight.endsWith('px') ? value : (value || 1.2) * parseFloat(style2.fontSize);
    return content / line;
  });
  expect(lines, 'lines in one inbox row').toBeLessThanOrEqual(3.1);
  await expect(
    phone.page.getByRole('link', { name: 'Commande numéro 2 d’un client très fidèle de la quincaillerie' }),
  ).toBeVisible();
  await checkScreen(phone.page, testInfo, 'phone-inbox');

  await phone.page.getByRole('link', { name: /Commande numéro 2/ }).click();
  await expect(h1(phone.page)).toHaveText(/Commande numéro 2/);
  expect(await pageScrollWidth(phone.page)).toBeLessThanOrEqual(360);
  const top = await phone.page.locator('.message-text').evaluate((el) => el.getBoundingClientRect().top);
  const firstLine = await phone.page.locator('.message-text').evaluate((el) => {
    const style = getComputedStyle(el);
    return el.getBoundingClientRect().top + parseFloat(style.paddingTop) + parseFloat(style.lineHeight);
  });
  expect(top, 'the message text begins below the first screen').toBeLessThan(740);
  expect(firstLine, 'the first line of the message is not on the first screen').toBeLessThanOrEqual(740);
  await checkScreen(phone.page, testInfo, 'phone-message');
  await phone.context.close();
});

/** Delivers a message over SMTP, as any mail server on the internet would. */
async function deliver(message: Mail.Options) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({ from: 'Alice Expéditrice <alice@ailleurs.example>', ...message });
  } finally {
    transport.close();
  }
}

test('every page names its icon, and /favicon.ico is an image', async ({ page, request }) => {
  const { name: domain } = await newDomain('vitrerie', { mailboxes: ['rose'] });
  const visited: string[] = [];
  const hasIcon = async () => {
    visited.push(new URL(page.url()).pathname);
    await expect(page.locator('head link[rel="icon"]'), page.url()).toHaveCount(1);
    const href = await page.locator('head link[rel="icon"]').getAttribute('href');
    const icon = await request.get(href!);
    expect(icon.status()).toBe(200);
    expect(icon.headers()['content-type']).toMatch(/^image\//);
  };
  for (const path of [
    '/',
    '/mes-comptes',
    '/soutien-technique',
    '/admin/connexion',
    '/webmail',
    '/page-qui-nexiste-pas',
  ]) {
    await page.goto(path);
    await hasIcon();
  }
  await adminSignIn(page, domain);
  await hasIcon();
  for (const path of ['/admin/courriel/configuration', '/admin/courriel/creer', '/admin/securite']) {
    await page.goto(path);
    await hasIcon();
  }
  await webmailSignIn(page, `rose@${domain}`);
  await hasIcon();
  await page.goto('/webmail/nouveau');
  await hasIcon();
  expect(visited).toContain('/webmail/nouveau');

  const favicon = await request.get('/favicon.ico');
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()['content-type']).toMatch(/^image\//);
  expect((await favicon.body()).length).toBeGreaterThan(0);
});

test('Sécurité shows every refusal at once, each next to its field', async ({ page }, testInfo) => {
  const { name: domain } = await newDomain('serrurerie');
  await adminSignIn(page, domain);
  await page.getByRole('link', { name: 'Sécurité' }).click();
  await page.getByLabel('Mot de passe actuel').fill('pas le bon mot de passe');
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('un nouveau secret fort');
  await page.getByLabel('Confirmer le nouveau mot de passe').fill('un autre secret fort');
  await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
  await expectRefused(page, 'Mot de passe actuel', 'current', 'Le mot de passe actuel est incorrect.');
  await expectRefused(
    page,
    'Confirmer le nouveau mot de passe',
    'confirm',
    'Les deux nouveaux mots de passe ne sont pas identiques.',
  );
  expect(await activeId(page)).toBe('current');
  await checkScreen(page, testInfo, 'security-every-refusal');
  // Nothing changed: the old password still signs in.
  await page.getByRole('button', { name: 'Fermer la session' }).click();
  await adminSignIn(page, domain);
  await expect(h1(page)).toHaveText('Domaine');
});
