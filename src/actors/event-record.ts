/** Lifecycle events as the record that carries them: message-events, keyed by their message id. */
import { encodeRecord, type LifecycleEvent } from '../domain/records.js';
import type { Topics } from '../kafka/topics.js';
import type { OutRecord } from '../kafka/writer.js';

export function eventRecord(topics: Pick<Topics, 'events'>, event: LifecycleEvent): OutRecord {
  return { topic: topics.events, key: event.messageId, value: encodeRecord(event) };
}

/** Several steps of one message in one record (see decodeEvents). */
export function eventsRecord(topics: Pick<Topics, 'events'>, events: readonly [LifecycleEvent, ...LifecycleEvent[]]): OutRecord {
  if (events.length === 1) return eventRecord(topics, events[0]);
  const messageId = events[0].messageId;
  if (events.some((e) => e.messageId !== messageId)) throw new Error('eventsRecord: events of different messages');
  return { topic: topics.events, key: messageId, value: encodeRecord(events) };
}
