import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';
import { addMailbox, freePort, plainMessage, SmtpClient } from './helpers/mail.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(() => database.drop());

describe('SMTP durability', () => {
  it('keeps a message accepted with 250 when the server is killed right after', async () => {
    const jeanne = await addMailbox(database.db, 'jeanne@exemple.ca');
    const smtpPort = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        PORT: String(await freePort()),
        SMTP_PORT: String(smtpPort),
        SUBMISSION_PORT: '0',
        SUBMISSIONS_PORT: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise((resolve) => child.on('close', resolve));
    try {
      for (let i = 0; i < 150 && !output.includes('SMTP: '); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(output, new RegExp(`SMTP: 127\\.0\\.0\\.1:${smtpPort}`), output);

      const { client } = await SmtpClient.open(smtpPort);
      await client.envelope('alice@ailleurs.example', ['jeanne@exemple.ca']);
      const reply = await client.data(plainMessage('Survivant', 'Toujours là.'));
      child.kill('SIGKILL'); // no graceful shutdown: whatever 250 promised must already be on disk
      assert.equal(reply.code, 250, reply.text);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }

    const stored = await database.db.message.findFirst({
      where: { mailboxId: jeanne, subject: 'Survivant' },
      include: { body: true },
    });
    assert.ok(stored?.body, 'the message and its raw body are in the database');
    assert.match(Buffer.from(stored.body.raw).toString('utf8'), /Toujours là\.\r\n$/);
  });
});
