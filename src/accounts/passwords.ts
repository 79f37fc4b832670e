import { dictionary } from '@zxcvbn-ts/language-common';
import argon2 from 'argon2';
import { randomInt } from 'node:crypto';
import type { MessageKey } from '../i18n/index.ts';

// OWASP's minimum for argon2id (ASVS 4.0.3 2.4.1 / Password Storage Cheat Sheet).
export const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

// The 49,000 most common passwords of @zxcvbn-ts/language-common (from public breach corpora).
const COMMON_PASSWORDS = new Set(dictionary['passwords-common']);

/** The argon2id hash of a password. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, HASH_OPTIONS);
}

/** True when the password matches the hash; false for a malformed hash too. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** True when the hash was made with weaker parameters than today's, so it should be redone. */
export function needsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, HASH_OPTIONS);
}

// A hash of nothing anyone can type, verified when an account does not exist, so that an
// unknown account takes as long to refuse as a wrong password.
const dummyHash = hashPassword(`unused-${randomInt(1e9)}`);
/** Spends the time of one verification, for accounts that do not exist. */
export async function verifyAgainstNothing(password: string): Promise<false> {
  await verifyPassword(await dummyHash, password);
  return false;
}

/**
 * Why a new password is refused, or null when it is acceptable: 10 to 128 characters, no
 * control characters, not one of the account's names, not a common password. No composition rules.
 */
export function passwordProblem(password: string, names: string[] = []): MessageKey | null {
  const length = [...password].length;
  if (length < 10 || length > 128) return 'password.errors.length';
  if (/\p{Cc}/u.test(password)) return 'password.errors.control';
  const lower = password.toLowerCase();
  if (names.some((name) => name && lower === name.toLowerCase())) return 'password.errors.name';
  if (COMMON_PASSWORDS.has(lower)) return 'password.errors.common';
  return null;
}

const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** A random 20-character password (about 116 bits), without look-alike characters. */
export function generatePassword(): string {
  return Array.from({ length: 20 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}
