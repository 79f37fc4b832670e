// The SMTP load generator, run as a child process by bench/smtp.ts so it does not share the
// servers' event loop: `tsx bench/smtp-client.ts PORT SECONDS MAX RCPT1,RCPT2,...`. Sends 10 KB
// messages over 10 pooled (persistent) connections, message k to recipient k mod n, after a
// warm-up that opens the connections; prints {"messages", "seconds", "failed"} as JSON.
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';

const [port = '', seconds = '10', max = '20000', to = ''] = process.argv.slice(2);
const recipients = to.split(',');
const CONNECTIONS = 10;
const WARMUP = 50;

const SIZE = 10_240;
const line = 'Lorem ipsum dolor sit amet, facture virement echeance contrat livraison rapport.\r\n';
/** A message of about SIZE bytes (ASCII, CRLF line ends). */
function raw(rcpt: string) {
  const head = `From: Fournisseur <f@ailleurs.example>\r\nTo: ${rcpt}\r\nSubject: Charge\r\n\r\n`;
  const room = SIZE - head.length;
  const lines = Math.floor(room / line.length);
  const pad = room - lines * line.length;
  return Buffer.from(head + line.repeat(lines) + (pad >= 2 ? 'x'.repeat(pad - 2) + '\r\n' : ''));
}

const transport = nodemailer.createTransport({
  host: '127.0.0.1',
  port: Number(port),
  secure: false,
  ignoreTLS: true,
  pool: true,
  maxConnections: CONNECTIONS,
  maxMessages: Infinity,
});

let next = 0;
let failed = 0;
/** CONNECTIONS loops sending one message at a time until `count` are sent or the deadline passes. */
async function send(count: number, deadline: number) {
  const limit = next + count;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < limit && performance.now() < deadline) {
        const rcpt = recipients[next++ % recipients.length]!;
        await transport.sendMail({ envelope: { from: 'f@ailleurs.example', to: rcpt }, raw: raw(rcpt) }).catch(() => {
          failed++;
        });
      }
    }),
  );
}

await send(WARMUP, Infinity);
failed = 0;
const start = performance.now();
const first = next;
await send(Number(max), start + Number(seconds) * 1000);
const elapsed = (performance.now() - start) / 1000;
transport.close();
console.log(JSON.stringify({ messages: next - first - failed, seconds: elapsed, failed }));
