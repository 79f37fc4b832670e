import fp from 'fastify-plugin';
import type { Core } from '../core/index.ts';

/** How often expired sessions, sign-in failures and counters are deleted. */
export const MAINTENANCE_INTERVAL_MS = 10 * 60_000;

/** One maintenance loop per instance: deletes what has expired, now and then, never on a request. */
export default fp(
  async (app, { core }: { core: Core }) => {
    const maintain = () => {
      core.maintain().catch((error: unknown) => app.log.warn({ err: error }, 'maintenance failed'));
    };
    const timer = setInterval(maintain, MAINTENANCE_INTERVAL_MS);
    timer.unref();
    // Once at start too: messages stored before search existed become searchable at once.
    app.addHook('onReady', async () => void setTimeout(maintain, 1000).unref());
    app.addHook('onClose', async () => clearInterval(timer));
  },
  { name: 'maintenance' },
);
