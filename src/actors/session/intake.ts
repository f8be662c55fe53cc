/**
 * Taking a message from a customer, whichever edge it came through (an SMPP session, the HTTP
 * API): the customer's rate limit, the `accepted` lifecycle event, the state query_sm and
 * `GET /v1/messages/{id}` read, routing at the edge, and the durable write. It resolves only
 * once the records are acknowledged by the brokers (acks=all): only then may the customer be
 * told the message was accepted.
 */
import type { CustomerConfig } from '../../config/types.js';
import type { CustomerOverrides } from '../../control/customer-controls.js';
import { partKey, encodeRecord, type LifecycleEvent } from '../../domain/records.js';
import { lifecycleEvent } from '../../domain/lifecycle.js';
import { GatewayError, errorMessage } from '../../errors.js';
import type { Topics } from '../../kafka/topics.js';
import type { DurableWriter, OutRecord } from '../../kafka/writer.js';
import type { Logger } from '../../log.js';
import type { MessageStateStore } from '../../redis/stores/message-state.js';
import { eventRecord } from '../event-record.js';
import type { EdgeRouting } from './edge-router.js';
import type { ClusterRateLimiter } from './rate-limiter.js';
import type { Accepted } from './submit.js';

export interface IntakeDeps {
  writer: DurableWriter;
  topics: Topics;
  nodeId: string;
  limiter: Pick<ClusterRateLimiter, 'take'>;
  states: Pick<MessageStateStore, 'accepted'>;
  overrides: CustomerOverrides;
  routing?: EdgeRouting;
}

/** The customer is over its rate (parts per second across the cluster): nothing was written. */
export class RateExceededError extends GatewayError {
  constructor(readonly customer: string, readonly rate: number, readonly parts: number) {
    super('RATE_EXCEEDED', `${customer} is over its rate of ${rate} parts per second`, { retriable: true });
  }
}

/**
 * Takes `accepted` for `customer`: resolves with its message id once durable in Kafka; rejects
 * with RateExceededError (nothing written), WriterQueueFullError, or whatever kept Kafka from
 * taking it. `detail` goes into the `accepted` event (the session, the edge).
 */
export async function takeMessage(
  deps: IntakeDeps, customer: CustomerConfig, accepted: Accepted, detail: Record<string, unknown>, log: Logger, now: number,
): Promise<string> {
  return (await takeMessages(deps, customer, [accepted], detail, log, now))[0]!;
}

/**
 * Takes several messages at once (an HTTP batch): all within the rate or none, and all in one
 * write. Resolves with their ids in order once every one is durable.
 */
export async function takeMessages(
  deps: IntakeDeps, customer: CustomerConfig, batch: readonly Accepted[], detail: Record<string, unknown>, log: Logger, now: number,
): Promise<string[]> {
  // An operator's rate brings its own bucket, sized as the configuration's default would be.
  const override = deps.overrides.rateOf(customer.systemId);
  const rate = override ?? customer.rate;
  const burst = override === undefined ? customer.burst : Math.max(1, Math.ceil(override));
  const parts = batch.reduce((n, a) => n + a.parts, 0);
  if (rate !== undefined && !(await deps.limiter.take(customer.systemId, parts, { rate, burst }))) {
    throw new RateExceededError(customer.systemId, rate, parts);
  }
  const ids = batch.map((a) => (a.kind === 'message' ? a.record.id : a.record.partId));
  const records = await Promise.all(batch.map((accepted, i) => {
    const event = lifecycleEvent(ids[i]!, 'accepted', deps.nodeId, {
      customer: customer.systemId, ...detail, ...(accepted.kind === 'part' ? { part: accepted.record.seq, of: accepted.record.total } : {}),
      ...(accepted.kind === 'message' && accepted.record.reference !== undefined ? { reference: accepted.record.reference } : {}),
    }, now);
    return recordsOf(deps, accepted, event);
  }));
  // The state query_sm reads is written alongside; losing it never fails the submit.
  const remembered = Promise.all(batch.map((a, i) => deps.states.accepted([ids[i]!], customer.systemId, a.record.source.addr)))
    .catch((err: unknown) => log.warn('message state not stored', { error: errorMessage(err) }));
  await Promise.all([deps.writer.append(records.flat()), remembered]);
  return ids;
}

/** A single-part message routed here when a route takes it; anything else for the next stage. */
async function recordsOf(deps: IntakeDeps, accepted: Accepted, event: LifecycleEvent): Promise<OutRecord[]> {
  if (accepted.kind === 'message') {
    const routed = await deps.routing?.route(accepted.record, event);
    if (routed) return routed;
  }
  return [
    accepted.kind === 'message'
      ? { topic: deps.topics.messages, key: accepted.record.id, value: encodeRecord(accepted.record) }
      : { topic: deps.topics.messageParts, key: partKey(accepted.record), value: encodeRecord(accepted.record) },
    eventRecord(deps.topics, event),
  ];
}
