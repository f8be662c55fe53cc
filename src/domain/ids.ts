/**
 * Gateway message ids: unique across the cluster without coordination. 48 bits of
 * milliseconds then 48 random bits, as 24 lowercase hex digits: sortable by time, and well
 * under SMPP's 65-octet message_id.
 */
import { randomBytes } from 'node:crypto';

export function newMessageId(now: number = Date.now()): string {
  return now.toString(16).padStart(12, '0').slice(-12) + randomBytes(6).toString('hex');
}

/** The canonical key of a provider's message id; see provider-id.ts. */
export { canonicalProviderId as normalizeProviderId } from './provider-id.js';

/** When a gateway message id was made (its first 48 bits); undefined for an id of another form. */
export function messageIdTime(id: string): number | undefined {
  return /^[0-9a-f]{24}$/.test(id) ? parseInt(id.slice(0, 12), 16) : undefined;
}
