/**
 * The correlator stage: matches each provider receipt to the gateway message it is about and,
 * if the customer asked, puts a receipt in the customer's outbox. A receipt can overtake the
 * supplier's write of the correlation (the provider answers submit_sm and sends the receipt
 * back to back), so an unmatched one is looked up again for a while before it is reported.
 */
import type { ActorSpec } from '../../runtime/actor.js';
import type { DurableWriter, OutRecord } from '../../kafka/writer.js';
import type { Topics } from '../../kafka/topics.js';
import { HANDLED, type CorrelationLookup } from './correlation-lookup.js';
import { decodeRecord, encodeRecord, type DeliveryRecord, type ProviderEventRecord } from '../../domain/records.js';
import { lifecycleEvent } from '../../domain/lifecycle.js';
import { eventRecord } from '../event-record.js';
import { wantsReceipt } from './receipt-policy.js';
import { InFlight, stageSupervision, type RecordMessage, type WorkDone } from '../stage-message.js';
import { RecordError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { MessageStateStore } from '../../redis/stores/message-state.js';
import type { ReceiptsSeen } from './receipts-seen.js';

export interface CorrelatorDeps {
  writer: DurableWriter;
  topics: Topics;
  /** Provider message id → gateway message (retried while the write may be in flight, rebuilt after a Redis loss). */
  correlation: Pick<CorrelationLookup, 'find'>;
  nodeId: string;
  /** Where query_sm reads a message's state; updated best effort with each receipt. */
  states?: Pick<MessageStateStore, 'receipt'>;
  /** Provider receipts already handled: a copy the provider re-sends is not passed on twice. */
  seen?: Pick<ReceiptsSeen, 'key' | 'mark'>;
}

export type CorrelatorMessage = RecordMessage | WorkDone;

export function correlatorActor(deps: CorrelatorDeps): ActorSpec<InFlight, CorrelatorMessage> {
  return {
    kind: 'correlator',
    supervision: stageSupervision,
    mailboxCapacity: 1024,
    // The receipts being correlated: dropped (and consumed again) by a restart.
    init: () => new InFlight(),
    receive: (work, message, ctx) => {
      if (message.type === 'workDone') {
        work.finish(message);
        return work;
      }
      const ev = work.read(ctx, () => decodeProviderEvent(message.record.value));
      if (ev === undefined) return work;
      work.start(ctx, correlate(ev, ctx.log), `${ev.provider}:${ev.providerMessageId}`, (done) => done);
      return work;
    },
  };

  async function correlate(ev: ProviderEventRecord, log: Logger): Promise<void> {
    const ids = ev.lookupIds ?? [ev.providerMessageId];
    const found = await deps.correlation.find(ev.provider, ids, deps.seen?.key(ev.provider, ev.providerMessageId, ev.stat));
    if (found === HANDLED) {
      log.debug('provider receipt already handled', { provider: ev.provider, providerMessageId: ev.providerMessageId, stat: ev.stat });
      return;
    }
    const corr = found;
    const now = Date.now();
    if (!corr) {
      log.warn('receipt matches no submitted message', { provider: ev.provider, providerMessageId: ev.providerMessageId });
      await deps.writer.append(eventRecord(deps.topics, lifecycleEvent(`${ev.provider}:${ev.providerMessageId}`, 'receipt_unmatched', deps.nodeId, {
        provider: ev.provider, providerMessageId: ev.providerMessageId, stat: ev.stat,
      }, now)));
      return;
    }
    const records: OutRecord[] = [eventRecord(deps.topics, lifecycleEvent(corr.messageId, 'receipt', deps.nodeId, { stat: ev.stat, provider: ev.provider }, now))];
    // One receipt per customer id this provider part answers for (each part of a joined
    // message was answered with its own id), as each asked.
    const targets = corr.parts ?? [{ id: corr.messageId, registeredDelivery: corr.registeredDelivery }];
    for (const t of targets) {
      if (!wantsReceipt(t.registeredDelivery, ev.stat)) continue;
      const dlr: DeliveryRecord = {
        kind: 'receipt', customer: corr.customer, messageId: t.id, source: corr.source, destination: corr.destination,
        stat: ev.stat, err: ev.err, submittedAt: corr.submittedAt, doneAt: now, createdAt: now,
      };
      records.push({ topic: deps.topics.deliveries, key: corr.customer, value: encodeRecord(dlr) });
    }
    await deps.writer.append(records);
    await deps.seen?.mark(ev.provider, ev.providerMessageId, ev.stat).catch((err: unknown) =>
      log.warn('receipt not marked as handled', { error: err instanceof Error ? err.message : String(err) }));
    for (const t of targets) {
      await deps.states?.receipt(t.id, { customer: corr.customer, source: corr.source.addr }, ev.stat, ev.err, now).catch((err: unknown) =>
        log.warn('message state not updated', { error: err instanceof Error ? err.message : String(err) }));
    }
  }
}

/** A provider's receipt as the correlator needs it; a record of another shape is the record's fault. */
export function decodeProviderEvent(value: Buffer): ProviderEventRecord {
  const ev = decodeRecord<ProviderEventRecord>(value);
  if (typeof ev !== 'object' || ev === null || typeof ev.provider !== 'string' || typeof ev.providerMessageId !== 'string' || typeof ev.stat !== 'string') {
    throw new RecordError('RECORD_INVALID', 'not a provider receipt: provider, providerMessageId and stat are required');
  }
  return ev;
}
