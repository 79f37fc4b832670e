import fp from 'fastify-plugin';
import type { Core } from '../core/index.ts';

/** How often expired sessions, sign-in failures and counters are deleted. */
export const MAINTENANCE_INTERVAL_MS = 10 * 60_000;

/** One maintenance loop per instance: deletes what has expired, now and then, never on a request. */
export default fp(
  async (app, { core }: { core: Core }) => {
    const timer = setInterval(() => {
      core.maintain().catch((error: unknown) => app.log.warn({ err: error }, 'maintenance failed'));
    }, MAINTENANCE_INTERVAL_MS);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  },
  { name: 'maintenance' },
);
