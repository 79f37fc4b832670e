import type { Db } from '../db/client.ts';
import type { MessageKey } from '../i18n/index.ts';
import { recordAudit } from './audit.ts';
import { addressOf } from './mailboxes.ts';
import { domainForDisplay, normalizeDomainName } from './names.ts';
import { availableParallelism } from 'node:os';
import { hashPassword, needsRehash, verifyAgainstNothing, verifyPassword } from './passwords.ts';
import { ok, refuse, type Result } from '../core/result.ts';

// An unknown account and a wrong password get the same refusal, after the same work (an argon2
// verification either way), so neither the message nor the timing tells whether an account exists.

/**
 * At most this many argon2 computations at once (each takes a core for tens of milliseconds on
 * libuv's threadpool): all cores but one, so that a burst of sign-ins leaves the event loop a core
 * and every other page keeps its latency. The others wait their turn, in order.
 */
export const MAX_CONCURRENT_HASHES = Math.max(1, availableParallelism() - 1);
let hashing = 0;
const waiting: (() => void)[] = [];

/** Runs fn once fewer than MAX_CONCURRENT_HASHES argon2 computations are running. */
async function hashSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (hashing >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waiting.push(resolve));
  else hashing++;
  try {
    return await fn();
  } finally {
    // The slot passes straight to the next in line, if any.
    const next = waiting.shift();
    if (next) next();
    else hashing--;
  }
}

/** Failed sign-ins an account may have in SIGN_IN_WINDOW_MS before further attempts are refused. */
export const SIGN_IN_MAX_FAILURES = 10;
/** How long a failure counts against its account. */
export const SIGN_IN_WINDOW_MS = 15 * 60_000;

/** The key failures are counted under: a normalised account, else the typed text (made storable). */
function accountKey(normalised: string | null, typed: string): string {
  return normalised ?? typed.slice(0, 200).replace(/\0/g, '\uFFFD');
}

/**
 * Opens an attempt on an account: records it as a failure first, then counts the account's recent
 * failures, so parallel attempts cannot all slip under the limit. Returns the row's id, or null
 * when the account has had too many failures lately (the attempt is then not counted, so the
 * refusal window ends SIGN_IN_WINDOW_MS after the failures, however long someone keeps trying).
 */
async function openAttempt(db: Db, account: string): Promise<bigint | null> {
  const { id } = await db.signInFailure.create({ data: { account }, select: { id: true } });
  const since = new Date(Date.now() - SIGN_IN_WINDOW_MS);
  const recent = await db.signInFailure.count({ where: { account, at: { gte: since } } });
  if (recent <= SIGN_IN_MAX_FAILURES) return id;
  await db.signInFailure.delete({ where: { id } });
  return null;
}

/** A successful attempt is no failure; the account's other failures stay until they age out. */
async function closeAttempt(db: Db, id: bigint) {
  await db.signInFailure.deleteMany({ where: { id } });
}

/** Deletes failures older than the counting window. */
export async function pruneSignInFailures(db: Db): Promise<number> {
  const { count } = await db.signInFailure.deleteMany({
    where: { at: { lt: new Date(Date.now() - SIGN_IN_WINDOW_MS) } },
  });
  return count;
}

async function refuseAttempt(
  db: Db,
  kind: 'admin' | 'mailbox',
  account: string,
  clientAddress: string,
  domainId: number | null,
  message: MessageKey,
  field: string,
  door: MailDoor = 'webmail',
) {
  const action = `signin.${door === 'webmail' ? kind : door}.failure`;
  await recordAudit(db, { actor: `${kind}:${account}`, clientAddress }, action, account, domainId);
  return refuse(message === 'signIn.errors.throttled' ? 'tooMany' : 'unauthorized', message, undefined, field);
}

/** Signs a domain administrator in by domain name and password. */
export async function signInAdmin(
  db: Db,
  input: { domain: string; password: string },
  clientAddress: string,
): Promise<Result<{ domainId: number; domain: string }>> {
  const name = normalizeDomainName(input.domain);
  const account = accountKey(name, input.domain);
  const attempt = await openAttempt(db, `admin:${account}`);
  if (attempt === null) {
    return refuseAttempt(db, 'admin', account, clientAddress, null, 'signIn.errors.throttled', 'username');
  }
  const domain = name ? await db.domain.findUnique({ where: { name } }) : null;
  const valid = domain
    ? await hashSlot(() => verifyPassword(domain.adminPasswordHash, input.password))
    : await hashSlot(() => verifyAgainstNothing(input.password));
  if (!domain || !valid) {
    return refuseAttempt(
      db,
      'admin',
      account,
      clientAddress,
      domain?.id ?? null,
      'signIn.errors.adminInvalid',
      'username',
    );
  }
  await closeAttempt(db, attempt);
  // Only someone who knows the password learns that the domain is suspended, and whom to call.
  if (domain.state !== 'active') {
    return refuseAttempt(db, 'admin', account, clientAddress, domain.id, 'signIn.errors.suspended', 'username');
  }
  if (needsRehash(domain.adminPasswordHash)) {
    await db.domain.update({
      where: { id: domain.id },
      data: { adminPasswordHash: await hashSlot(() => hashPassword(input.password)) },
    });
  }
  await recordAudit(
    db,
    { actor: `admin:${domain.name}`, clientAddress },
    'signin.admin.success',
    domain.name,
    domain.id,
  );
  return ok({ domainId: domain.id, domain: domain.name });
}

