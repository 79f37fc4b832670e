import type { FastifyInstance } from 'fastify';
import { requireMailboxUser } from '../../plugins/auth.ts';
import webmailComposeRoutes from './compose.ts';
import webmailFolderRoutes from './folders.ts';
import webmailMailRoutes from './mail.ts';
import webmailMailProgramRoutes from './mail-programs.ts';
import webmailPasswordRoutes from './password.ts';
import webmailSignInRoutes from './sign-in.ts';

/** The webmail: sign-in, then every screen behind requireMailboxUser. */
export default async function webmailRoutes(app: FastifyInstance) {
  await app.register(webmailSignInRoutes);
  await app.register(async (signedIn) => {
    signedIn.addHook('preHandler', requireMailboxUser);
    await signedIn.register(webmailMailRoutes);
    await signedIn.register(webmailFolderRoutes);
    await signedIn.register(webmailPasswordRoutes);
    await signedIn.register(webmailMailProgramRoutes);
  });
  // Its own scope: multipart parsing, and the sign-in check before an upload is read.
  await app.register(webmailComposeRoutes);
}
