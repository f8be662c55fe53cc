import { strict as assert } from 'node:assert';
import type { OutRecord } from '../../../src/kafka/writer.js';
import { MAX_REQUEST_BYTES, recordBytes, splitRequests, takeRequest, topicMessages } from '../../../src/kafka/request-split.js';

describe('kafka/request-split', () => {
  const rec = (bytes: number, i: number): OutRecord => ({ topic: 't', key: `k${i}`, value: 'x'.repeat(bytes) });
  const keys = (runs: OutRecord[][]) => runs.map((s) => s.map((r) => r.key));

  it('counts key, value and a fixed allowance; a tombstone has no value', () => {
    assert.equal(recordBytes({ topic: 't', key: 'ab', value: 'héllo' }), 2 + 6 + 64);
    assert.equal(recordBytes({ topic: 't', key: 'ab', value: Buffer.alloc(10) }), 2 + 10 + 64);
    assert.equal(recordBytes({ topic: 't', key: 'ab', value: null }), 2 + 64);
  });

  it('keeps every record, in order, in requests under the byte bound', () => {
    const records = Array.from({ length: 5000 }, (_, i) => rec(300, i));
    const out = splitRequests(records, { maxBytes: MAX_REQUEST_BYTES });
    assert.ok(out.length > 1);
    assert.deepEqual(out.flat().map((r) => r.key), records.map((r) => r.key));
    for (const s of out) {
      const size = s.reduce((n, r) => n + recordBytes(r), 0);
      assert.ok(size <= MAX_REQUEST_BYTES, `request of ${size} bytes`);
    }
  });

  it('bounds a request by count too', () => {
    const records = Array.from({ length: 7 }, (_, i) => rec(1, i));
    assert.deepEqual(splitRequests(records, { maxBytes: MAX_REQUEST_BYTES, maxRecords: 3 }).map((s) => s.length), [3, 3, 1]);
  });

  it('puts a record larger than the bound alone rather than dropping it, and counts tombstones', () => {
    const out = splitRequests([rec(10, 0), rec(MAX_REQUEST_BYTES + 1, 1), { topic: 't', key: 'gone', value: null }], { maxBytes: MAX_REQUEST_BYTES });
    assert.deepEqual(keys(out), [['k0'], ['k1'], ['gone']]);
  });

  it('returns nothing for nothing', () => {
    assert.deepEqual(splitRequests([], { maxBytes: 100 }), []);
    assert.equal(takeRequest([], { maxBytes: 100 }, () => ({ records: 1, bytes: 1 })), 0);
  });

  it('takes groups whole: a group over a limit goes alone, and the take starts where asked', () => {
    const groups = [{ records: 2, bytes: 10 }, { records: 2, bytes: 10 }, { records: 5, bytes: 10 }, { records: 1, bytes: 10 }];
    const limits = { maxBytes: 1000, maxRecords: 4 };
    assert.equal(takeRequest(groups, limits, (g) => g), 2);
    assert.equal(takeRequest(groups, limits, (g) => g, 2), 1, 'five records, over the count, alone');
    assert.equal(takeRequest(groups, limits, (g) => g, 3), 1);
    assert.equal(takeRequest(groups, { maxBytes: 25 }, (g) => g), 2);
  });

  it('an empty group does not count as the first of a request', () => {
    assert.equal(takeRequest([{ records: 0, bytes: 0 }, { records: 5, bytes: 10 }], { maxBytes: 100, maxRecords: 4 }, (g) => g), 2);
  });

  it('groups a request by topic in order of first appearance, keeping partition and headers only when set', () => {
    const out = topicMessages([
      { topic: 'a', key: '1', value: 'x' },
      { topic: 'b', key: '2', value: null, partition: 3 },
      { topic: 'a', key: '3', value: 'y', headers: { h: 'v' } },
    ]);
    assert.deepEqual(out, [
      { topic: 'a', messages: [{ key: '1', value: 'x' }, { key: '3', value: 'y', headers: { h: 'v' } }] },
      { topic: 'b', messages: [{ key: '2', value: null, partition: 3 }] },
    ]);
  });
});
