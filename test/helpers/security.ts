import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { OPERATOR } from '../../src/accounts/audit.ts';
import { addDomain, findDomain } from '../../src/accounts/domains.ts';
import { createMailbox } from '../../src/accounts/mailboxes.ts';
import type { Db } from '../../src/db/client.ts';
import { ingestMessage } from '../../src/mail/ingest.ts';
import { moveToTrash } from '../../src/mail/store.ts';
import { Client } from './app.ts';

export const PASSWORD = 'correct horse battery staple';

/** Provisions a domain with PASSWORD as its administrator password; returns its row. */
export async function makeDomain(db: Db, name: string, quota = 15) {
  const added = await addDomain(db, { name, quota, password: PASSWORD }, OPERATOR);
  assert.ok(added.ok, `could not add ${name}`);
  const domain = await findDomain(db, name);
  assert.ok(domain);
  return domain;
}

/** Creates a mailbox with PASSWORD; returns its id and address. */
export async function makeMailbox(db: Db, domain: { id: number; name: string }, name: string) {
  const created = await createMailbox(db, domain, { name, password: PASSWORD }, OPERATOR);
  assert.ok(created.ok, `could not create ${name}@${domain.name}`);
  return created.value;
}

/** A client signed in as the domain's administrator. */
export async function adminClient(app: FastifyInstance, domain: string, headers: Record<string, string> = {}) {
  const client = new Client(app, headers);
  const response = await client.post('/admin/connexion', { username: domain, password: PASSWORD });
  assert.equal(response.statusCode, 303, `admin sign-in of ${domain} failed: ${response.statusCode}`);
  return client;
}

/** A client signed in to the webmail as the mailbox. */
export async function mailboxClient(app: FastifyInstance, address: string, headers: Record<string, string> = {}) {
  const client = new Client(app, headers);
  const response = await client.post('/webmail', { address, password: PASSWORD });
  assert.equal(response.statusCode, 303, `webmail sign-in of ${address} failed: ${response.statusCode}`);
  return client;
}

/** The session id inside a signed session cookie value, or null when the signature is wrong. */
export function sessionIdOf(app: FastifyInstance, cookieValue: string | undefined): string | null {
  if (!cookieValue) return null;
  const unsigned = app.unsignCookie(decodeURIComponent(cookieValue));
  return unsigned.valid ? unsigned.value : null;
}

/** The Set-Cookie header lines of a response. */
export function setCookies(response: LightMyRequestResponse): string[] {
  const header = response.headers['set-cookie'];
  return header === undefined ? [] : [header].flat();
}

/** Row counts of the tables a refused request must leave alone. */
export async function snapshot(db: Db) {
  const [domains, mailboxes, messages, audit, hashes] = await Promise.all([
    db.domain.count(),
    db.mailbox.count(),
    db.message.count(),
    db.auditEvent.count({ where: { NOT: { action: { startsWith: 'signin.' } } } }),
    db.$queryRaw<{ h: string }[]>`
      SELECT md5(coalesce(string_agg(admin_password_hash || state::text || mailbox_quota::text, ',' ORDER BY id), ''))
        || md5(coalesce((SELECT string_agg(password_hash || local_part, ',' ORDER BY id) FROM mailboxes), ''))
        || md5(coalesce((SELECT string_agg(folder_id::text || uid::text || seen::text || flagged::text, ',' ORDER BY id) FROM messages), '')) AS h
      FROM domains`,
  ]);
  return { domains, mailboxes, messages, audit, state: hashes[0]?.h };
}

/** Every route of the app as `METHOD /path/:param`, read from Fastify's own route tree. */
export function routeTable(app: FastifyInstance): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (\S+) \(([^)]+)\)$/.exec(line.trimEnd());
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    const path = stack.join('').replace(/^\/?/, '/');
    for (const method of match[3]!.split(', ')) if (method !== 'HEAD') routes.push(`${method} ${path}`);
  }
  return [...new Set(routes)].sort();
}

/** Stores a message in a mailbox (the attachments fixture: a PDF, an HTML file, a text file). */
export async function addMessage(db: Db, mailboxId: number, folder: 'inbox' | 'sent' | 'trash' = 'inbox') {
  const raw = await readFile(new URL('../fixtures/attachments.eml', import.meta.url));
  const stored = await ingestMessage(db, {
    recipients: [mailboxId],
    raw,
    folder: folder === 'trash' ? 'inbox' : folder,
    storageLimit: 1024 * 1024 * 1024,
  });
  assert.ok(stored.ok);
  const id = stored.value[0]!;
  if (folder === 'trash') assert.ok(await moveToTrash(db, mailboxId, id));
  return id;
}
