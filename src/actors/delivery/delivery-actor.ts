/**
 * The delivery stage: takes what the gateway owes a customer (receipts) from the customer's
 * outbox topic and sends it over one of the customer's receiving binds on this node. While no
 * such bind is here the record stays uncommitted and is tried again, so nothing is dropped
 * when the customer is away; it goes out once the customer binds again.
 */
import type { ActorSpec } from '../../runtime/actor.js';
import type { DurableWriter } from '../../kafka/writer.js';
import type { Topics } from '../../kafka/topics.js';
import { UnavailableError } from '../../errors.js';
import { decodeRecord, encodeRecord, type DeliveryRecord, type LifecycleEvent } from '../../domain/records.js';
import type { LocalSessions } from '../session/local-sessions.js';
import { replyWhenDone, type RecordMessage } from '../stage-message.js';

export interface DeliveryDeps {
  writer: DurableWriter;
  topics: Topics;
  local: LocalSessions;
  nodeId: string;
  responseTimeoutMs: number;
}

export function deliveryActor(deps: DeliveryDeps): ActorSpec<null, RecordMessage> {
  return {
    kind: 'delivery',
    mailboxCapacity: 1024,
    init: () => null,
    receive: (state, message, ctx) => {
      replyWhenDone(ctx, deliver(decodeRecord<DeliveryRecord>(message.record.value)));
      return state;
    },
  };

  async function deliver(record: DeliveryRecord): Promise<void> {
    const session = deps.local.receiverFor(record.customer);
    if (!session) throw new UnavailableError('CUSTOMER_NOT_BOUND', `no receiving bind of ${record.customer} on this node`);
    await session.ref.ask<void>({ type: 'deliver', record }, deps.responseTimeoutMs);
    const ev: LifecycleEvent = { messageId: record.messageId, type: 'delivered', at: Date.now(), node: deps.nodeId, detail: { session: session.id, stat: record.stat } };
    await deps.writer.append({ topic: deps.topics.events, key: record.messageId, value: encodeRecord(ev) });
  }
}
