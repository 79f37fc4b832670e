import { expect, test, type Page } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { OPERATOR } from '../src/accounts/audit.ts';
import { addDomain } from '../src/accounts/domains.ts';
import { createMailbox } from '../src/accounts/mailboxes.ts';
import { checkScreen, e2eDb } from './helpers.ts';

// The guide's steps, in order, by role and label. With UPDATE_SCREENSHOTS=1 the key screens are
// also written to docs/screenshots/ for the README (normal runs keep them as test artifacts only).

const ADMIN_PASSWORD = 'un mot de passe solide';
const MAILBOX_PASSWORD = 'cheval agrafe pile correcte';

/** A domain of the test's own, with the mailboxes named, provisioned as the operator would. */
async function newDomain(prefix: string, quota = 15, mailboxes: string[] = []) {
  const name = `${prefix}-${randomBytes(3).toString('hex')}.ca`;
  const added = await addDomain(e2eDb(), { name, quota, password: ADMIN_PASSWORD }, OPERATOR);
  expect(added.ok).toBe(true);
  const domain = await e2eDb().domain.findUniqueOrThrow({ where: { name } });
  for (const local of mailboxes) {
    const made = await createMailbox(e2eDb(), domain, { name: local, password: MAILBOX_PASSWORD }, OPERATOR);
    expect(made.ok).toBe(true);
  }
  return name;
}

/** Signs in from the administrator sign-in page with the labels of the guide. */
async function signIn(
  page: Page,
  domain: string,
  labels = { user: "Nom d'utilisateur", submit: 'Ouvrir une session' },
) {
  await page.goto('/admin/connexion');
  await page.getByLabel(labels.user).fill(domain);
  await page.getByLabel(/^(Mot de passe|Password)$/).fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: labels.submit }).click();
}

const statusLine = (page: Page) => page.locator('p.status-line[role="status"]');

