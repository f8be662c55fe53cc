/**
 * Customer API keys for the HTTP API. The key itself is shown once, when it is made; the
 * configuration (`customers[].apiKeys`) keeps only `sha256$<hex>` of it, so a leaked
 * configuration or directory topic gives no key away. Keys carry 256 random bits, so a plain
 * digest (no salt, no stretching) is enough, and a request is matched with one hash.
 */
import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_DIGEST = /^sha256\$[0-9a-f]{64}$/;

/** A new key: `sk_` and 43 base64url characters. */
export function mintApiKey(): string {
  return `sk_${randomBytes(32).toString('base64url')}`;
}

export function apiKeyDigest(key: string): string {
  return `sha256$${createHash('sha256').update(key).digest('hex')}`;
}

/** How an operator names a key when revoking it: the first 12 hex digits of its digest. */
export function apiKeyId(digest: string): string {
  return digest.slice('sha256$'.length, 'sha256$'.length + 12);
}
