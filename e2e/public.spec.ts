import { expect, test } from '@playwright/test';
import { checkScreen } from './helpers.ts';

test('the public pages lead to both sign-ins and to support, in French by default', async ({ page }, testInfo) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Petites entreprises');
  await checkScreen(page, testInfo, 'home');
  await page.getByRole('link', { name: 'Soutien technique' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Soutien technique' })).toBeVisible();
  await expect(page.getByRole('link', { name: '1 800 555-0199' })).toBeVisible();
  await checkScreen(page, testInfo, 'support');
  await page.goto('/');
  await page.getByRole('link', { name: 'Mes comptes' }).click();
  const section = page.getByRole('region', { name: 'Accès au courriel Web' });
  await expect(section.getByRole('link', { name: 'Gestion des comptes de courriel' })).toBeVisible();
  await expect(section.getByRole('link', { name: 'Ouverture de session' })).toBeVisible();
  await checkScreen(page, testInfo, 'my-accounts');
});

test('the language switch is remembered, and Accept-Language is honoured on a first visit', async ({ browser }) => {
  const english = await browser.newContext({ locale: 'en-US' });
  const page = await english.newPage();
  await page.goto('/mes-comptes');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('My accounts');
  await page.getByRole('button', { name: /Français/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mes comptes');
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Petites entreprises');
  await english.close();
});

test('the keyboard reaches the main links, and a phone-width page does not scroll sideways', async ({ browser }) => {
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await phone.newPage();
  await page.goto('/');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Aller au contenu' })).toBeFocused();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await phone.close();
});
