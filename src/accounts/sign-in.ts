import type { Db } from '../db/client.ts';
import { recordAudit } from './audit.ts';
import { addressOf } from './mailboxes.ts';
import { normalizeDomainName } from './names.ts';
import { hashPassword, needsRehash, verifyAgainstNothing, verifyPassword } from './passwords.ts';
import { ok, refuse, type Result } from './result.ts';

// An unknown account and a wrong password get the same refusal, after the same work (an argon2
// verification either way), so neither the message nor the timing tells whether an account exists.

/** Signs a domain administrator in by domain name and password. */
export async function signInAdmin(
  db: Db,
  input: { domain: string; password: string },
  clientAddress: string,
): Promise<Result<{ domainId: number; domain: string }>> {
  const name = normalizeDomainName(input.domain);
  const domain = name ? await db.domain.findUnique({ where: { name } }) : null;
  const account = name ?? input.domain.slice(0, 100);
  const valid = domain
    ? await verifyPassword(domain.adminPasswordHash, input.password)
    : await verifyAgainstNothing(input.password);
  if (!domain || !valid || domain.state !== 'active') {
    await recordAudit(
      db,
      { actor: `admin:${account}`, clientAddress },
      'signin.admin.failure',
      account,
      domain?.id ?? null,
    );
    return refuse('signIn.errors.adminInvalid', undefined, 'username');
  }
  if (needsRehash(domain.adminPasswordHash)) {
    await db.domain.update({
      where: { id: domain.id },
      data: { adminPasswordHash: await hashPassword(input.password) },
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

/** Signs a mailbox user in by full address and password. */
export async function signInMailbox(
  db: Db,
  input: { address: string; password: string },
  clientAddress: string,
): Promise<Result<{ id: number; domainId: number; address: string }>> {
  const at = input.address.lastIndexOf('@');
  const localPart = at > 0 ? input.address.slice(0, at).trim().toLowerCase() : '';
  const name = at > 0 ? normalizeDomainName(input.address.slice(at + 1)) : null;
  const mailbox =
    name && localPart
      ? await db.mailbox.findFirst({ where: { localPart, domain: { name } }, include: { domain: true } })
      : null;
  const account = name && localPart ? addressOf(localPart, name) : input.address.slice(0, 200);
  const valid = mailbox
    ? await verifyPassword(mailbox.passwordHash, input.password)
    : await verifyAgainstNothing(input.password);
  if (!mailbox || !valid || mailbox.domain.state !== 'active') {
    await recordAudit(
      db,
      { actor: `mailbox:${account}`, clientAddress },
      'signin.mailbox.failure',
      account,
      mailbox?.domainId ?? null,
    );
    return refuse('signIn.errors.mailboxInvalid', undefined, 'address');
  }
  const address = addressOf(mailbox.localPart, mailbox.domain.name);
  await db.mailbox.update({
    where: { id: mailbox.id },
    data: {
      lastSignInAt: new Date(),
      ...(needsRehash(mailbox.passwordHash) ? { passwordHash: await hashPassword(input.password) } : {}),
    },
  });
  await recordAudit(
    db,
    { actor: `mailbox:${address}`, clientAddress },
    'signin.mailbox.success',
    address,
    mailbox.domainId,
  );
  return ok({ id: mailbox.id, domainId: mailbox.domainId, address });
}
