import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';

function problems(env: Record<string, string>) {
  try {
    loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'easymail-config-')), ...env });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  return [];
}

describe('configuration', () => {
  it('has working defaults outside production', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'easymail-config-'));
    const config = loadConfig({ DATA_DIR: dataDir });
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 3000);
    assert.equal(config.smtpPort, 2525);
    assert.equal(config.databaseUrl, undefined);
    assert.ok(config.sessionSecret.length >= 32);
    // The generated secret is kept, so sessions survive a restart.
    assert.equal(loadConfig({ DATA_DIR: dataDir }).sessionSecret, config.sessionSecret);
    assert.equal(readFileSync(join(dataDir, 'session-secret'), 'utf8').trim(), config.sessionSecret);
  });

  it('reads TRUST_PROXY as the proxies to believe, never the whole X-Forwarded-For', () => {
    const proxies = (value: string) => {
      const config = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'easymail-config-')), TRUST_PROXY: value });
      return [config.trustProxy, config.trustedProxies];
    };
    assert.deepEqual(proxies('false'), [false, false]);
    assert.deepEqual(proxies('true'), [true, 1]);
    assert.deepEqual(proxies('2'), [true, 2]);
    assert.deepEqual(proxies('10.0.0.1, 10.0.1.0/24'), [true, ['10.0.0.1', '10.0.1.0/24']]);
    assert.match(problems({ TRUST_PROXY: 'yes please' })[0] ?? '', /^TRUST_PROXY must be false, true/);
  });

  it('requires SESSION_SECRET in production', () => {
    assert.deepEqual(problems({ NODE_ENV: 'production' }), [
      'SESSION_SECRET is required when NODE_ENV=production (at least 32 characters).',
    ]);
  });

  it('names every bad variable on its own line', () => {
    const found = problems({
      PORT: 'eighty',
      SMTP_PORT: '70000',
      DATABASE_URL: 'mysql://x',
      LOG_LEVEL: 'loud',
      SESSION_SECRET: 'short',
      TRUST_PROXY: 'yes',
      MAX_MESSAGE_BYTES: '-1',
      RELAY_URL: 'http://relay',
    });
    assert.equal(found.length, 8);
    for (const name of [
      'PORT',
      'SMTP_PORT',
      'DATABASE_URL',
      'LOG_LEVEL',
      'SESSION_SECRET',
      'TRUST_PROXY',
      'MAX_MESSAGE_BYTES',
      'RELAY_URL',
    ]) {
      assert.ok(
        found.some((line) => line.startsWith(`${name} `)),
        `${name} is named`,
      );
    }
  });

  it('the server refuses to start on bad configuration, one line per problem, exit 1', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, DATABASE_URL: '', PORT: 'x', NODE_ENV: 'production', SESSION_SECRET: '' },
      encoding: 'utf8',
    });
    assert.equal(run.status, 1);
    assert.deepEqual(run.stderr.trim().split('\n').sort(), [
      'easymail: PORT must be a whole number from 0 to 65535 (got "x").',
      'easymail: SESSION_SECRET is required when NODE_ENV=production (at least 32 characters).',
    ]);
  });
});
