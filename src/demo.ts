import MailComposer from 'nodemailer/lib/mail-composer';
import { OPERATOR } from './accounts/audit.ts';
import { addDomain, findDomain } from './accounts/domains.ts';
import { createMailbox } from './accounts/mailboxes.ts';
import { generatePassword } from './accounts/passwords.ts';
import type { Db } from './db/client.ts';
import { ingestMessage } from './mail/ingest.ts';

export const DEMO_DOMAIN = 'monomdedomaine.ca';
export const DEMO_MAILBOX = 'jeanne';

/** The welcome message of the demo mailbox, in French and English. */
function welcomeMessage(address: string, brandName: string): Promise<Buffer> {
  const text = [
    `Bonjour Jeanne,`,
    ``,
    `Bienvenue dans votre courriel Web ${brandName}. Ce message est arrivé comme arrive tout courriel :`,
    `il est enregistré dans la Boîte de réception de ${address}.`,
    `Pour lire votre courriel sur votre téléphone, dans Outlook ou dans un autre logiciel, ouvrez`,
    `« Logiciel de courriel » dans le menu du courriel Web : tout ce qu’il faut taper y est, étape par étape.`,
    ``,
    `— L’équipe ${brandName}`,
    ``,
    `----------------------------------------------------------------------`,
    ``,
    `Hello Jeanne,`,
    ``,
    `Welcome to your ${brandName} webmail. This message arrived the way all mail does: it is stored`,
    `in the inbox of ${address}.`,
    `To read your mail on your phone, in Outlook or in another program, open "Logiciel de courriel"`,
    `(Mail programs) in the webmail's menu: everything to type is there, step by step.`,
    ``,
    `— The ${brandName} team`,
  ].join('\n');
  const composer = new MailComposer({
    from: { name: brandName, address: `postmaster@${DEMO_DOMAIN}` },
    to: address,
    subject: `Bienvenue / Welcome — ${brandName}`,
    text,
    newline: 'win',
  });
  return composer.compile().build();
}

/**
 * Provisions the demo domain on a database that holds no domain yet, with the mailbox jeanne
 * holding a welcome message; returns what to print once (both passwords), or nothing when the
 * database already has domains.
 */
export async function provisionDemo(
  db: Db,
  options: { storageLimit?: number; brandName?: string } = {},
): Promise<string[]> {
  if ((await db.domain.count()) > 0) return [];
  const added = await addDomain(db, { name: DEMO_DOMAIN, quota: 15 }, OPERATOR);
  if (!added.ok) return [];
  const lines = [
    `Demo domain ${DEMO_DOMAIN}: administrator user name "${DEMO_DOMAIN}", password ${added.value.password}`,
  ];
  const domain = await findDomain(db, DEMO_DOMAIN);
  const password = generatePassword();
  const mailbox = domain && (await createMailbox(db, domain, { name: DEMO_MAILBOX, password }, OPERATOR));
  if (!mailbox?.ok) return lines;
  await ingestMessage(db, {
    recipients: [mailbox.value.id],
    raw: await welcomeMessage(mailbox.value.address, options.brandName ?? 'Easymail'),
    folder: 'inbox',
    storageLimit: options.storageLimit ?? Number.MAX_SAFE_INTEGER,
  });
  lines.push(`Demo mailbox ${mailbox.value.address}: password ${password}`);
  return lines;
}
