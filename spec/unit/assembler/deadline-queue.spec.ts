import { strict as assert } from 'node:assert';
import { DeadlineQueue } from '../../../src/actors/assembler/deadline-queue.js';
import { rng, shuffle } from './support.js';

describe('assembler deadline queue', () => {
  it('pops by time, then key, whatever the insertion order', () => {
    const random = rng(7);
    const items = Array.from({ length: 500 }, (_, i) => ({ at: Math.floor(random() * 50), key: `k${i % 37}` }));
    const expected = [...items].sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (let round = 0; round < 5; round++) {
      const q = new DeadlineQueue();
      for (const { at, key } of shuffle(items, random)) q.push(at, key);
      assert.equal(q.size, items.length);
      const popped = [];
      for (let d = q.pop(); d; d = q.pop()) popped.push(d);
      assert.deepEqual(popped, expected);
      assert.equal(q.size, 0);
    }
  });

  it('peeks without removing and is empty when drained', () => {
    const q = new DeadlineQueue();
    assert.equal(q.peek(), undefined);
    assert.equal(q.pop(), undefined);
    q.push(5, 'b');
    q.push(5, 'a');
    assert.deepEqual(q.peek(), { at: 5, key: 'a' });
    assert.equal(q.size, 2);
  });
});

describe('assembler deadline queue pruning', () => {
  it('keeps only what the predicate accepts, still in order', () => {
    const q = new DeadlineQueue();
    for (let i = 0; i < 100; i++) q.push(100 - i, `k${i}`);
    q.prune((d) => d.at % 2 === 0);
    assert.equal(q.size, 50);
    const ats = [];
    for (let d = q.pop(); d; d = q.pop()) ats.push(d.at);
    assert.deepEqual(ats, Array.from({ length: 50 }, (_, i) => 2 * (i + 1)));
  });
});
