/**
 * Lifecycle events (message-events): one step in a message's life, as data. Pure; the actors
 * turn them into Kafka records with eventRecord (src/actors/event-record.ts).
 *
 * A message-events record holds one event, or several steps of one message taken at once (the
 * edge accepts and routes a single-part message in one write) as a JSON array: one record
 * instead of one per step. Readers take both with decodeEvents.
 */
import { decodeRecord, type LifecycleEvent, type LifecycleType } from './records.js';

/** The event `type` of `messageId` seen on `node`; `detail` is left out when not given. */
export function lifecycleEvent<T extends LifecycleType>(
  messageId: string,
  type: T,
  node: string,
  detail?: LifecycleEvent['detail'],
  at: number = Date.now(),
): LifecycleEvent & { type: T } {
  const ev: LifecycleEvent & { type: T } = { messageId, type, at, node };
  if (detail !== undefined) ev.detail = detail;
  return ev;
}

/** The events a message-events record carries, in the order they happened. */
export function decodeEvents(value: Buffer): LifecycleEvent[] {
  const v = decodeRecord<LifecycleEvent | LifecycleEvent[]>(value);
  return Array.isArray(v) ? v : [v];
}
