/** A lifecycle event as the record that carries it: message-events, keyed by its message id. */
import { encodeRecord, type LifecycleEvent } from '../domain/records.js';
import type { Topics } from '../kafka/topics.js';
import type { OutRecord } from '../kafka/writer.js';

export function eventRecord(topics: Pick<Topics, 'events'>, event: LifecycleEvent): OutRecord {
  return { topic: topics.events, key: event.messageId, value: encodeRecord(event) };
}