/** The doors a mailbox user signs in at: the webmail, and mail programs' IMAP and submission. */
export type MailDoor = 'webmail' | 'imap' | 'submission';

/**
 * Signs a mailbox user in by full address and password, at the webmail or a mail program's door:
 * the same throttle, the same work for an unknown account, audited by door. Only a webmail
 * sign-in counts as the account's "last webmail sign-in".
 */
export async function signInMailbox(
  db: Db,
  input: { address: string; password: string },
  clientAddress: string,
  door: MailDoor = 'webmail',
): Promise<Result<{ id: number; domainId: number; address: string }>> {
  const at = input.address.lastIndexOf('@');
  const localPart = at > 0 ? input.address.slice(0, at).trim().toLowerCase() : '';
  const name = at > 0 ? normalizeDomainName(input.address.slice(at + 1)) : null;
  // No mailbox has a name of more than 64 characters (or a NUL), so such input is only counted.
  const known = name && /^[^\0]{1,64}$/.test(localPart) ? addressOf(localPart, name) : null;
  const account = accountKey(known, input.address);
  const attempt = await openAttempt(db, `mailbox:${account}`);
  if (attempt === null) {
    return refuseAttempt(db, 'mailbox', account, clientAddress, null, 'signIn.errors.throttled', 'address', door);
  }
  const mailbox =
    known && name
      ? await db.mailbox.findFirst({ where: { localPart, domain: { name } }, include: { domain: true } })
      : null;
  const valid = mailbox
    ? await hashSlot(() => verifyPassword(mailbox.passwordHash, input.password))
    : await hashSlot(() => verifyAgainstNothing(input.password));
  if (!mailbox || !valid) {
    return refuseAttempt(
      db,
      'mailbox',
      account,
      clientAddress,
      mailbox?.domainId ?? null,
      'signIn.errors.mailboxInvalid',
      'address',
      door,
    );
  }
  await closeAttempt(db, attempt);
  if (mailbox.domain.state !== 'active') {
    return refuseAttempt(
      db,
      'mailbox',
      account,
      clientAddress,
      mailbox.domainId,
      'signIn.errors.suspended',
      'address',
      door,
    );
  }
  const address = addressOf(mailbox.localPart, mailbox.domain.name);
  const rehash = needsRehash(mailbox.passwordHash)
    ? { passwordHash: await hashSlot(() => hashPassword(input.password)) }
    : {};
  if (door === 'webmail' || 'passwordHash' in rehash) {
    await db.mailbox.update({
      where: { id: mailbox.id },
      data: { ...(door === 'webmail' ? { lastSignInAt: new Date() } : {}), ...rehash },
    });
  }
  await recordAudit(
    db,
    { actor: `mailbox:${address}`, clientAddress },
    `signin.${door === 'webmail' ? 'mailbox' : door}.success`,
    address,
    mailbox.domainId,
  );
  return ok({ id: mailbox.id, domainId: mailbox.domainId, address });
}

// The two reads below run on every signed-in page: plain SELECTs on a primary key, through
// $queryRaw (no query compilation) and, for a mailbox, one join instead of two queries.

/** The signed-in administrator's domain, read afresh: null once it is gone or suspended. */
export async function getSignedInDomain(db: Db, domainId: number) {
  const rows = await db.$queryRaw<{ id: number; name: string; mailboxQuota: number; createdAt: Date }[]>`
    SELECT id, name, mailbox_quota AS "mailboxQuota", created_at AS "createdAt"
    FROM domains WHERE id = ${domainId} AND state = 'active'`;
  const domain = rows[0];
  return domain ? { ...domain, state: 'active' as const, display: domainForDisplay(domain.name) } : null;
}

/** The signed-in webmail user's mailbox, read afresh: null once it is deleted or its domain suspended. */
export async function getSignedInMailbox(db: Db, mailboxId: number) {
  const rows = await db.$queryRaw<{ id: number; domainId: number; localPart: string; domain: string }[]>`
    SELECT m.id, m.domain_id AS "domainId", m.local_part AS "localPart", d.name AS domain
    FROM mailboxes m JOIN domains d ON d.id = m.domain_id
    WHERE m.id = ${mailboxId} AND d.state = 'active'`;
  const mailbox = rows[0];
  if (!mailbox) return null;
  return {
    id: mailbox.id,
    domainId: mailbox.domainId,
    localPart: mailbox.localPart,
    address: addressOf(mailbox.localPart, mailbox.domain),
    domain: mailbox.domain,
    displayAddress: addressOf(mailbox.localPart, domainForDisplay(mailbox.domain)),
  };
}
