import { strict as assert } from 'node:assert';
import { InOrderOffsets } from '../../../src/kafka/in-order-offsets.js';

describe('kafka: InOrderOffsets', () => {
  it('resolves nothing past a record still in flight, then everything finished behind it at once', () => {
    const o = new InOrderOffsets(['10', '11', '12', '13']);
    // 12 is the dead-lettered record: finished (set aside) before 10 and 11 were handled.
    assert.deepEqual(o.finish(2), []);
    assert.deepEqual(o.finish(1), []);
    assert.deepEqual(o.finish(0), ['10', '11', '12']);
    assert.equal(o.resolvedCount, 3);
    assert.deepEqual(o.finish(3), ['13']);
  });

  it('resolves each offset once, in order, whatever the finishing order', () => {
    const offsets = Array.from({ length: 50 }, (_, i) => String(100 + i));
    const order = offsets.map((_, i) => i).sort(() => Math.random() - 0.5);
    const o = new InOrderOffsets(offsets);
    const out: string[] = [];
    for (const i of order) out.push(...o.finish(i));
    assert.deepEqual(out, offsets);
  });
});
