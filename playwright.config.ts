import { defineConfig } from '@playwright/test';

// scripts/test.ts provides E2E_DATABASE_URL (a migrated database of its own) and free ports.
const port = Number(process.env.E2E_PORT ?? 3900);
const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 3925);

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: 1,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    locale: 'fr-CA',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium by default; CHROMIUM_PATH= (empty) uses Playwright's own browser where installed.
      executablePath: process.env.CHROMIUM_PATH === '' ? undefined : (process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  webServer: {
    command: 'node --import tsx src/server.ts',
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? '',
      PORT: String(port),
      SMTP_PORT: String(smtpPort),
      SUBMISSION_PORT: process.env.E2E_SUBMISSION_PORT ?? '0',
      SUBMISSIONS_PORT: process.env.E2E_SUBMISSIONS_PORT ?? '0',
      LOG_LEVEL: 'warn',
      SESSION_SECRET: 'e2e-secret-e2e-secret-e2e-secret-e2e',
      // One browser on 127.0.0.1 plays every user: per-client limits are tested in test/rate-limit.test.ts.
      RATE_LIMIT: '100000',
      SIGN_IN_RATE_LIMIT: '100000',
    },
  },
});
