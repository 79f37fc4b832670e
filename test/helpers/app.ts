import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import type { Db } from '../../src/db/client.ts';

/** The configuration tests run with: quiet logs, a fixed secret, the given database. */
export function testConfig(databaseUrl: string, overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({
      LOG_LEVEL: 'silent',
      SESSION_SECRET: 'test-secret-test-secret-test-secret!',
      DATABASE_URL: databaseUrl,
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
      const page = await this.get(options.from ?? url);
      const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
      if (!token) throw new Error(`no CSRF token on ${options.from ?? url}`);
      body = `_csrf=${encodeURIComponent(token)}${body ? '&' + body : ''}`;
    }
    const response = await this.app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { ...this.headers, cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    this.remember(response);
    return response;
  }
}
