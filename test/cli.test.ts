import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';
import { runCli } from './helpers/cli.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
});
after(() => database.drop());

/** Runs the operator CLI on this file's database. */
function easymail(args: string[], stdin = '') {
  return runCli(args, { DATABASE_URL: database.url }, stdin);
}

async function domainList() {
  const run = await easymail(['domain', 'list']);
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

describe('operator CLI', () => {
  it('adds a domain with a generated password printed once, and lists it', async () => {
    const run = await easymail(['domain', 'add', 'Exemple.CA']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stdout,
      /^Domain exemple\.ca added\.\nAdministrator password \(shown only this once\): [A-Za-z0-9]{20}\n$/,
    );
    const listed = await domainList();
    assert.match(listed, /^Domain\tState\tAccounts\tCreated\tPunycode\n/, 'a header row first');
    assert.match(listed, /^exemple\.ca\tactive\t0\/15\t\d{4}-\d{2}-\d{2}\t$/m);
    const audit = await database.db.auditEvent.findMany({ where: { action: 'domain.add' } });
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.actor, 'operator');
  });

  it('reads a chosen password from stdin, stores IDN names in punycode, sets quota', async () => {
    const run = await easymail(
      ['domain', 'add', 'Café.example', '--quota', '3', '--password-stdin'],
      'un mot de passe solide\n',
    );
    assert.equal(run.status, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /password/i);
    const domain = await database.db.domain.findUnique({ where: { name: 'xn--caf-dma.example' } });
    assert.equal(domain?.mailboxQuota, 3);
    const quota = await easymail(['domain', 'set-quota', 'xn--caf-dma.example', '5']);
    assert.equal(quota.status, 0, quota.stderr);
    assert.match(await domainList(), /^café\.example\tactive\t0\/5\t\d{4}-\d{2}-\d{2}\txn--caf-dma\.example$/m);
  });

  it('suspends, resumes, resets the password and removes with confirmation', async () => {
    assert.equal((await easymail(['domain', 'add', 'cycle.example'])).status, 0);
    assert.equal((await easymail(['domain', 'suspend', 'cycle.example'])).status, 0);
    assert.match(await domainList(), /^cycle\.example\tsuspended/m);
    assert.equal((await easymail(['domain', 'resume', 'cycle.example'])).status, 0);
    assert.match(await domainList(), /^cycle\.example\tactive/m);
    const before = await database.db.domain.findUniqueOrThrow({ where: { name: 'cycle.example' } });
    const reset = await easymail(['domain', 'reset-password', 'cycle.example']);
    assert.equal(reset.status, 0, reset.stderr);
    assert.match(reset.stdout, /shown only this once\): [A-Za-z0-9]{20}/);
    const afterReset = await database.db.domain.findUniqueOrThrow({ where: { name: 'cycle.example' } });
    assert.notEqual(afterReset.adminPasswordHash, before.adminPasswordHash);
    const removed = await easymail(['domain', 'remove', 'cycle.example', '--confirm', 'cycle.example']);
    assert.equal(removed.status, 0, removed.stderr);
    assert.doesNotMatch(await domainList(), /cycle\.example/);
    const actions = (
      await database.db.auditEvent.findMany({ where: { domainId: before.id }, orderBy: { id: 'asc' } })
    ).map((e) => e.action);
    assert.deepEqual(actions, [
      'domain.add',
      'domain.suspend',
      'domain.resume',
      'domain.reset-password',
      'domain.remove',
    ]);
  });

  it('refuses a quota below the mailboxes the domain already has', async () => {
    await easymail(['domain', 'add', 'full.example', '--quota', '2']);
    const domain = await database.db.domain.findUniqueOrThrow({ where: { name: 'full.example' } });
    await database.db.mailbox.createMany({
      data: ['a', 'b'].map((localPart) => ({ domainId: domain.id, localPart, passwordHash: 'x' })),
    });
    const run = await easymail(['domain', 'set-quota', 'full.example', '1']);
    assert.equal(run.status, 1);
    assert.equal(run.stderr, 'easymail: The quota cannot be lower than the 2 existing email accounts.\n');
  });

  const refusals: [string, string[], string, RegExp][] = [
    [
      'a bad domain name',
      ['domain', 'add', 'not a domain'],
      '',
      /^easymail: The domain name "not a domain" is not valid\.\n$/,
    ],
    ['a name without a dot', ['domain', 'add', 'localhost'], '', /is not valid/],
    [
      'a duplicate in another case',
      ['domain', 'add', 'EXEMPLE.ca'],
      '',
      /^easymail: The domain exemple\.ca already exists\.\n$/,
    ],
    [
      'a negative quota',
      ['domain', 'add', 'neg.example', '--quota', '-1'],
      '',
      /^easymail: (The quota must be a whole number|bad option)/,
    ],
    [
      'a non-numeric quota',
      ['domain', 'add', 'nan.example', '--quota', 'lots'],
      '',
      /The quota must be a whole number from 0 to 10000 \(got "lots"\)/,
    ],
    ['a non-numeric set-quota', ['domain', 'set-quota', 'exemple.ca', 'ten'], '', /The quota must be a whole number/],
    [
      'a weak password',
      ['domain', 'add', 'weak.example', '--password-stdin'],
      'password123\n',
      /^easymail: This password is too common/,
    ],
    ['a short password', ['domain', 'add', 'short.example', '--password-stdin'], 'abc\n', /10 to 128 characters/],
    [
      'the domain as password',
      ['domain', 'add', 'samename.example', '--password-stdin'],
      'samename.example\n',
      /cannot be the user name or the domain/,
    ],
    [
      'an unknown domain',
      ['domain', 'suspend', 'nowhere.example'],
      '',
      /^easymail: The domain nowhere\.example does not exist\.\n$/,
    ],
    ['an unknown command', ['domain', 'explode', 'exemple.ca'], '', /^easymail: unknown command: "domain explode"/],
    ['an unknown group', ['mailbox', 'list'], '', /^easymail: unknown command: "mailbox"/],
    ['a missing argument', ['domain', 'add'], '', /^easymail: missing argument: <domain>/],
    ['a missing quota', ['domain', 'set-quota', 'exemple.ca'], '', /^easymail: missing argument: <n>/],
    ['an unknown option', ['domain', 'list', '--all'], '', /^easymail: bad option/],
    [
      'remove without --confirm',
      ['domain', 'remove', 'exemple.ca'],
      '',
      /^easymail: To remove exemple\.ca, add --confirm exemple\.ca\.\n$/,
    ],
    [
      'remove with the wrong --confirm',
      ['domain', 'remove', 'exemple.ca', '--confirm', 'other.ca'],
      '',
      /--confirm exemple\.ca/,
    ],
  ];
  for (const [what, args, stdin, message] of refusals) {
    it(`refuses ${what} with one line, exit 1, and changes nothing`, async () => {
      const listed = await domainList();
      const events = await database.db.auditEvent.count();
      const run = await easymail(args, stdin);
      assert.equal(run.status, 1);
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trim().split('\n').length, 1, 'one line');
      assert.doesNotMatch(run.stderr, /\bat \S+:\d+/, 'no stack trace');
      assert.equal(await domainList(), listed);
      assert.equal(await database.db.auditEvent.count(), events);
    });
  }
});
