import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { OPERATOR } from '../src/accounts/audit.ts';
import { addDomain } from '../src/accounts/domains.ts';
import { createMailbox } from '../src/accounts/mailboxes.ts';
import { checkScreen, e2eDb, keepScreenshot } from './helpers.ts';

// The webmail as an employee uses it: mail arrives over real SMTP to the server under test, is
// read, answered and filed in the browser; hostile HTML stays inert; another user's message stays
// out of reach. Every screen is checked with axe and kept as a screenshot.

const PASSWORD = 'cheval agrafe pile correcte';
const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 3925);

/** A domain of the test's own with the mailboxes named; returns their addresses. */
async function newDomain(prefix: string, ...names: string[]): Promise<string[]> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}.ca`;
  expect((await addDomain(e2eDb(), { name, quota: 15, password: 'administrateur solide' }, OPERATOR)).ok).toBe(true);
  const domain = await e2eDb().domain.findUniqueOrThrow({ where: { name } });
  for (const local of names) {
    expect((await createMailbox(e2eDb(), domain, { name: local, password: PASSWORD }, OPERATOR)).ok).toBe(true);
  }
  return names.map((local) => `${local}@${name}`);
}

/** Delivers a message over SMTP, as any mail server on the internet would. */
async function deliver(message: Mail.Options) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({ from: 'Alice Expéditrice <alice@ailleurs.example>', ...message });
  } finally {
    transport.close();
  }
}

/** The id of the message with that subject in the mailbox of that address. */
async function messageId(address: string, subject: string): Promise<string> {
  const [local, domain] = address.split('@') as [string, string];
  const message = await e2eDb().message.findFirstOrThrow({
    where: { subject, mailbox: { localPart: local, domain: { name: domain } } },
  });
  return String(message.id);
}

/**
 * checkScreen for a page that frames a message's HTML: axe checks the page around the frame. The
 * frame holds the sender's markup, and axe cannot run in it anyway: with scripts disabled by the
 * sandbox, its timers never fire.
 */
function checkMessageScreen(page: Page, testInfo: TestInfo, name: string, forDocs = false) {
  return checkScreen(page, testInfo, name, { forDocs, exclude: 'iframe.message-frame' });
}

/** The frame that shows a message's HTML. */
function messageFrame(page: Page) {
  const frame = page.frames().find((f) => f.url().includes('/contenu'));
  if (!frame) throw new Error('no message frame');
  return frame;
}

async function signIn(page: Page, address: string) {
  await page.goto('/webmail');
  await page.getByLabel('Adresse de courriel').fill(address);
  await page.getByLabel('Mot de passe').fill(PASSWORD);
  await page.getByRole('button', { name: 'Ouvrir une session' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Boîte de réception');
}

async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Fermer la session' }).click();
  await expect(page.getByRole('button', { name: 'Ouvrir une session' })).toBeVisible();
}

test('an employee reads mail that came over SMTP, writes to a colleague, and files her mail', async ({
  page,
}, testInfo) => {
  const [jeanne, marie] = await newDomain('cabinet', 'jeanne', 'marie');
  await deliver({ to: jeanne, subject: 'Bienvenue au cabinet', text: 'Bonjour Jeanne,\nVoici votre boîte.' });

  await page.goto('/');
  await page.getByRole('link', { name: 'Mes comptes' }).click();
  await page.getByRole('link', { name: 'Ouverture de session' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ouverture de session');
  await checkScreen(page, testInfo, 'webmail-sign-in');
  await page.getByLabel('Adresse de courriel').fill(jeanne!);
  await page.getByLabel('Mot de passe').fill('pas le bon mot de passe');
  await page.getByRole('button', { name: 'Ouvrir une session' }).click();
  await expect(page.getByRole('alert')).toHaveText('Adresse de courriel ou mot de passe invalide.');
  await expect(page.getByLabel('Adresse de courriel')).toHaveValue(jeanne!);
  await checkScreen(page, testInfo, 'webmail-sign-in-refused');
  await page.getByLabel('Mot de passe').fill(PASSWORD);
  await page.getByRole('button', { name: 'Ouvrir une session' }).click();

  const nav = page.getByRole('navigation', { name: 'Courriel Web' });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Boîte de réception');
  await expect(nav.getByRole('link', { name: 'Boîte de réception, 1 non lu' })).toBeVisible();
  await expect(nav).toContainText(jeanne!);
  const table = page.getByRole('table', { name: /Boîte de réception : 1 message/ });
  await expect(table.getByRole('row', { name: /Non lu/ })).toContainText('Alice Expéditrice');
  await checkScreen(page, testInfo, 'webmail-inbox', { forDocs: true });

  await table.getByRole('link', { name: 'Bienvenue au cabinet' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bienvenue au cabinet');
  await expect(page.locator('.message-text')).toContainText('Voici votre boîte.');
  await expect(nav.getByRole('link', { name: 'Boîte de réception', exact: true })).toBeVisible();
  await checkScreen(page, testInfo, 'webmail-message', { forDocs: true });

  // A refusal keeps what was typed; then the message goes to the colleague.
  await nav.getByRole('link', { name: 'Nouveau message' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nouveau message');
  await checkScreen(page, testInfo, 'webmail-compose');
  await page.getByLabel('À', { exact: true }).fill('ami@ailleurs.example');
  await page.getByLabel('Objet').fill('Réunion de jeudi');
  await page.getByLabel('Message').fill('Bonjour Marie,\nOn se voit jeudi ?');
  await page.getByRole('button', { name: 'Envoyer' }).click();
  await expect(page.getByRole('alert')).toContainText('extérieur n’est pas activé');
  await expect(page.getByLabel('Objet')).toHaveValue('Réunion de jeudi');
  await checkScreen(page, testInfo, 'webmail-compose-refused', { forDocs: true });
  await page.getByLabel('À', { exact: true }).fill(marie!);
  await page.getByLabel('Pièces jointes').setInputFiles({
    name: 'ordre-du-jour.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('1. Budget\n2. Vacances\n'),
  });
  await page.getByRole('button', { name: 'Envoyer' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Envoyés');
  await expect(page.getByRole('status')).toHaveText('Votre message a été envoyé.');
  await expect(page.getByRole('link', { name: 'Réunion de jeudi' })).toBeVisible();
  await checkScreen(page, testInfo, 'webmail-sent');

  // Corbeille, then deleted for good after the confirmation.
  await nav.getByRole('link', { name: 'Boîte de réception' }).click();
  await page.getByRole('link', { name: 'Bienvenue au cabinet' }).click();
  await page.getByRole('button', { name: 'Mettre à la corbeille' }).click();
  await expect(page.getByRole('status')).toHaveText('Le message a été mis à la corbeille.');
  await expect(page.getByText('Ce dossier ne contient aucun message.')).toBeVisible();
  await nav.getByRole('link', { name: 'Corbeille' }).click();
  await checkScreen(page, testInfo, 'webmail-trash');
  await page.getByRole('link', { name: 'Bienvenue au cabinet' }).click();
  await page.getByRole('link', { name: 'Supprimer définitivement' }).click();
  await expect(page.getByText('Le message « Bienvenue au cabinet » sera supprimé définitivement.')).toBeVisible();
  await checkScreen(page, testInfo, 'webmail-delete-confirm');
  await page.getByRole('button', { name: 'Supprimer définitivement' }).click();
  await expect(page.getByRole('status')).toHaveText('Le message a été supprimé définitivement.');

  await nav.getByRole('link', { name: 'Mot de passe' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mot de passe');
  await checkScreen(page, testInfo, 'webmail-password');
  await signOut(page);

  // The colleague finds the message and its attachment, and answers it.
  await signIn(page, marie!);
  await expect(nav.getByRole('link', { name: 'Boîte de réception, 1 non lu' })).toBeVisible();
  await page.getByRole('link', { name: 'Réunion de jeudi' }).click();
  await expect(page.getByRole('link', { name: 'ordre-du-jour.txt' })).toBeVisible();
  await page.getByRole('link', { name: 'Répondre' }).click();
  await expect(page.getByLabel('À', { exact: true })).toHaveValue(jeanne!);
  await expect(page.getByLabel('Objet')).toHaveValue('Re: Réunion de jeudi');
  await expect(page.getByLabel('Message')).toHaveValue(/> On se voit jeudi \?/);
  await checkScreen(page, testInfo, 'webmail-reply');
  await page.getByRole('button', { name: 'Envoyer' }).click();
  await expect(page.getByRole('status')).toHaveText('Votre message a été envoyé.');
});

test('the webmail reads well on a phone and in English', async ({ browser }, testInfo) => {
  const [paul] = await newDomain('atelier', 'paul');
  for (let i = 1; i <= 3; i++) {
    await deliver({ to: paul, subject: `Commande numéro ${i} d’un client très fidèle`, text: 'Merci.' });
  }
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'en-CA' });
  const page = await phone.newPage();
  await page.goto('/webmail');
  await page.getByLabel('Email address').fill(paul!);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Inbox');
  await expect(page.getByRole('link', { name: 'Inbox, 3 unread' })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await checkScreen(page, testInfo, 'webmail-inbox-phone-en');
  await page.getByRole('link', { name: /Commande numéro 2/ }).click();
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await checkScreen(page, testInfo, 'webmail-message-phone-en', { forDocs: true });
  // The keyboard reaches the actions.
  await page.getByRole('link', { name: 'Reply' }).focus();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Forward' })).toBeFocused();
  await phone.close();
});

test('hostile HTML runs no script and fetches nothing remote until images are asked for', async ({
  page,
}, testInfo) => {
  const hits: string[] = [];
  const tracker: Server = createServer((request, response) => {
    hits.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'image/gif' });
    response.end(Buffer.from('R0lGODlhAQABAAAAACw=', 'base64'));
  });
  await new Promise<void>((resolve) => tracker.listen(0, '127.0.0.1', resolve));
  const remote = `http://127.0.0.1:${(tracker.address() as AddressInfo).port}`;
  try {
    const [lea] = await newDomain('agence', 'lea');
    await deliver({
      to: lea,
      subject: 'Offre exceptionnelle',
      text: 'Offre exceptionnelle',
      html: `<html><head><meta http-equiv="refresh" content="0;url=${remote}/refresh">
        <link rel="stylesheet" href="${remote}/link"><style>@import url(${remote}/import); p { color: red }</style>
        </head><body onload="window.pwned = 'onload'; alert('onload')">
        <p>Bonjour, <b>voici</b> notre offre.</p>
        <script>window.pwned = 'script'; alert('script'); new Image().src = '${remote}/script';</script>
        <img src="${remote}/track" alt="pixel" onerror="window.pwned = 'onerror'; alert('onerror')"
             onload="window.pwned = 'imgload'; new Image().src = '${remote}/imgload'">
        <img src="x" onerror="alert('broken')">
        <div style="background-image: url(${remote}/background)">fond</div>
        <svg><image href="${remote}/svg" /><script>alert('svg')</script></svg>
        <iframe src="${remote}/frame"></iframe><object data="${remote}/object"></object>
        <a href="javascript:alert('link')">lien piégé</a>
        <form action="${remote}/form"><input name="x"><button>Envoyer</button></form>
        </body></html>`,
    });
    const dialogs: string[] = [];
    page.on('dialog', async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });

    await signIn(page, lea!);
    await page.getByRole('link', { name: 'Offre exceptionnelle' }).click();
    const frame = page.frameLocator('iframe[title^="Contenu du message"]');
    await expect(frame.locator('body')).toContainText('voici notre offre');
    await expect(page.getByText('1 image externe a été bloquée pour protéger votre vie privée.')).toBeVisible();
    await page.waitForTimeout(500);
    expect(hits).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { pwned?: string }).pwned)).toBeUndefined();
    expect(await messageFrame(page).evaluate(() => (window as unknown as { pwned?: string }).pwned)).toBeUndefined();
    await checkMessageScreen(page, testInfo, 'webmail-html-message', true);

    await page.getByRole('button', { name: 'Afficher les images' }).click();
    await expect(frame.locator('img[alt="pixel"]')).toBeVisible();
    await expect.poll(() => hits).toContain('/track');
    await page.waitForTimeout(500);
    // The image came; nothing else did, and still nothing ran (no onload beacon, no dialog).
    expect(hits).toEqual(['/track']);
    expect(dialogs).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { pwned?: string }).pwned)).toBeUndefined();
    expect(await messageFrame(page).evaluate(() => (window as unknown as { pwned?: string }).pwned)).toBeUndefined();
    await checkMessageScreen(page, testInfo, 'webmail-html-message-images');
  } finally {
    await new Promise((resolve) => tracker.close(resolve));
  }
});

