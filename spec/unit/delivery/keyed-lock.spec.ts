import { strict as assert } from 'node:assert';
import { KeyedLock } from '../../../src/actors/delivery/keyed-lock.js';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

describe('KeyedLock', () => {
  it('runs work of one key one at a time, in call order, even when earlier work fails', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const a = lock.run('c', async () => { log.push('a+'); await tick(20); log.push('a-'); });
    const b = lock.run('c', async () => { log.push('b+'); await tick(1); throw new Error('b fails'); });
    const c = lock.run('c', async () => { log.push('c+'); log.push('c-'); return 3; });
    await a;
    await assert.rejects(b, /b fails/);
    assert.equal(await c, 3);
    assert.deepEqual(log, ['a+', 'a-', 'b+', 'c+', 'c-']);
  });

  it('runs different keys concurrently and forgets idle keys', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const slow = lock.run('x', async () => { await tick(20); log.push('x'); });
    await lock.run('y', async () => { log.push('y'); });
    assert.deepEqual(log, ['y'], 'y did not wait for x');
    await slow;
    await tick();
    assert.equal(lock.size, 0);
  });
});
