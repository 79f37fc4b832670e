import type { Db } from './client.ts';

/** True when the database answers. */
export async function pingDatabase(db: Db): Promise<boolean> {
  try {
    await db.$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}

/**
 * Counts one request for key in a fixed window and returns the new count and the milliseconds
 * left in the window. One atomic statement: concurrent requests on any instance never lose a count.
 */
export async function countRequest(db: Db, key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
  const rows = await db.$queryRaw<{ count: number; ttl: number }[]>`
    INSERT INTO rate_limit_counters AS c (key, count, reset_at)
    VALUES (${key}, 1, now() + ${windowMs} * interval '1 millisecond')
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN c.reset_at <= now() THEN 1 ELSE c.count + 1 END,
      reset_at = CASE WHEN c.reset_at <= now() THEN EXCLUDED.reset_at ELSE c.reset_at END
    RETURNING c.count, GREATEST(0, FLOOR(EXTRACT(EPOCH FROM (c.reset_at - now())) * 1000))::float8 AS ttl`;
  const row = rows[0];
  return { current: row?.count ?? 1, ttl: row?.ttl ?? windowMs };
}

/** Deletes counters whose window has ended. */
export async function pruneRateLimitCounters(db: Db): Promise<number> {
  const { count } = await db.rateLimitCounter.deleteMany({ where: { resetAt: { lt: new Date() } } });
  return count;
}
