import { SMTPServer, type SMTPServerAuthentication, type SMTPServerSession } from 'smtp-server';
import type { Config } from '../config.ts';
import type { Core } from '../core/index.ts';
import type { Logger } from '../core/logger.ts';
import type { Refusal } from '../core/result.ts';
import { MAX_RECIPIENTS } from '../mail/addresses.ts';
import { readMessage } from '../mail/mime.ts';
import { TLS_MIN_VERSION, type TlsSource } from '../tls.ts';
import { readMessageStream, receivedHeader } from './message-stream.ts';
import { honourOwnEnhancedCodes, reply } from './replies.ts';
import type { SmtpListener } from './inbound.ts';

const HOUR_MS = 60 * 60_000;
const DAY_MS = 24 * HOUR_MS;

/** Who signed in on a submission session, and where its recipients go. */
interface Submitter {
  id: number;
  domainId: number;
  address: string;
}
type Recipients = { local: Map<string, number>; outside: Set<string> };

/** The reply to a sign-in the core refused. */
function authReply(refusal: Refusal) {
  if (refusal.kind === 'tooMany') return reply(454, 'Too many failed sign-ins, try again later', '4.7.0');
  if (refusal.message === 'signIn.errors.suspended') {
    return reply(535, 'This domain is suspended: call technical support', '5.7.8');
  }
  return reply(535, 'Authentication credentials invalid', '5.7.8');
}

/**
 * Starts the submission listeners for mail programs: STARTTLS on SUBMISSION_PORT and implicit TLS
 * on SUBMISSIONS_PORT (0 turns either off). AUTH PLAIN or LOGIN with the full address and the
 * mailbox password, only over TLS; the envelope sender and the From: header must be that address;
 * per-account limits contain a stolen password. Local recipients get the message through
 * ingestMessage, others through the relay; nothing is filed in Envoyés (the program files its own).
 */
export async function startSubmissionServers({
  config,
  core,
  log,
  tls,
  socketTimeoutMs = 60_000,
}: {
  config: Config;
  core: Core;
  log: Logger;
  tls: TlsSource;
  /** How long a silent client is kept, a stalled TLS handshake included. */
  socketTimeoutMs?: number;
}): Promise<SmtpListener[]> {
  const listeners: SmtpListener[] = [];
  for (const [port, implicit] of [
    [config.submissionPort, false],
    [config.submissionsPort, true],
  ] as const) {
    if (port === 0) continue;
    listeners.push(await startSubmission({ config, core, log, tls, port, implicit, socketTimeoutMs }));
  }
  return listeners;
}

