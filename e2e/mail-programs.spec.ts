import { expect, test, type Page } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { OPERATOR } from '../src/accounts/audit.ts';
import { addDomain } from '../src/accounts/domains.ts';
import { createMailbox } from '../src/accounts/mailboxes.ts';
import { checkScreen, e2eDb, keepScreenshot } from './helpers.ts';

// Logiciel de courriel: an employee finds what to type in a mail program, and downloads the Apple
// profile, with her password only when she asks and types it right; the administrator prints the
// same settings for her. Every screen is checked with axe and kept as a screenshot.

const PASSWORD = 'cheval agrafe pile correcte';
const ADMIN_PASSWORD = 'administrateur solide';

/** A domain of the test's own with one mailbox; returns the domain, the address and the mailbox id. */
async function newMailbox(prefix: string, local: string) {
  const name = `${prefix}-${randomBytes(3).toString('hex')}.ca`;
  expect((await addDomain(e2eDb(), { name, quota: 15, password: ADMIN_PASSWORD }, OPERATOR)).ok).toBe(true);
  const domain = await e2eDb().domain.findUniqueOrThrow({ where: { name } });
  const made = await createMailbox(e2eDb(), domain, { name: local, password: PASSWORD }, OPERATOR);
  expect(made.ok).toBe(true);
  return { domain: name, address: `${local}@${name}`, id: made.ok ? made.value.id : 0 };
}

async function webmailSignIn(
  page: Page,
  address: string,
  labels = ['Adresse de courriel', 'Mot de passe', 'Ouvrir une session'],
) {
  await page.goto('/webmail');
  await page.getByLabel(labels[0]!).fill(address);
  await page.getByLabel(labels[1]!, { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: labels[2] }).click();
}

const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

test('an employee finds her mail program settings and downloads the Apple profile', async ({ page }, testInfo) => {
  const { address } = await newMailbox('notaire', 'jeanne');
  await webmailSignIn(page, address);
  const nav = page.getByRole('navigation', { name: 'Courriel Web' });
  await nav.getByRole('link', { name: 'Logiciel de courriel' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Logiciel de courriel');
  await expect(nav.getByRole('link', { name: 'Logiciel de courriel' })).toHaveAttribute('aria-current', 'page');
  const incoming = page.getByRole('region', { name: 'Serveur de réception (IMAP)' });
  await expect(incoming).toContainText('localhost');
  await expect(incoming).toContainText('1993');
  await expect(incoming).toContainText('SSL/TLS');
  await expect(incoming).toContainText(address);
  await expect(incoming).toContainText('port 1143 avec STARTTLS');
  await expect(page.getByRole('region', { name: 'Serveur d’envoi (SMTP)' })).toContainText(
    process.env.E2E_SUBMISSIONS_PORT ?? '1465',
  );
  for (const program of [
    'Outlook (Windows)',
    'Mail sur le Mac',
    'iPhone et iPad',
    'Gmail sur Android',
    'Thunderbird',
  ]) {
    await expect(page.getByRole('heading', { level: 3, name: program })).toBeVisible();
  }
  await checkScreen(page, testInfo, 'webmail-mail-programs');

  // Without the password: the device asks for it while installing.
  const plain = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Télécharger le profil' }).click();
  const download = await plain;
  expect(download.suggestedFilename()).toBe(`${address}.mobileconfig`);
  const profile = await readFile((await download.path())!, 'utf8');
  expect(profile).toContain('<string>com.apple.mail.managed</string>');
  expect(profile).not.toContain('<key>IncomingPassword</key>');

  // A wrong password is refused next to its field, and nothing is downloaded.
  await page.getByRole('checkbox', { name: 'Inclure mon mot de passe' }).check();
  await page.getByLabel('Mot de passe de votre courriel').fill('pas le bon mot de passe');
  await page.getByRole('button', { name: 'Télécharger le profil avec mon mot de passe' }).click();
  await expect(page.getByText('Ce n’est pas le mot de passe de votre courriel. Tapez-le de nouveau.')).toBeVisible();
  await expect(page.getByLabel('Mot de passe de votre courriel')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Mot de passe de votre courriel')).toBeFocused();
  await expect(page.getByRole('checkbox', { name: 'Inclure mon mot de passe' })).toBeChecked();
  await checkScreen(page, testInfo, 'webmail-mail-programs-refused');

  await page.getByLabel('Mot de passe de votre courriel').fill(PASSWORD);
  const withPassword = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Télécharger le profil avec mon mot de passe' }).click();
  const second = await readFile((await (await withPassword).path())!, 'utf8');
  expect(second).toContain(`<key>IncomingPassword</key>\n<string>${PASSWORD}</string>`);
});

test('the mail program page reads well on a phone and in English, by keyboard', async ({ browser }, testInfo) => {
  const { address } = await newMailbox('atelier', 'paul');
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'en-CA' });
  const page = await phone.newPage();
  await webmailSignIn(page, address, ['Email address', 'Password', 'Sign in']);
  await page.getByRole('link', { name: 'Mail programs' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mail programs');
  await expect(page.getByRole('region', { name: 'Incoming server (IMAP)' })).toContainText('1993');
  await expect(page.getByRole('heading', { level: 3, name: 'Gmail on Android' })).toBeVisible();
  expect(await sideways(page)).toBeLessThanOrEqual(0);
  await checkScreen(page, testInfo, 'webmail-mail-programs-phone-en');
  // The keyboard reaches the profile: the link, then the box, then the password, then the button.
  await page.getByRole('link', { name: 'Download the profile' }).focus();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('checkbox', { name: 'Include my password' })).toBeFocused();
  await page.keyboard.press('Space');
  await expect(page.getByRole('checkbox', { name: 'Include my password' })).toBeChecked();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Your email password')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Download the profile with my password' })).toBeFocused();
  await phone.close();
});

test('the administrator prints the settings sheet from the account page', async ({ page }, testInfo) => {
  const { domain, address, id } = await newMailbox('comptable', 'luc');
  await page.goto('/admin/connexion');
  await page.getByLabel("Nom d'utilisateur").fill(domain);
  await page.getByLabel('Mot de passe').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Ouvrir une session' }).click();
  await page.goto(`/admin/courriel/comptes/${id}`);
  const sheet = page.getByRole('region', { name: 'Fiche pour l’employé : logiciel de courriel' });
  await expect(sheet).toContainText(address);
  await expect(sheet.getByRole('region', { name: 'Serveur de réception (IMAP)' })).toContainText('1993');
  await expect(sheet).toContainText('Imprimez cette page');
  await checkScreen(page, testInfo, 'admin-account-sheet');

  // Printed: the sheet alone, without the menus, the forms or the printing hint.
  await page.emulateMedia({ media: 'print' });
  await expect(sheet).toBeVisible();
  await expect(sheet.getByRole('region', { name: 'Serveur d’envoi (SMTP)' })).toBeVisible();
  await expect(page.getByRole('navigation').first()).toBeHidden();
  await expect(page.getByRole('heading', { name: 'Nouveau mot de passe' })).toBeHidden();
  await expect(page.getByText('Imprimez cette page')).toBeHidden();
  await keepScreenshot(page, testInfo, 'admin-account-sheet-print');
});
