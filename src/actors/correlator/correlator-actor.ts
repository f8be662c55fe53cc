/**
 * The correlator stage: matches each provider receipt to the gateway message it is about and,
 * if the customer asked, puts a receipt in the customer's outbox. A receipt can overtake the
 * supplier's write of the correlation (the provider answers submit_sm and sends the receipt
 * back to back), so an unmatched one is looked up again for a while before it is reported.
 */
import type { ActorSpec } from '../../runtime/actor.js';
import type { DurableWriter } from '../../kafka/writer.js';
import type { Topics } from '../../kafka/topics.js';
import { HANDLED, type CorrelationLookup } from './correlation-lookup.js';
import { decodeRecord, type ProviderEventRecord } from '../../domain/records.js';
import { deliverReceipt, type ReceiptDeliveryDeps } from './receipt-delivery.js';
import { lifecycleEvent } from '../../domain/lifecycle.js';
import { eventRecord } from '../event-record.js';
import { InFlight, stageSupervision, type RecordMessage, type WorkDone } from '../stage-message.js';
import { RecordError } from '../../errors.js';
import type { Logger } from '../../log.js';

export interface CorrelatorDeps extends ReceiptDeliveryDeps {
  writer: DurableWriter;
  topics: Topics;
  /** Provider message id → gateway message (retried while the write may be in flight, rebuilt after a Redis loss). */
  correlation: Pick<CorrelationLookup, 'find'>;
  nodeId: string;
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
    if (!corr) {
      const now = Date.now();
      log.warn('receipt matches no submitted message', { provider: ev.provider, providerMessageId: ev.providerMessageId });
      await deps.writer.append(eventRecord(deps.topics, lifecycleEvent(`${ev.provider}:${ev.providerMessageId}`, 'receipt_unmatched', deps.nodeId, {
        provider: ev.provider, providerMessageId: ev.providerMessageId, stat: ev.stat,
      }, now)));
      return;
    }
    await deliverReceipt(deps, ev, corr, log).done;
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
