import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Db } from '../../src/db/client.ts';

/**
 * The configuration tests run with: quiet logs, a fixed secret, the given database, and per-client
 * rate limits high enough that only test/rate-limit.test.ts (which sets them) ever meets them.
 */
export function testConfig(databaseUrl: string, overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({
      LOG_LEVEL: 'silent',
      SESSION_SECRET: 'test-secret-test-secret-test-secret!',
      DATABASE_URL: databaseUrl,
      RATE_LIMIT: '100000',
      SIGN_IN_RATE_LIMIT: '100000',
      // `trustProxy: true` in overrides stands for TRUST_PROXY=true, with what it implies.
      TRUST_PROXY: overrides.trustProxy ? 'true' : 'false',
    }),
    ...overrides,
  };
}

/** The app on a test database. */
export async function buildTestApp(
  db: Db,
  databaseUrl: string,
  overrides: Partial<Config> = {},
): Promise<FastifyInstance> {
  const app = await buildApp(testConfig(databaseUrl, overrides), db);
  await app.ready();
  return app;
}

/** A browser-like client over app.inject(): keeps cookies, reads the CSRF token from pages. */
export class Client {
  private cookies = new Map<string, string>();
  constructor(
    private readonly app: FastifyInstance,
    private readonly headers: Record<string, string> = {},
  ) {}

  private remember(response: LightMyRequestResponse) {
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const gone =
        cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() < Date.now()) || cookie.value === '';
      if (gone) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }

  cookie(name: string) {
    return this.cookies.get(name);
  }
  setCookie(name: string, value: string) {
    this.cookies.set(name, value);
  }
  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string) {
    const response = await this.app.inject({
      method: 'GET',
      url,
      headers: { ...this.headers, cookie: this.cookieHeader() },
    });
    this.remember(response);
    return response;
  }

  /** Posts a form as a browser would, with the CSRF token of the page at `from` (or `url`). */
  async post(url: string, fields: Record<string, string> | string, options: { from?: string; csrf?: boolean } = {}) {
    let body = typeof fields === 'string' ? fields : new URLSearchParams(fields).toString();
    if (options.csrf !== false) {
      const token = await this.csrfToken(options.from ?? url);
      body = `_csrf=${encodeURIComponent(token)}${body ? '&' + body : ''}`;
    }
    return this.raw('POST', url, body, { 'content-type': 'application/x-www-form-urlencoded' });
  }

  /** The CSRF token in the form of the page at url. */
  async csrfToken(url: string): Promise<string> {
    const page = await this.get(url);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    if (!token) throw new Error(`no CSRF token on ${url}`);
    return token;
  }

  /** Sends a body exactly as given, with the client's cookies (JSON, other content types). */
  async raw(method: 'POST' | 'GET', url: string, payload: string, headers: Record<string, string> = {}) {
    const response = await this.app.inject({
      method,
      url,
      payload,
      headers: { ...this.headers, cookie: this.cookieHeader(), ...headers },
    });
    this.remember(response);
    return response;
  }
}
