/**
 * The delivery stage: takes what the gateway owes a customer (receipts) from the customer's
 * outbox topic and has the main thread send it over one of the customer's receiving binds on
 * this node. While no such bind is here the record stays uncommitted and is tried again, so
 * nothing is dropped when the customer is away; it goes out once the customer binds again.
 */
import type { ActorSpec } from '../../runtime/actor.js';
import type { ActorContext } from '../../runtime/context.js';
import type { MainLink } from '../../runtime/stage.js';
import type { DurableWriter } from '../../kafka/writer.js';
import type { Topics } from '../../kafka/topics.js';
import { decodeRecord, encodeRecord, type DeliveryRecord, type LifecycleEvent } from '../../domain/records.js';
import { replyWhenDone, type RecordMessage } from '../stage-message.js';

export interface DeliveryDeps {
  writer: DurableWriter;
  topics: Topics;
  nodeId: string;
  main: MainLink;
}

export function deliveryActor(deps: DeliveryDeps): ActorSpec<null, RecordMessage> {
  let held: { position: string; since: number; attempts: number } | undefined;
  return {
    kind: 'delivery',
    mailboxCapacity: 1024,
    init: () => null,
    receive: (state, message, ctx) => {
      const record = decodeRecord<DeliveryRecord>(message.record.value);
      replyWhenDone(ctx, deliver(record).then(
        () => release(ctx),
        (err: unknown) => {
          hold(ctx, `${message.record.partition}:${message.record.offset}`, record.customer);
          throw err;
        },
      ));
      return state;
    },
  };

  /**
   * For the inspector's outbox view: the record at the head of this partition that could not
   * be delivered (its customer has no receiving bind here), since when, and how often tried.
   * The partition is held behind it: its lag is what waits for the customer.
   */
  function hold(ctx: ActorContext<RecordMessage>, position: string, customer: string): void {
    if (held?.position !== position) held = { position, since: Date.now(), attempts: 0 };
    held.attempts++;
    ctx.setGauge('heldCustomer', customer);
    ctx.setGauge('heldSince', held.since);
    ctx.setGauge('attempts', held.attempts);
  }

  function release(ctx: ActorContext<RecordMessage>): void {
    if (!held) return;
    held = undefined;
    ctx.setGauge('heldCustomer', '');
    ctx.setGauge('attempts', 0);
  }

  async function deliver(record: DeliveryRecord): Promise<void> {
    await deps.main.deliver(record);
    const ev: LifecycleEvent = { messageId: record.messageId, type: 'delivered', at: Date.now(), node: deps.nodeId, detail: { stat: record.stat } };
    await deps.writer.append({ topic: deps.topics.events, key: record.messageId, value: encodeRecord(ev) });
  }
}
