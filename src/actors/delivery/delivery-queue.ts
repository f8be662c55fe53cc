/**
 * Which of a customer's outbox queues a record waits in. Records of one queue go out in order,
 * and one that cannot go out holds back those behind it. Receipts of messages sent with a
 * Kannel dlr-url go to that URL, not over the customer's binds or webhook, so they have their
 * own queue: a customer with no receiving bind (its receipts held) still gets its dlr-url
 * calls, and a failing dlr-url holds back nothing else. A space cannot be in a systemId, so
 * the name cannot be another customer's.
 */
import type { OutboxRecord } from '../../domain/records.js';

export function queueOf(r: OutboxRecord): string {
  return r.kind === 'receipt' && r.dlr ? `${r.customer} dlr-url` : r.customer;
}
