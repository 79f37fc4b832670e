import { SMTPServer, type SMTPServerDataStream, type SMTPServerEnvelope } from 'smtp-server';
import type { Config } from '../config.ts';
import type { Core } from '../core/index.ts';
import type { Logger } from '../core/logger.ts';
import type { Refusal } from '../core/result.ts';
import { MAX_RECIPIENTS } from '../mail/addresses.ts';
import { TLS_MIN_VERSION, type TlsSource } from '../tls.ts';
import { readMessageStream, receivedHeader, returnPathHeader } from './message-stream.ts';
import { honourOwnEnhancedCodes, reply } from './replies.ts';

export interface SmtpListener {
  /** The port it listens on (the one chosen by the system when config.smtpPort is 0). */
  port: number;
  /** Stops accepting, lets transactions in flight finish (10 s at most). */
  close(): Promise<void>;
}

/** The reply to a refusal of the core, by its kind. */
function refusalReply(refusal: Refusal) {
  if (refusal.kind === 'notFound' && refusal.message === 'mail.errors.unknownRecipient') {
    return reply(550, 'No such mailbox here');
  }
  if (refusal.kind === 'unavailable') return reply(451, 'Domain suspended, try again later', '4.2.1');
  if (refusal.kind === 'conflict') return reply(452, 'Mailbox full');
  return reply(451, 'Temporary failure, try again later');
}

/**
 * Starts the SMTP listener that accepts mail for the active domains' mailboxes and nothing else,
 * and answers 250 only once the message is committed to the database.
 */
export async function startSmtpServer({
  config,
  core,
  log,
  tls,
}: {
  config: Config;
  core: Core;
  log: Logger;
  /** The mail ports' certificate: STARTTLS is offered, as internet MTAs expect; without it, not at all. */
  tls?: TlsSource;
}): Promise<SmtpListener> {
  const smtpLog = log.child({ subsystem: 'smtp' });
  const serverName = config.mailHostname;
  const certificate = tls ? { key: tls.current().key, cert: tls.current().cert, minVersion: TLS_MIN_VERSION } : {};
  // The mailbox ids accepted at RCPT, per transaction (smtp-server makes a new envelope for each).
  const accepted = new WeakMap<SMTPServerEnvelope, Map<string, number>>();

  const server = new SMTPServer({
    name: serverName,
    banner: config.brandName,
    authOptional: true,
    // No AUTH: this port only receives mail for hosted mailboxes; submission has ports of its own.
    disabledCommands: tls ? ['AUTH'] : ['STARTTLS', 'AUTH'],
    ...certificate,
    size: config.maxMessageBytes,
    rejectOversized: true, // 552 5.3.4 for a message over the limit, even without a SIZE declaration
    maxRecipients: MAX_RECIPIENTS, // 452 4.5.3 from the 101st
    maxClients: 200,
    disableReverseLookup: true, // DNS adds latency and nothing we use
    closeTimeout: 10_000,
    hideENHANCEDSTATUSCODES: false, // 550 5.1.1, 452 4.2.2, 451 4.3.0 ...
    logger: false,

    onRcptTo(address, session, callback) {
      const mailFrom = session.envelope.mailFrom;
      const declared = mailFrom && typeof mailFrom.args === 'object' ? Number(mailFrom.args.SIZE) || 0 : 0;
      core.mail.findDeliverableMailbox(address.address).then(
        (found) => {
          if (!found.ok) {
            smtpLog.info({ session: session.id, rcpt: address.address, refusal: found.message }, 'recipient refused');
            return callback(refusalReply(found));
          }
          const mailbox = found.value;
          const limit = BigInt(config.mailboxStorageBytes);
          if (mailbox.storageUsed >= limit || mailbox.storageUsed + BigInt(declared) > limit) {
            smtpLog.info({ session: session.id, mailbox: mailbox.id }, 'recipient refused: mailbox full');
            return callback(reply(452, 'Mailbox full, try again later'));
          }
          let recipients = accepted.get(session.envelope);
          if (!recipients) accepted.set(session.envelope, (recipients = new Map()));
          recipients.set(address.address.toLowerCase(), mailbox.id);
          callback();
        },
        (error: unknown) => {
          smtpLog.error({ session: session.id, err: error }, 'recipient lookup failed');
          callback(reply(451, 'Temporary failure, try again later'));
        },
      );
    },

    onData(stream: SMTPServerDataStream, session, callback) {
      const deliver = async () => {
        const received = await readMessageStream(stream);
        if (received.sizeExceeded) return reply(552, 'Message too big');
        if (received.bareLineEnd) {
          smtpLog.warn({ session: session.id, remote: session.remoteAddress }, 'message refused: bare CR or LF');
          return reply(554, 'Bare CR or LF in message, use CRLF line ends');
        }
        const byAddress = accepted.get(session.envelope) ?? new Map<string, number>();
        const rcpts = session.envelope.rcptTo.map((r) => r.address);
        const recipients = rcpts.flatMap((a) => byAddress.get(a.toLowerCase()) ?? []);
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const trace = returnPathHeader(mailFrom) + receivedHeader(session, serverName, rcpts);
        const raw = Buffer.concat([Buffer.from(trace), ...received.chunks]);
        const stored = await core.mail.ingestMessage({
          recipients,
          raw,
          folder: 'inbox',
          storageLimit: config.mailboxStorageBytes,
        });
        if (!stored.ok) {
          smtpLog.info({ session: session.id, refusal: stored.message }, 'message refused');
          return refusalReply(stored);
        }
        const ids = stored.value.map(String);
        smtpLog.info({ session: session.id, size: raw.length, recipients: ids.length, ids }, 'message stored');
        return `Message stored as ${ids[0]}`;
      };
      deliver().then(
        (answer) => (answer instanceof Error ? callback(answer) : callback(null, answer)),
        (error: unknown) => {
          smtpLog.error({ session: session.id, err: error }, 'storing a message failed');
          callback(reply(451, 'Temporary failure, try again later'));
        },
      );
    },
  });
  honourOwnEnhancedCodes(server);
  tls?.onChange(({ key, cert }) => server.updateSecureContext({ key, cert, minVersion: TLS_MIN_VERSION }));
  server.on('error', (error) => smtpLog.error({ err: error }, 'SMTP listener error'));

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(config.smtpPort, config.smtpHost, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.smtpPort;
  smtpLog.info({ host: config.smtpHost, port }, 'SMTP listener ready');
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
