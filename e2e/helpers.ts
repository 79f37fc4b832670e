import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, type TestInfo } from '@playwright/test';
import { join } from 'node:path';
import { createDb, type Db } from '../src/db/client.ts';

let db: Db | undefined;
/** The database the server under test uses, for creating what a journey needs. */
export function e2eDb(): Db {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error('Run the browser tests through `npm test` (scripts/test.ts).');
  db ??= createDb(url, 2);
  return db;
}

/** Fails the test when axe finds any WCAG 2.x A/AA violation on the page as it is now (outside `exclude`). */
export async function expectAccessible(page: Page, exclude?: string) {
  const axe = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  const results = await (exclude ? axe.exclude(exclude) : axe).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, `axe violations on ${page.url()}`).toEqual([]);
}

/** Keeps a full-page screenshot of the screen as a test artifact. */
export async function keepScreenshot(page: Page, testInfo: TestInfo, name: string) {
  // Written into the test's folder under test-results/, which outlives the run whatever the reporter.
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
}

const DOCS_SCREENSHOTS = join(import.meta.dirname, '..', 'docs', 'screenshots');

/**
 * Checks the screen with axe and keeps its screenshot as a test artifact; a screen marked forDocs
 * is also written to docs/screenshots/ for the README when UPDATE_SCREENSHOTS=1.
 */
export async function checkScreen(
  page: Page,
  testInfo: TestInfo,
  name: string,
  { forDocs = false, exclude }: { forDocs?: boolean; exclude?: string } = {},
) {
  await expectAccessible(page, exclude);
  await keepScreenshot(page, testInfo, name);
  if (forDocs && process.env.UPDATE_SCREENSHOTS === '1') {
    await page.screenshot({ path: join(DOCS_SCREENSHOTS, `${name}.png`), fullPage: true });
  }
}
