/**
 * What a matched provider receipt becomes: its `receipt` event and, for each customer id it
 * answers for that asked for this outcome, a receipt in the customer's outbox; then the
 * receipt is marked handled (a copy the provider re-sends is not passed on twice) and the
 * message state query_sm reads is updated, both best effort. Used by the correlator stage
 * and by the supplier that takes the receipt from its provider when the correlation is at hand.
 */
import type { DurableWriter, OutRecord } from '../../kafka/writer.js';
import type { Topics } from '../../kafka/topics.js';
import { encodeRecord, type CorrelationRecord, type DeliveryRecord, type ProviderEventRecord } from '../../domain/records.js';
import { lifecycleEvent } from '../../domain/lifecycle.js';
import { eventRecord } from '../event-record.js';
import { wantsReceipt } from './receipt-policy.js';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { MessageStateStore } from '../../redis/stores/message-state.js';
import type { ReceiptsSeen } from './receipts-seen.js';

export interface ReceiptDeliveryDeps {
  writer: DurableWriter;
  topics: Pick<Topics, 'events' | 'deliveries'>;
  nodeId: string;
  /** Where query_sm reads a message's state; updated best effort with each receipt. */
  states?: Pick<MessageStateStore, 'receipt'>;
  /** Provider receipts already handled. */
  seen?: Pick<ReceiptsSeen, 'key' | 'mark'>;
}

/** The records of a matched receipt: its event first, then one outbox receipt per customer id that wants it. */
export function receiptRecords(topics: ReceiptDeliveryDeps['topics'], nodeId: string, ev: ProviderEventRecord, corr: CorrelationRecord, now: number): OutRecord[] {
  const records: OutRecord[] = [eventRecord(topics, lifecycleEvent(corr.messageId, 'receipt', nodeId, { stat: ev.stat, provider: ev.provider }, now))];
  // One receipt per customer id this provider part answers for (each part of a joined
  // message was answered with its own id), as each asked.
  for (const t of receiptTargets(corr)) {
    if (!wantsReceipt(t.registeredDelivery, ev.stat)) continue;
    const dlr: DeliveryRecord = {
      kind: 'receipt', customer: corr.customer, messageId: t.id, source: corr.source, destination: corr.destination,
      stat: ev.stat, err: ev.err, submittedAt: corr.submittedAt, doneAt: now, createdAt: now, provider: ev.provider,
      ...(corr.dlr ? { dlr: corr.dlr } : {}), ...(corr.providerParts ? { parts: corr.providerParts } : {}),
    };
    records.push({ topic: topics.deliveries, key: corr.customer, value: encodeRecord(dlr) });
  }
  return records;
}

/**
 * Writes the receipt's records, then marks it handled and updates the message state. Resolves
 * `written` once the records are durable (what a provider's deliver_sm waits for: `urgent`),
 * the whole once the best-effort updates are done too.
 */
export function deliverReceipt(
  deps: ReceiptDeliveryDeps, ev: ProviderEventRecord, corr: CorrelationRecord, log: Logger, o: { urgent?: boolean } = {},
): { written: Promise<void>; done: Promise<void> } {
  const now = Date.now();
  const written = deps.writer.append(receiptRecords(deps.topics, deps.nodeId, ev, corr, now), o);
  return { written, done: written.then(() => afterwards(deps, ev, corr, now, log)) };
}

/** Issued together: one write to Redis (auto-pipelining) rather than one round trip each. */
async function afterwards(deps: ReceiptDeliveryDeps, ev: ProviderEventRecord, corr: CorrelationRecord, now: number, log: Logger): Promise<void> {
  await Promise.all([
    deps.seen?.mark(ev.provider, ev.providerMessageId, ev.stat).catch((err: unknown) =>
      log.warn('receipt not marked as handled', { error: errorMessage(err) })),
    ...receiptTargets(corr).map((t) => deps.states?.receipt(t.id, { customer: corr.customer, source: corr.source.addr }, ev.stat, ev.err, now).catch((err: unknown) =>
      log.warn('message state not updated', { error: errorMessage(err) }))),
  ]);
}

function receiptTargets(corr: CorrelationRecord): { id: string; registeredDelivery: number }[] {
  return corr.parts ?? [{ id: corr.messageId, registeredDelivery: corr.registeredDelivery }];
}
