import { connect, type Socket } from 'node:net';
import type { Config } from '../../src/config.ts';
import type { Db } from '../../src/db/client.ts';
import { ensureSpecialFolders } from '../../src/mail/folders.ts';
import { createCore } from '../../src/core/index.ts';
import type { Logger } from '../../src/core/logger.ts';
import { startSmtpServer, type SmtpListener } from '../../src/smtp/inbound.ts';
import { testConfig } from './app.ts';

/** A logger that says nothing. */
export const silentLog: Logger = {
  info() {},
  warn() {},
  error() {},
  child: () => silentLog,
};

/** Creates (or reuses) a domain and a mailbox in it, without the cost of hashing a password. */
export async function addMailbox(
  db: Db,
  address: string,
  options: { state?: 'active' | 'suspended'; storageUsed?: bigint } = {},
): Promise<number> {
  const [localPart, name] = address.split('@') as [string, string];
  const domain = await db.domain.upsert({
    where: { name },
    create: { name, adminPasswordHash: 'x', mailboxQuota: 1000, state: options.state ?? 'active' },
    update: {},
  });
  return db.$transaction(async (tx) => {
    const mailbox = await tx.mailbox.create({
      data: { domainId: domain.id, localPart, passwordHash: 'x', storageUsed: options.storageUsed ?? 0n },
    });
    await ensureSpecialFolders(tx, mailbox.id);
    return mailbox.id;
  });
}

/** The listener on a port of its own, with the test configuration plus overrides. */
export async function startTestSmtp(db: Db, url: string, overrides: Partial<Config> = {}): Promise<SmtpListener> {
  const config = testConfig(url, { smtpPort: 0, ...overrides });
  return startSmtpServer({ config, core: createCore(db, config), log: silentLog });
}

export { freePort } from '../../src/db/embedded.ts';

export interface Reply {
  code: number;
  text: string;
}

/** A raw SMTP client: one line out, one (possibly multi-line) reply back, exactly as the server wrote it. */
export class SmtpClient {
  private buffer = '';
  private replies: Reply[] = [];
  private waiting: ((reply: Reply) => void)[] = [];
  private lines: string[] = [];
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => this.receive(data));
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
  }

  /** Connects and reads the greeting. */
  static async open(port: number): Promise<{ client: SmtpClient; greeting: Reply }> {
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new SmtpClient(socket);
    return { client, greeting: await client.reply() };
  }

  private receive(data: string) {
    this.buffer += data;
    let end;
    while ((end = this.buffer.indexOf('\r\n')) !== -1) {
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.lines.push(line);
      if (/^\d{3}(?: |$)/.test(line)) {
        const reply = { code: Number(line.slice(0, 3)), text: this.lines.join('\n') };
        this.lines = [];
        const waiter = this.waiting.shift();
        if (waiter) waiter(reply);
        else this.replies.push(reply);
      }
    }
  }

  /** The next reply; a reply of 0 means the server closed the connection first. */
  reply(): Promise<Reply> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    return Promise.race([
      new Promise<Reply>((resolve) => this.waiting.push(resolve)),
      this.closed.then(() => new Promise<Reply>((r) => setTimeout(() => r({ code: 0, text: 'closed' }), 50))),
    ]);
  }

  /** Writes bytes as they are (no CRLF added). */
  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve) => this.socket.write(data, () => resolve()));
  }

  /** Sends one command line and returns its reply. */
  async command(line: string): Promise<Reply> {
    await this.write(`${line}\r\n`);
    return this.reply();
  }

  /** EHLO, MAIL FROM and the RCPT TO commands, failing on any refusal. */
  async envelope(from: string, recipients: string[]): Promise<void> {
    for (const line of ['EHLO client.test', `MAIL FROM:<${from}>`, ...recipients.map((r) => `RCPT TO:<${r}>`)]) {
      const reply = await this.command(line);
      if (reply.code !== 250) throw new Error(`${line} -> ${reply.text}`);
    }
  }

  /** DATA, then the message (CRLF line ends, dot-stuffed as given) and the final dot; returns the final reply. */
  async data(message: string | Buffer): Promise<Reply> {
    const go = await this.command('DATA');
    if (go.code !== 354) return go;
    await this.write(message);
    await this.write('\r\n.\r\n');
    return this.reply();
  }

  end(): void {
    this.socket.end();
  }
}

/** A small well-formed message with CRLF line ends. */
export function plainMessage(subject: string, body = 'Bonjour.', to = 'jeanne@exemple.ca'): string {
  return [
    'From: Alice <alice@ailleurs.example>',
    `To: ${to}`,
    `Subject: ${subject}`,
    'Date: Tue, 24 Nov 2026 10:00:00 -0500',
    'Message-ID: <test-' + Math.random().toString(36).slice(2) + '@ailleurs.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
  ].join('\r\n');
}
