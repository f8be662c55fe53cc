import { strict as assert } from 'node:assert';
import { slices, MAX_REQUEST_BYTES } from '../../../src/kafka/transactor.js';

describe('transaction output slices', () => {
  const rec = (bytes: number, i: number) => ({ topic: 't', key: `k${i}`, value: 'x'.repeat(bytes) });

  it('keeps every record, in order, in slices under the byte bound', () => {
    const records = Array.from({ length: 5000 }, (_, i) => rec(300, i));
    const out = slices(records, MAX_REQUEST_BYTES);
    assert.ok(out.length > 1);
    assert.deepEqual(out.flat().map((r) => r.key), records.map((r) => r.key));
    for (const s of out) {
      const size = s.reduce((n, r) => n + r.key.length + (r.value as string).length + 64, 0);
      assert.ok(size <= MAX_REQUEST_BYTES, `slice of ${size} bytes`);
    }
  });

  it('puts a record larger than the bound alone rather than dropping it, and counts tombstones', () => {
    const out = slices([rec(10, 0), rec(MAX_REQUEST_BYTES + 1, 1), { topic: 't', key: 'gone', value: null }], MAX_REQUEST_BYTES);
    assert.deepEqual(out.map((s) => s.map((r) => r.key)), [['k0'], ['k1'], ['gone']]);
  });

  it('returns nothing for nothing', () => {
    assert.deepEqual(slices([], 100), []);
  });
});
