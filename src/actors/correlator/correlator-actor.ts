/**
 * The correlator stage: matches each provider receipt to the gateway message it is about and,
 * if the customer asked, puts a receipt in the customer's outbox. A receipt can overtake the
 * supplier's write of the correlation (the provider answers submit_sm and sends the receipt
 * back to back), so an unmatched one is looked up again for a while before it is reported.
 */
import type { ActorSpec } from '../../runtime/actor.js';
import type { DurableWriter, OutRecord } from '../../kafka/writer.js';
import type { Topics } from '../../kafka/topics.js';
import type { CorrelationLookup } from './correlation-lookup.js';
import { decodeRecord, encodeRecord, type DeliveryRecord, type LifecycleEvent, type ProviderEventRecord } from '../../domain/records.js';
import { wantsReceipt } from './receipt-policy.js';
import { replyWhenDone, type RecordMessage } from '../stage-message.js';
import type { Logger } from '../../log.js';
import type { MessageStateStore } from '../session/message-state.js';
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
  seen?: Pick<ReceiptsSeen, 'handled' | 'mark'>;
}

export function correlatorActor(deps: CorrelatorDeps): ActorSpec<null, RecordMessage> {
  return {
    kind: 'correlator',
    mailboxCapacity: 1024,
    init: () => null,
    receive: (state, message, ctx) => {
      replyWhenDone(ctx, correlate(decodeRecord<ProviderEventRecord>(message.record.value), ctx.log));
      return state;
    },
  };

  async function correlate(ev: ProviderEventRecord, log: Logger): Promise<void> {
    // Redis away: handle it (a repeated receipt rather than a lost one).
    if (deps.seen && await deps.seen.handled(ev.provider, ev.providerMessageId, ev.stat).catch(() => false)) {
      log.debug('provider receipt already handled', { provider: ev.provider, providerMessageId: ev.providerMessageId, stat: ev.stat });
      return;
    }
    const ids = ev.lookupIds ?? [ev.providerMessageId];
    const corr = await deps.correlation.find(ev.provider, ids);
    const now = Date.now();
    if (!corr) {
      log.warn('receipt matches no submitted message', { provider: ev.provider, providerMessageId: ev.providerMessageId });
      const unmatched: LifecycleEvent = {
        messageId: `${ev.provider}:${ev.providerMessageId}`, type: 'receipt_unmatched', at: now, node: deps.nodeId,
        detail: { provider: ev.provider, providerMessageId: ev.providerMessageId, stat: ev.stat },
      };
      await deps.writer.append({ topic: deps.topics.events, key: unmatched.messageId, value: encodeRecord(unmatched) });
      return;
    }
    const records: OutRecord[] = [{
      topic: deps.topics.events, key: corr.messageId,
      value: encodeRecord({ messageId: corr.messageId, type: 'receipt', at: now, node: deps.nodeId, detail: { stat: ev.stat, provider: ev.provider } } satisfies LifecycleEvent),
    }];
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
      await deps.states?.receipt(t.id, ev.stat, ev.err, now).catch((err: unknown) =>
        log.warn('message state not updated', { error: err instanceof Error ? err.message : String(err) }));
    }
  }
}
