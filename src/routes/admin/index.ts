import type { FastifyInstance } from 'fastify';
import { requireDomainAdmin } from '../../plugins/auth.ts';
import adminDomainRoutes from './domain.ts';
import adminEasymailRoutes from './easymail.ts';
import adminHostingRoutes from './hosting.ts';
import adminSecurityRoutes from './security.ts';
import adminSignInRoutes from './sign-in.ts';

/** The domain administrator's portal: sign-in, then every screen behind requireDomainAdmin. */
export default async function adminRoutes(app: FastifyInstance) {
  await app.register(adminSignInRoutes);
  await app.register(async (signedIn) => {
    signedIn.addHook('preHandler', requireDomainAdmin);
    await signedIn.register(adminDomainRoutes);
    await signedIn.register(adminEasymailRoutes);
    await signedIn.register(adminHostingRoutes);
    await signedIn.register(adminSecurityRoutes);
  });
}
