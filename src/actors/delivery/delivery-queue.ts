/**
 * Which of a customer's outbox queues a record waits in. Records of one queue go out in order,
 * and one that cannot go out holds back those behind it. Receipts of messages sent with a
 * Kannel dlr-url go to that URL, not over the customer's binds or webhook, and each message
 * names its own: they queue per endpoint (scheme, host and port), so a customer with no
 * receiving bind (its receipts held) still gets its dlr-url calls, and an endpoint that is
 * gone holds back only its own (found when one left by an earlier run blocked every later
 * call). A space cannot be in a systemId, so the name cannot be another customer's.
 */
import type { OutboxRecord } from '../../domain/records.js';

export function queueOf(r: OutboxRecord): string {
  if (r.kind !== 'receipt' || !r.dlr) return r.customer;
  let endpoint: string;
  try {
    endpoint = new URL(r.dlr.url).origin;
  } catch {
    endpoint = r.dlr.url;
  }
  return `${r.customer} dlr-url ${endpoint}`;
}
