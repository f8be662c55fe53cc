import { strict as assert } from 'node:assert';
import { foldRecords } from '../../../src/kafka/fold.js';
import { decodeEvents, lifecycleEvent } from '../../../src/domain/lifecycle.js';
import { eventRecord, eventsRecord } from '../../../src/actors/event-record.js';
import type { OutRecord } from '../../../src/kafka/out-record.js';

const topics = { events: 'x.message-events' };
const ev = (id: string, type: Parameters<typeof lifecycleEvent>[1], at: number) => lifecycleEvent(id, type, 'n1', { k: id }, at);

describe('foldRecords: the events of one produce request in one record', () => {
  it('folds single events and event arrays of several messages into one array, in order, where the first stood', () => {
    const other: OutRecord = { topic: 'x.provider-outgoing-messages', key: 'p', value: Buffer.from('{"m":1}'), partition: 0 };
    const records: OutRecord[] = [
      other,
      eventsRecord(topics, [ev('a', 'accepted', 1), ev('a', 'routed', 2)]),
      { topic: 'x.customer-outgoing-deliveries', key: 'acme', value: '{"d":1}' },
      eventRecord(topics, ev('b', 'submitted', 3)),
      eventRecord(topics, ev('c', 'delivered', 4)),
    ];
    const out = foldRecords(records, topics.events);
    assert.deepEqual(out.map((r) => r.topic), ['x.provider-outgoing-messages', 'x.message-events', 'x.customer-outgoing-deliveries']);
    assert.equal(out[0], other);
    assert.equal(out[1]!.key, 'a');
    assert.deepEqual(decodeEvents(out[1]!.value as Buffer).map((e) => [e.messageId, e.type, e.at, e.detail?.k]),
      [['a', 'accepted', 1, 'a'], ['a', 'routed', 2, 'a'], ['b', 'submitted', 3, 'b'], ['c', 'delivered', 4, 'c']]);
  });

  it('leaves a lone event, events with a partition or headers of their own, and tombstones as they are', () => {
    const lone = [eventRecord(topics, ev('a', 'accepted', 1)), { topic: 'y', key: 'k', value: '1' }];
    assert.deepEqual(foldRecords(lone, topics.events), lone);
    const pinned = [{ ...eventRecord(topics, ev('a', 'accepted', 1)), partition: 2 }, { ...eventRecord(topics, ev('b', 'accepted', 1)), headers: { h: '1' } }, { topic: topics.events, key: 'c', value: null }];
    assert.deepEqual(foldRecords(pinned, topics.events), pinned);
  });
});
