import type { Db } from '../db/client.ts';
import type { Prisma } from '../generated/prisma/client.ts';

type Tx = Db | Prisma.TransactionClient;

/** Who did something and from where: `operator`, `admin:<domain>`, `mailbox:<address>`. */
export interface Actor {
  actor: string;
  clientAddress?: string | null;
}

export const OPERATOR: Actor = { actor: 'operator', clientAddress: 'cli' };

/** Records one audit event (inside the caller's transaction when given one). */
export async function recordAudit(
  db: Tx,
  who: Actor,
  action: string,
  target: string,
  domainId: number | null,
): Promise<void> {
  await db.auditEvent.create({
    data: { actor: who.actor, clientAddress: who.clientAddress ?? null, action, target, domainId },
  });
}

/** A domain's history, newest first. */
export async function listDomainHistory(db: Db, domainId: number, page: number, pageSize = 20) {
  const [events, total] = await Promise.all([
    db.auditEvent.findMany({
      where: { domainId },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      skip: (page - 1) * pageSize,
      take: pageSize,
    }),
    db.auditEvent.count({ where: { domainId } }),
  ]);
  return { events, total, pages: Math.max(1, Math.ceil(total / pageSize)) };
}
