/**
 * Lifecycle events (message-events): one step in a message's life, as data. Pure; the actors
 * turn one into a Kafka record with eventRecord (src/actors/event-record.ts).
 */
import type { LifecycleEvent, LifecycleType } from './records.js';

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