test('the guide’s journey in French: sign in, create an account, show it, delete it', async ({ page }, testInfo) => {
  const domain = await newDomain('boulangerie', 15, ['jeanne', 'paul']);

  await page.goto('/');
  await checkScreen(page, testInfo, 'home');
  await page.getByRole('link', { name: 'Mes comptes' }).click();
  await checkScreen(page, testInfo, 'mes-comptes');
  await page.getByRole('link', { name: 'Gestion des comptes de courriel' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ouverture de session de l’administrateur');
  await checkScreen(page, testInfo, 'admin-sign-in', { forDocs: true });
  await page.getByLabel("Nom d'utilisateur").fill(domain);
  await page.getByLabel('Mot de passe').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Ouvrir une session' }).click();

  const menu = page.getByRole('navigation', { name: 'Administration du domaine' });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Domaine');
  await expect(menu.getByRole('link', { name: 'Domaine' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByText(domain).first()).toBeVisible();
  await checkScreen(page, testInfo, 'admin-domain', { forDocs: true });

  await menu.getByRole('link', { name: 'Courriel' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Courriel');
  await checkScreen(page, testInfo, 'admin-email');
  await page
    .getByRole('navigation', { name: 'Menu Courriel' })
    .getByRole('link', { name: 'Configuration Easymail' })
    .click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Configuration Easymail');
  await expect(statusLine(page)).toHaveText('13 comptes de courriel disponibles sur une possibilité de 15');
  await checkScreen(page, testInfo, 'admin-easymail');

  await page.getByRole('button', { name: 'Créer' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Créer un compte de courriel');
  await expect(page.getByText(`@${domain}`, { exact: true })).toBeVisible();
  await checkScreen(page, testInfo, 'admin-create');
  await page.getByLabel("Nom d'utilisateur").fill('luc');
  await page.getByLabel('Mot de passe').fill(MAILBOX_PASSWORD);
  await page.getByRole('button', { name: 'OK' }).click();

  const address = `luc@${domain}`;
  const accounts = page.getByRole('group', { name: 'Sélectionner un compte' });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Configuration Easymail');
  await expect(accounts.getByRole('radio', { name: address })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'a été créé' })).toHaveText(
    `Le compte de courriel ${address} a été créé.`,
  );
  await expect(statusLine(page)).toHaveText('12 comptes de courriel disponibles sur une possibilité de 15');
  await checkScreen(page, testInfo, 'admin-easymail-accounts', { forDocs: true });

  await accounts.getByRole('radio', { name: address }).check();
  await page.getByRole('button', { name: 'Afficher' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Compte de courriel ${address}`);
  await expect(page.getByText('jamais')).toBeVisible();
  await expect(page.getByText('0 octet sur 1 Go')).toBeVisible();
  await expect(page.getByText(/ne peuvent pas être affichés/)).toBeVisible();
  await checkScreen(page, testInfo, 'admin-account', { forDocs: true });

  await page.goBack();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Configuration Easymail');
  await accounts.getByRole('radio', { name: address }).check();
  await page.getByRole('button', { name: 'Supprimer' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Supprimer un compte de courriel');
  await expect(page.getByText(`Supprimer le compte de courriel ${address} ?`)).toBeVisible();
  await expect(page.getByText(/Tout son courriel sera supprimé/)).toBeVisible();
  await checkScreen(page, testInfo, 'admin-delete', { forDocs: true });
  await page.getByRole('button', { name: 'OK' }).click();

  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Configuration Easymail');
  await expect(accounts.getByRole('radio', { name: address })).toHaveCount(0);
  await expect(accounts.getByRole('radio')).toHaveCount(2);
  await expect(statusLine(page)).toHaveText('13 comptes de courriel disponibles sur une possibilité de 15');
  await expect(page.getByRole('status').filter({ hasText: 'supprimé' })).toHaveText(
    `Le compte de courriel ${address} a été supprimé.`,
  );
  await checkScreen(page, testInfo, 'admin-easymail-after-delete');

  await page.getByRole('link', { name: 'Hébergement Web' }).click();
  await expect(page.getByText(/ne fait pas partie de cette offre/)).toBeVisible();
  await checkScreen(page, testInfo, 'admin-hosting');
  await page.getByRole('link', { name: 'Sécurité' }).click();
  await expect(page.getByLabel('Mot de passe actuel')).toBeVisible();
  await checkScreen(page, testInfo, 'admin-security');
  await page.getByRole('button', { name: 'Fermer la session' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mes comptes');
  await page.goto('/admin/courriel/configuration');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ouverture de session de l’administrateur');
});

test('the same journey in English', async ({ browser }, testInfo) => {
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  const domain = await newDomain('bakery', 15, ['jane', 'paul']);

  await page.goto('/');
  await page.getByRole('link', { name: 'My accounts' }).click();
  await page.getByRole('link', { name: 'Email account management' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Administrator sign-in');
  await checkScreen(page, testInfo, 'en-admin-sign-in');
  await page.getByLabel('User name').fill(domain);
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();

  const menu = page.getByRole('navigation', { name: 'Domain administration' });
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Domain');
  await checkScreen(page, testInfo, 'en-admin-domain');
  await menu.getByRole('link', { name: 'Email' }).click();
  await page
    .getByRole('navigation', { name: 'Email menu' })
    .getByRole('link', { name: 'Easymail configuration' })
    .click();
  await expect(statusLine(page)).toHaveText('13 email accounts available out of 15');
  await checkScreen(page, testInfo, 'en-admin-easymail');

  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByLabel('User name').fill('luke');
  await page.getByLabel('Password').fill(MAILBOX_PASSWORD);
  await checkScreen(page, testInfo, 'en-admin-create');
  await page.getByRole('button', { name: 'OK' }).click();

  const address = `luke@${domain}`;
  const accounts = page.getByRole('group', { name: 'Select an account' });
  await expect(accounts.getByRole('radio', { name: address })).toBeVisible();
  await expect(statusLine(page)).toHaveText('12 email accounts available out of 15');
  await accounts.getByRole('radio', { name: address }).check();
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Email account ${address}`);
  await expect(page.getByText('0 bytes of 1 GB')).toBeVisible();
  await checkScreen(page, testInfo, 'en-admin-account');
  await page.goBack();
  await accounts.getByRole('radio', { name: address }).check();
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText(`Delete the email account ${address}?`)).toBeVisible();
  await checkScreen(page, testInfo, 'en-admin-delete');
  await page.getByRole('button', { name: 'OK' }).click();
  await expect(accounts.getByRole('radio', { name: address })).toHaveCount(0);
  await expect(statusLine(page)).toHaveText('13 email accounts available out of 15');
  await context.close();
});

test('each refusal is one sentence next to its field, and nothing is created', async ({ page }, testInfo) => {
  const domain = await newDomain('quincaillerie', 15, ['jeanne']);

  await page.goto('/admin/connexion');
  await page.getByLabel("Nom d'utilisateur").fill(domain);
  await page.getByLabel('Mot de passe').fill('pas le bon mot de passe');
  await page.getByRole('button', { name: 'Ouvrir une session' }).click();
  await expect(page.getByRole('alert')).toHaveText("Nom d'utilisateur ou mot de passe invalide.");
  await expect(page.getByLabel("Nom d'utilisateur")).toHaveValue(domain);
  await expect(page.getByLabel('Mot de passe')).toHaveValue('');
  await checkScreen(page, testInfo, 'admin-sign-in-refused');

  await page.getByLabel('Mot de passe').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Ouvrir une session' }).click();
  await page.goto('/admin/courriel/configuration');
  await page.getByRole('button', { name: 'Supprimer' }).click();
  await expect(page.getByRole('alert')).toHaveText('Sélectionnez d’abord un compte de courriel dans la liste.');
  await checkScreen(page, testInfo, 'admin-easymail-select-first');

  const cases: [string, string, string, string][] = [
    ['jean..ne', MAILBOX_PASSWORD, "Nom d'utilisateur", 'Le nom d’utilisateur doit compter de 1 à 64 caractères'],
    ['JEANNE', MAILBOX_PASSWORD, "Nom d'utilisateur", `L’adresse jeanne@${domain} existe déjà.`],
    ['postmaster', MAILBOX_PASSWORD, "Nom d'utilisateur", 'Ce nom est réservé. Choisissez-en un autre.'],
    ['marc', 'court', 'Mot de passe', 'Le mot de passe doit compter de 10 à 128 caractères.'],
    ['marc', 'password123', 'Mot de passe', 'Ce mot de passe est trop courant. Choisissez-en un autre.'],
  ];
  await page.getByRole('button', { name: 'Créer' }).click();
  for (const [name, password, field, sentence] of cases) {
    await page.getByLabel("Nom d'utilisateur").fill(name);
    await page.getByLabel('Mot de passe').fill(password);
    await page.getByRole('button', { name: 'OK' }).click();
    await expect(page.getByRole('alert')).toHaveCount(1);
    await expect(page.getByRole('alert')).toContainText(sentence);
    await expect(page.getByLabel(field)).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByLabel(field)).toHaveAccessibleDescription(new RegExp(sentence.replace(/[.?]/g, '\\$&')));
    await expect(page.getByLabel("Nom d'utilisateur")).toHaveValue(name);
    if (name === 'JEANNE') await checkScreen(page, testInfo, 'admin-create-refused', { forDocs: true });
  }
  await page.getByRole('button', { name: 'Annuler' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Configuration Easymail');
  await expect(page.getByRole('group', { name: 'Sélectionner un compte' }).getByRole('radio')).toHaveCount(1);
  await expect(statusLine(page)).toHaveText('14 comptes de courriel disponibles sur une possibilité de 15');

  // Nouveau mot de passe: a weak one is refused next to the field; a generated one is shown once.
  await page.getByRole('radio', { name: `jeanne@${domain}` }).check();
  await page.getByRole('button', { name: 'Afficher' }).click();
  await page.getByLabel('Nouveau mot de passe').fill('azerty');
  await page.getByRole('button', { name: 'Enregistrer ce mot de passe' }).click();
  await expect(page.getByRole('alert')).toHaveText('Le mot de passe doit compter de 10 à 128 caractères.');
  await expect(page.getByLabel('Nouveau mot de passe')).toHaveAttribute('aria-invalid', 'true');
  await checkScreen(page, testInfo, 'admin-account-password-refused');
  await page.getByRole('button', { name: 'Générer un mot de passe' }).click();
  await expect(page.getByRole('status')).toContainText('affiché une seule fois');
  await expect(page.locator('code.secret')).toHaveText(/^[A-Za-z0-9]{20}$/);
  await checkScreen(page, testInfo, 'admin-account-generated');
  await page.goto(page.url());
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Compte de courriel jeanne@${domain}`);
  await expect(page.locator('code.secret')).toHaveCount(0);

  // Sécurité: a wrong current password is refused next to its field.
  await page.getByRole('link', { name: 'Sécurité' }).click();
  await page.getByLabel('Mot de passe actuel').fill('pas le bon mot de passe');
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('un nouveau secret fort');
  await page.getByLabel('Confirmer le nouveau mot de passe').fill('un nouveau secret fort');
  await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
  await expect(page.getByRole('alert')).toHaveText('Le mot de passe actuel est incorrect.');
  await checkScreen(page, testInfo, 'admin-security-refused');
});

test('at the quota, Créer says the limit and the status line reads 0', async ({ page }, testInfo) => {
  const domain = await newDomain('fleuriste', 2, ['anne', 'berthe']);
  await signIn(page, domain);
  await page.goto('/admin/courriel/configuration');
  await expect(statusLine(page)).toHaveText('0 compte de courriel disponible sur une possibilité de 2');
  await page.getByRole('button', { name: 'Créer' }).click();
  await page.getByLabel("Nom d'utilisateur").fill('claire');
  await page.getByLabel('Mot de passe').fill(MAILBOX_PASSWORD);
  await page.getByRole('button', { name: 'OK' }).click();
  await expect(page.getByRole('alert')).toHaveText('La limite de 2 comptes de courriel est atteinte.');
  await expect(page.getByLabel("Nom d'utilisateur")).toHaveValue('claire');
  await checkScreen(page, testInfo, 'admin-create-quota');
  await page.getByRole('button', { name: 'Annuler' }).click();
  await expect(page.getByRole('group', { name: 'Sélectionner un compte' }).getByRole('radio')).toHaveCount(2);
  await expect(statusLine(page)).toHaveText('0 compte de courriel disponible sur une possibilité de 2');
});

test('Créer works with the keyboard alone, in a logical order, with a visible focus', async ({ page }, testInfo) => {
  const domain = await newDomain('librairie');
  await signIn(page, domain);
  await page.goto('/admin/courriel/creer');
  const name = page.getByLabel("Nom d'utilisateur");
  for (let i = 0; i < 20 && !(await name.evaluate((el) => el === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await expect(name).toBeFocused();
  const outline = await name.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');
  await page.keyboard.type('Marie');
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Mot de passe')).toBeFocused();
  await page.keyboard.type('court');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'OK' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Annuler' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert')).toHaveText('Le mot de passe doit compter de 10 à 128 caractères.');
  await checkScreen(page, testInfo, 'admin-create-keyboard');

  await page.getByLabel('Mot de passe').focus();
  await page.keyboard.type(MAILBOX_PASSWORD);
  await page.keyboard.press('Enter');
  const accounts = page.getByRole('group', { name: 'Sélectionner un compte' });
  await expect(accounts.getByRole('radio', { name: `marie@${domain}` })).toBeVisible();

  // Choosing the account and Supprimer, still without a mouse.
  await accounts.getByRole('radio', { name: `marie@${domain}` }).focus();
  await page.keyboard.press('Space');
  await page.getByRole('button', { name: 'Supprimer' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'OK' }).focus();
  await page.keyboard.press('Enter');
  await expect(accounts.getByRole('radio')).toHaveCount(0);
});

test('every admin screen fits a 360-pixel-wide phone without sideways scrolling', async ({ browser }, testInfo) => {
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'fr-CA' });
  const page = await phone.newPage();
  const domain = await newDomain('cordonnerie-du-quartier-saint-roch', 15, ['jeanne-marie.tremblay-gagnon']);
  const fits = async (what: string) => {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    // On failure, name the elements wider than their box, to show what to fix.
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('main *')]
        .filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible')
        .map((e) => e.tagName.toLowerCase() + (e.className ? `.${e.className}` : '')),
    );
    expect(overflow, `${what}: ${wide.join(', ')}`).toBeLessThanOrEqual(0);
  };
  await page.goto('/admin/connexion');
  await fits('sign-in');
  await signIn(page, domain);
  const id = (await e2eDb().mailbox.findFirstOrThrow({ where: { domain: { name: domain } } })).id;
  for (const path of [
    '/admin/domaine',
    '/admin/courriel',
    '/admin/courriel/configuration',
    '/admin/courriel/creer',
    `/admin/courriel/comptes/${id}`,
    `/admin/courriel/comptes/${id}/supprimer`,
    '/admin/hebergement-web',
    '/admin/securite',
  ]) {
    await page.goto(path);
    await fits(path);
  }
  await page.goto('/admin/courriel/creer');
  await page.getByLabel("Nom d'utilisateur").fill('jeanne-marie.tremblay-gagnon');
  await page.getByRole('button', { name: 'OK' }).click();
  await expect(page.getByRole('alert')).toHaveCount(1);
  await fits('Créer with a refusal');
  await page.goto('/admin/courriel/configuration');
  await checkScreen(page, testInfo, 'phone-admin-easymail');
  await phone.close();
});