async function startSubmission({
  config,
  core,
  log,
  tls,
  port,
  implicit,
  socketTimeoutMs,
}: {
  config: Config;
  core: Core;
  log: Logger;
  tls: TlsSource;
  port: number;
  implicit: boolean;
  socketTimeoutMs: number;
}): Promise<SmtpListener> {
  const smtpLog = log.child({ subsystem: 'submission', port });
  const recipientsOf = new WeakMap<SMTPServerSession['envelope'], Recipients>();
  const submitter = (session: SMTPServerSession) => session.user as unknown as Submitter;
  const audit = (who: Submitter, session: SMTPServerSession, action: string, target: string) =>
    core.audit.recordAudit(
      { actor: `mailbox:${who.address}`, clientAddress: session.remoteAddress },
      action,
      target,
      who.domainId,
    );
  /** Counts one more for the account in a window; true while it stays within max (else audits the refusal). */
  const withinLimit = async (session: SMTPServerSession, what: string, windowMs: number, max: number) => {
    const who = submitter(session);
    const { current } = await core.counters.countRequest(`submission:${what}:${who.id}`, windowMs);
    if (current <= max) return true;
    if (current === max + 1) await audit(who, session, 'submission.limit', `${who.address} ${what} ${max}`);
    smtpLog.warn({ session: session.id, mailbox: who.id, what }, 'sending limit reached');
    return false;
  };

  const { key, cert } = tls.current();
  const server = new SMTPServer({
    name: config.mailHostname,
    banner: `${config.brandName} submission`,
    secure: implicit,
    key,
    cert,
    minVersion: TLS_MIN_VERSION,
    // A client that says nothing, or never finishes its TLS handshake, is let go.
    socketTimeout: socketTimeoutMs,
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: false,
    allowInsecureAuth: false, // 538 before STARTTLS
    authRequiredMessage: 'Authentication required: sign in with your address and password',
    disabledCommands: implicit ? ['STARTTLS'] : [],
    size: config.maxMessageBytes,
    rejectOversized: true,
    maxRecipients: MAX_RECIPIENTS,
    maxClients: 200,
    disableReverseLookup: true,
    closeTimeout: 10_000,
    hideENHANCEDSTATUSCODES: false,
    logger: false,

    onAuth(auth: SMTPServerAuthentication, session, callback) {
      const address = auth.username ?? '';
      core.accounts.signInMailbox({ address, password: auth.password ?? '' }, session.remoteAddress, 'submission').then(
        (result) => {
          if (!result.ok) {
            smtpLog.info(
              { session: session.id, remote: session.remoteAddress, outcome: result.kind },
              'sign-in refused',
            );
            return callback(authReply(result));
          }
          const { id, domainId, address: signedIn } = result.value;
          callback(null, { user: { id, domainId, address: signedIn } satisfies Submitter as never });
        },
        (error: unknown) => {
          smtpLog.error({ session: session.id, err: error }, 'sign-in failed');
          callback(reply(454, 'Temporary authentication failure', '4.7.0'));
        },
      );
    },

    onMailFrom(address, session, callback) {
      const who = submitter(session);
      if (address.address.toLowerCase() !== who.address) {
        return callback(reply(553, `Send as your own address, ${who.address}`, '5.7.1'));
      }
      withinLimit(session, 'messages', HOUR_MS, config.submissionMessagesPerHour).then(
        (ok) =>
          ok ? callback() : callback(reply(451, 'Sending limit reached for this hour: try again later', '4.7.1')),
        () => callback(reply(451, 'Temporary failure, try again later')),
      );
    },

    onRcptTo(address, session, callback) {
      const lookUp = async () => {
        if (!(await withinLimit(session, 'recipients', DAY_MS, config.submissionRecipientsPerDay))) {
          return reply(451, 'Recipient limit reached for today: try again tomorrow', '4.7.1');
        }
        const found = await core.mail.findRecipient(address.address);
        if (!found.ok) {
          if (found.kind === 'unavailable') return reply(451, 'Domain suspended, try again later', '4.2.1');
          if (found.message === 'mail.errors.outsideMailDisabled') {
            return reply(550, 'Mail to other domains is not enabled on this server', '5.7.1');
          }
          return reply(550, 'No such mailbox here', '5.1.1');
        }
        let recipients = recipientsOf.get(session.envelope);
        if (!recipients) recipientsOf.set(session.envelope, (recipients = { local: new Map(), outside: new Set() }));
        if (found.value.mailbox) recipients.local.set(address.address.toLowerCase(), found.value.mailbox.id);
        else recipients.outside.add(address.address);
        return null;
      };
      lookUp().then(
        (refused) => (refused ? callback(refused) : callback()),
        (error: unknown) => {
          smtpLog.error({ session: session.id, err: error }, 'recipient lookup failed');
          callback(reply(451, 'Temporary failure, try again later'));
        },
      );
    },

    onData(stream, session, callback) {
      const who = submitter(session);
      const deliver = async () => {
        const received = await readMessageStream(stream);
        if (received.sizeExceeded) return reply(552, 'Message too big');
        if (received.bareLineEnd) return reply(554, 'Bare CR or LF in message, use CRLF line ends');
        const body = Buffer.concat(received.chunks);
        // The From: check reads the header section alone: the whole message is parsed once, by ingest.
        const headerEnd = body.indexOf('\r\n\r\n');
        const from = await readMessage(headerEnd === -1 ? body : body.subarray(0, headerEnd + 4));
        const fromAddresses = from.fromAddresses.map((a) => a.toLowerCase());
        if (fromAddresses.length === 0 || fromAddresses.some((a) => a !== who.address)) {
          return reply(553, `The From: address must be your own, ${who.address}`, '5.7.1');
        }
        const recipients = recipientsOf.get(session.envelope) ?? { local: new Map(), outside: new Set() };
        const rcpts = session.envelope.rcptTo.map((r) => r.address);
        const raw = Buffer.concat([Buffer.from(receivedHeader(session, config.mailHostname, rcpts)), body]);
        const sent = await core.mail.submitMessage(
          { mailboxId: who.id, address: who.address },
          { local: [...new Set(recipients.local.values())], outside: [...recipients.outside] },
          raw,
          smtpLog,
        );
        if (!sent.ok) {
          smtpLog.info({ session: session.id, refusal: sent.message }, 'message refused');
          if (sent.kind === 'conflict') return reply(452, 'A recipient’s mailbox is full', '4.2.2');
          return reply(451, 'Temporary failure, try again later');
        }
        smtpLog.info({ session: session.id, size: raw.length, local: sent.value.deliveredIds.length }, 'message sent');
        return null;
      };
      deliver().then(
        (refused) => (refused ? callback(refused) : callback(null, 'Message accepted')),
        (error: unknown) => {
          smtpLog.error({ session: session.id, err: error }, 'sending a message failed');
          callback(reply(451, 'Temporary failure, try again later'));
        },
      );
    },
  });
  honourOwnEnhancedCodes(server, { 538: '5.7.11' });
  tls.onChange((material) =>
    server.updateSecureContext({ key: material.key, cert: material.cert, minVersion: TLS_MIN_VERSION }),
  );
  server.on('error', (error) => smtpLog.error({ err: error }, 'submission listener error'));

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, config.submissionHost, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  smtpLog.info({ host: config.submissionHost, port: bound, implicit }, 'submission listener ready');
  return { port: bound, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
