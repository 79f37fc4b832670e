import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseQuota } from '../src/accounts/domains.ts';
import { checkLocalPart, normalizeDomainName } from '../src/accounts/names.ts';
import {
  generatePassword,
  hashPassword,
  needsRehash,
  passwordProblem,
  verifyPassword,
} from '../src/accounts/passwords.ts';

describe('domain names', () => {
  const cases: [string, string | null][] = [
    ['monomdedomaine.ca', 'monomdedomaine.ca'],
    ['MonDomaine.CA', 'mondomaine.ca'],
    ['  exemple.com ', 'exemple.com'],
    ['Café.example', 'xn--caf-dma.example'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['sub.domain.example.org', 'sub.domain.example.org'],
    ['localhost', null],
    ['exa mple.com', null],
    ['-bad.com', null],
    ['bad-.com', null],
    ['example.com.', null],
    ['example..com', null],
    ['example.c0m', null],
    ['a'.repeat(64) + '.com', null],
    ['exa\u200bmple.com', null],
    ['../etc/passwd', null],
    ['', null],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected ?? 'refused'}`, () => assert.equal(normalizeDomainName(input), expected));
  }
});

describe('mailbox names', () => {
  const cases: [string, string][] = [
    ['jeanne', 'jeanne'],
    ['Jeanne.Tremblay', 'jeanne.tremblay'],
    ['j', 'j'],
    ['a_b-c.d', 'a_b-c.d'],
    ['x'.repeat(64), 'x'.repeat(64)],
    ['x'.repeat(65), 'invalid'],
    ['.jeanne', 'invalid'],
    ['jeanne.', 'invalid'],
    ['jean..ne', 'invalid'],
    ['jean ne', 'invalid'],
    ['jeanne@x', 'invalid'],
    ['élise', 'invalid'],
    ['', 'invalid'],
    ['postmaster', 'reserved'],
    ['Abuse', 'reserved'],
    ['hostmaster', 'reserved'],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected}`, () => {
      const result = checkLocalPart(input);
      assert.equal('localPart' in result ? result.localPart : result.problem, expected);
    });
  }
});

describe('quota', () => {
  it('accepts whole numbers from 0 to 10000 only', () => {
    assert.equal(parseQuota('15'), 15);
    assert.equal(parseQuota('0'), 0);
    assert.equal(parseQuota('10000'), 10000);
    for (const bad of ['-1', '1.5', 'ten', '', '10001', '1e3', ' ']) assert.equal(parseQuota(bad), null, bad);
  });
});

describe('passwords', () => {
  it('refuses short, long, control characters, names and common passwords; no composition rules', () => {
    assert.equal(passwordProblem('court'), 'password.errors.length');
    assert.equal(passwordProblem('x'.repeat(129)), 'password.errors.length');
    assert.equal(passwordProblem('a\u0000bcdefghijk'), 'password.errors.control');
    assert.equal(passwordProblem('Monomdedomaine.ca', ['monomdedomaine.ca']), 'password.errors.name');
    assert.equal(passwordProblem('password123'), 'password.errors.common');
    assert.equal(passwordProblem('1234567890'), 'password.errors.common');
    assert.equal(passwordProblem('toutes minuscules sans chiffres'), null);
    assert.equal(passwordProblem('  espaces gardés  '), null);
    assert.equal(passwordProblem('é'.repeat(10)), null, 'counts characters, not bytes');
  });

  it('hashes with argon2id at OWASP parameters and asks for a rehash of weaker hashes', async () => {
    const hash = await hashPassword('un mot de passe solide');
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.ok(await verifyPassword(hash, 'un mot de passe solide'));
    assert.ok(!(await verifyPassword(hash, 'un mot de passe solide ')), 'never trimmed');
    assert.ok(!(await verifyPassword('not a hash', 'x')));
    assert.equal(needsRehash(hash), false);
    const argon2 = (await import('argon2')).default;
    const weak = await argon2.hash('x', { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    assert.equal(needsRehash(weak), true);
  });

  it('generates strong passwords that pass the rules', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const password = generatePassword();
      assert.match(password, /^[A-Za-z2-9]{20}$/);
      assert.equal(passwordProblem(password), null);
      seen.add(password);
    }
    assert.equal(seen.size, 50);
  });
});
