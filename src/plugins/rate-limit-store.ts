import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Db } from '../db/client.ts';

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

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

/** A @fastify/rate-limit store class on PostgreSQL (rate_limit_counters), shared by every instance. */
export function postgresRateLimitStore(db: Db): FastifyRateLimitStoreCtor {
  class PostgresRateLimitStore {
    constructor(private readonly prefix = 'all:') {}

    incr(key: string, callback: Callback, timeWindow: number) {
      countRequest(db, this.prefix + key, timeWindow).then(
        (result) => callback(null, result),
        (error: Error) => callback(error),
      );
    }

    // The plugin passes the route's merged settings, its route under routeInfo (not as typed).
    child(settings: object) {
      const route = (settings as { routeInfo?: { method?: unknown; url?: string } }).routeInfo;
      return new PostgresRateLimitStore(`${String(route?.method ?? '')}${route?.url ?? ''}:`);
    }
  }
  return PostgresRateLimitStore as unknown as FastifyRateLimitStoreCtor;
}
