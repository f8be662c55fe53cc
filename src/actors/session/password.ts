/**
 * Customer passwords at rest: `scrypt$<salt>$<hash>` (base64), made by
 * `node dist/scripts/hash-password.js`. Verification runs scrypt on libuv's thread pool, so a
 * bind never blocks the sockets of the other sessions, and compares in constant time.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 32;
/** N=2^14, r=8: about 16 MiB and tens of milliseconds per bind, the usual interactive setting. */
const PARAMS: ScryptOptions = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, PARAMS, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, salt: Buffer = randomBytes(16)): Promise<string> {
  return `scrypt$${salt.toString('base64')}$${(await derive(password, salt)).toString('base64')}`;
}

/** True when `given` matches the stored hash; false for a malformed hash too. */
export async function verifyPassword(stored: string, given: string): Promise<boolean> {
  const [scheme, saltB64, hashB64] = stored.split('$');
  if (scheme !== 'scrypt' || !saltB64 || !hashB64) return false;
  const expected = Buffer.from(hashB64, 'base64');
  if (expected.length !== KEY_LENGTH) return false;
  const key = await derive(given, Buffer.from(saltB64, 'base64'));
  return timingSafeEqual(key, expected);
}

/** Plain-text passwords (development configurations): constant time for equal lengths. */
export function samePlainPassword(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
