import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Everything the app reads from its environment, checked once at start-up. */
export interface Config {
  /** Unset: the embedded PostgreSQL under dataDir is used. */
  databaseUrl: string | undefined;
  host: string;
  port: number;
  smtpHost: string;
  smtpPort: number;
  /** Mail programs' doors, each on its port (0 turns it off): submission with STARTTLS and with implicit TLS. */
  submissionHost: string;
  submissionPort: number;
  submissionsPort: number;
  /** IMAP with STARTTLS and with implicit TLS (0 turns either off). */
  imapHost: string;
  imapPort: number;
  imapsPort: number;
  /** What one account may send through submission: a stolen password sends this much at most. */
  submissionMessagesPerHour: number;
  submissionRecipientsPerDay: number;
  sessionSecret: string;
  brandName: string;
  supportPhone: string;
  /** Unset: the page shows the default hours in the reader's language. */
  supportHours: string | undefined;
  webmailHost: string | undefined;
  logLevel: string;
  /** Served over HTTPS through a TLS-terminating proxy: Secure `__Host-` cookies, HSTS. */
  trustProxy: boolean;
  /** Which forwarding hops to believe for the client's address: Fastify's trustProxy option. */
  trustedProxies: number | string[] | false;
  production: boolean;
  dataDir: string;
  maxMessageBytes: number;
  mailboxStorageBytes: number;
  relayUrl: string | undefined;
  /** Requests a client address may make in a minute (static files aside): enough for 50 people behind one address. */
  rateLimit: number;
  /** Unset: the general rate limit is counted in each instance's memory. */
  redisUrl: string | undefined;
  /** The server's public name: banners, EHLO, the self-signed certificate. */
  mailHostname: string;
  /** The provider's certificate chain and key (PEM); unset, a self-signed certificate is made. */
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  /** Sign-in and password-change submissions a client address may make in 15 minutes, per form. */
  signInRateLimit: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads and checks the environment; throws ConfigError with one line per bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const text = (name: string, fallback: string) => env[name]?.trim() || fallback;
  const optional = (name: string) => env[name]?.trim() || undefined;
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}").`);
      return fallback;
    }
    return Number(raw);
  };

  const production = env.NODE_ENV === 'production';
  const dataDir = text('DATA_DIR', '.data');
  const databaseUrl = optional('DATABASE_URL');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgresql:// connection string.');
  }
  const relayUrl = optional('RELAY_URL');
  if (relayUrl && !/^smtps?:\/\//.test(relayUrl)) {
    problems.push('RELAY_URL must be an smtp:// or smtps:// URL.');
  }
  const redisUrl = optional('REDIS_URL');
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) {
    problems.push('REDIS_URL must be a redis:// or rediss:// URL.');
  }
  const tlsCertFile = optional('TLS_CERT_FILE');
  const tlsKeyFile = optional('TLS_KEY_FILE');
  if (Boolean(tlsCertFile) !== Boolean(tlsKeyFile)) {
    problems.push('TLS_CERT_FILE and TLS_KEY_FILE go together: set both, or neither for a self-signed certificate.');
  }
  for (const [name, file] of [
    ['TLS_CERT_FILE', tlsCertFile],
    ['TLS_KEY_FILE', tlsKeyFile],
  ] as const) {
    if (file && !existsSync(file)) problems.push(`${name} names a file that does not exist: ${file}`);
  }
  const mailHostname = text('MAIL_HOSTNAME', 'localhost').toLowerCase();
  if (
    !/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(mailHostname)
  ) {
    problems.push(`MAIL_HOSTNAME must be a host name such as mail.example.net (got "${mailHostname}").`);
  }
  const logLevel = text('LOG_LEVEL', 'info');
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}").`);
  }
  const trustProxy = text('TRUST_PROXY', 'false');
  const trustedProxies = parseTrustedProxies(trustProxy);
  if (trustedProxies === null) {
    problems.push(
      `TRUST_PROXY must be false, true (one proxy), a number of proxies, or their addresses separated by commas (got "${trustProxy}").`,
    );
  }

  const sessionSecret = optional('SESSION_SECRET');
  if (sessionSecret && sessionSecret.length < 32) {
    problems.push('SESSION_SECRET must be at least 32 characters long.');
  } else if (!sessionSecret && production) {
    problems.push('SESSION_SECRET is required when NODE_ENV=production (at least 32 characters).');
  }

  const config: Config = {
    databaseUrl,
    host: text('HOST', '127.0.0.1'),
    port: integer('PORT', 3000, 0, 65535),
    smtpHost: text('SMTP_HOST', '127.0.0.1'),
    smtpPort: integer('SMTP_PORT', 2525, 0, 65535),
    submissionHost: text('SUBMISSION_HOST', '127.0.0.1'),
    submissionPort: integer('SUBMISSION_PORT', production ? 587 : 1587, 0, 65535),
    submissionsPort: integer('SUBMISSIONS_PORT', production ? 465 : 1465, 0, 65535),
    imapHost: text('IMAP_HOST', '127.0.0.1'),
    imapPort: integer('IMAP_PORT', production ? 143 : 1143, 0, 65535),
    imapsPort: integer('IMAPS_PORT', production ? 993 : 1993, 0, 65535),
    submissionMessagesPerHour: integer('SUBMISSION_MESSAGES_PER_HOUR', 200, 1, 1_000_000),
    submissionRecipientsPerDay: integer('SUBMISSION_RECIPIENTS_PER_DAY', 1000, 1, 10_000_000),
    sessionSecret: sessionSecret ?? '',
    brandName: text('BRAND_NAME', 'Easymail'),
    supportPhone: text('SUPPORT_PHONE', '1 800 555-0199'),
    supportHours: optional('SUPPORT_HOURS'),
    webmailHost: optional('WEBMAIL_HOST'),
    logLevel,
    trustProxy: Boolean(trustedProxies),
    trustedProxies: trustedProxies ?? false,
    production,
    dataDir,
    maxMessageBytes: integer('MAX_MESSAGE_BYTES', 25 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    mailboxStorageBytes: integer('MAILBOX_STORAGE_BYTES', 1024 * 1024 * 1024, 1024, Number.MAX_SAFE_INTEGER),
    relayUrl,
    rateLimit: integer('RATE_LIMIT', 3000, 1, 1_000_000),
    redisUrl,
    mailHostname,
    tlsCertFile,
    tlsKeyFile,
    signInRateLimit: integer('SIGN_IN_RATE_LIMIT', 30, 1, 1_000_000),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  if (!config.sessionSecret) config.sessionSecret = localSessionSecret(dataDir);
  return config;
}

/**
 * Only the proxies named are believed about the client's address: `true` is the one proxy in front
 * (the last X-Forwarded-For entry), never the whole header, which the client can write itself.
 */
function parseTrustedProxies(value: string): number | string[] | false | null {
  if (value === 'false') return false;
  if (value === 'true') return 1;
  if (/^\d{1,2}$/.test(value)) return Number(value) > 0 ? Number(value) : false;
  const addresses = value.split(',').map((part) => part.trim());
  const address = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]+)(\/\d{1,3})?$/i;
  return addresses.every((part) => address.test(part)) ? addresses : null;
}

/** Outside production, a secret generated once and kept in the data folder keeps sessions across restarts. */
function localSessionSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
