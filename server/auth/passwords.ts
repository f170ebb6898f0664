import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;
// OWASP's scrypt floor (N=2^17, r=8, p=1) needs 128 MiB; maxmem leaves headroom.
const PARAMS = { N: 1 << 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 };

/** `scrypt$N$r$p$salt$hash`, all parameters stored so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt') return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n), r: Number(r), p: Number(p), maxmem: PARAMS.maxmem,
  });
  return timingSafeEqual(expected, actual);
}

/** Device secrets and session tokens are 256 random bits, so a fast hash is enough (no dictionary to guess from). */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export const newToken = () => randomBytes(32).toString('base64url');

export function tokenMatches(token: string, storedHash: string): boolean {
  const a = Buffer.from(hashToken(token), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

// Among the most used passwords in leaked lists, and the obvious local ones.
const COMMON = new Set([
  '12345678', '123456789', '1234567890', '11111111', '00000000', '88888888', '87654321', '12341234', '11223344', 'password',
  'password1', 'passw0rd', 'qwertyui', 'qwerty123', 'abc12345', 'abcd1234', 'iloveyou', 'admin123', 'administrator', 'letmein1',
  'changeme', 'welcome1', 'matkhau', 'matkhau123', 'loalang', 'loalang123', 'truyenthanh', 'ubndxa123', 'vietnam123', 'hanoi123',
]);

/** A reason a password is too weak to keep, or null. */
export function weakPassword(password: string): string | null {
  if (password.trim().length === 0) return 'the password is only spaces';
  if (password.trim().length < 8) return 'the password needs at least 8 characters besides spaces';
  if (COMMON.has(password.toLowerCase())) return 'this password is among the most common ones; choose another';
  if (/^(.)\1+$/.test(password)) return 'the password repeats one character';
  return null;
}