test('a user cannot open another mailbox’s message by its URL', async ({ page }) => {
  const [owner] = await newDomain('notaire', 'owner');
  const [intruder] = await newDomain('voisin', 'intruder');
  await deliver({ to: owner, subject: 'Testament confidentiel', html: '<p>Très confidentiel</p>' });
  const id = await messageId(owner!, 'Testament confidentiel');

  await signIn(page, intruder!);
  for (const path of [
    `/webmail/messages/${id}`,
    `/webmail/messages/${id}/contenu`,
    `/webmail/nouveau?transferer=${id}`,
  ]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page introuvable');
    await expect(page.locator('body')).not.toContainText('confidentiel');
  }
  const row = await e2eDb().message.findFirstOrThrow({ where: { id: BigInt(id) } });
  expect(row.seen).toBe(false);
});

test('a message’s content opened alone in a tab is still sandboxed, its links inert, its images labelled', async ({
  page,
}, testInfo) => {
  const [ines] = await newDomain('colloque', 'ines');
  await deliver({
    to: ines,
    subject: 'Programme du colloque',
    text: 'Programme du colloque',
    headers: { 'Content-Language': 'fr-CA' },
    html: `<p><a href="#programme">Aller au programme</a> · <a href="../../reception">Voir en ligne</a> ·
      <a href="https://colloque.example/">Site du colloque</a></p>
      <p><img src="https://colloque.example/logo.png" alt="Logo du colloque" width="300" height="80">
      <img src="https://colloque.example/pixel.gif" width="1" height="1"></p>
      <h2><a name="programme">Programme</a></h2><p>9 h : accueil.</p>`,
  });
  await signIn(page, ines!);
  await page.getByRole('link', { name: 'Programme du colloque' }).click();
  const frame = page.frameLocator('iframe.message-frame');
  await expect(frame.getByText('Aller au programme')).toBeVisible();
  // The page's Permissions-Policy, as the browser reads it: no camera, no geolocation.
  const allowed = await page.evaluate(() => {
    const { featurePolicy } = document as unknown as { featurePolicy: { allowsFeature(f: string): boolean } };
    return ['camera', 'geolocation', 'microphone'].filter((feature) => featurePolicy.allowsFeature(feature));
  });
  expect(allowed).toEqual([]);

  // The fragment link that used to open the content alone in a new tab is now only text.
  const tabs: Page[] = [];
  page.context().on('page', (opened) => tabs.push(opened));
  await frame.getByText('Aller au programme').click();
  await page.waitForTimeout(500);
  expect(tabs).toEqual([]);

  // Opened alone anyway, as a new tab or a pasted URL would: signed in, yet sandboxed by its own policy.
  const src = await page.locator('iframe.message-frame').getAttribute('src');
  const tab = await page.context().newPage();
  const response = await tab.goto(src!);
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-security-policy']).toMatch(
    /; sandbox allow-popups allow-popups-to-escape-sandbox$/,
  );
  await expect(tab.getByText('9 h : accueil.')).toBeVisible();
  expect(await tab.evaluate(() => self.origin)).toBe('null');
  const cookie = await tab.evaluate(() => {
    try {
      return `read: ${document.cookie}`;
    } catch (error) {
      return `threw: ${(error as Error).name}`;
    }
  });
  expect(cookie).toMatch(/^(threw: SecurityError|read: )$/);
  await expect(tab.locator('html')).toHaveAttribute('lang', 'fr-CA');

  for (const text of ['Aller au programme', 'Voir en ligne']) {
    await expect(tab.getByText(text, { exact: true })).not.toHaveAttribute('href');
  }
  await expect(tab.locator('a[name="programme"]')).not.toHaveAttribute('href');
  await expect(tab.locator('a[href]')).toHaveCount(1);
  await expect(tab.getByRole('link')).toHaveText(['Site du colloque']);

  const placeholders = tab.locator('.blocked-image');
  await expect(placeholders).toHaveText(['Logo du colloque', 'Image bloquée']);
  await expect(placeholders.first()).toBeVisible();
  await expect(placeholders.last()).toBeVisible();
  await expect(tab.locator('img:not([src])')).toHaveCount(0);
  await expect(tab.locator('img')).toHaveCount(0);
  await keepScreenshot(tab, testInfo, 'webmail-message-content-alone');
  await tab.close();
});
