import { strict as assert } from 'node:assert';
import { backoffDelay } from '../../src/backoff.js';

describe('backoffDelay', () => {
  it('doubles from initialMs by default and stops at maxMs', () => {
    const b = { initialMs: 100, maxMs: 1000 };
    assert.deepEqual([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, b)), [100, 200, 400, 800, 1000, 1000]);
  });

  it('grows by the factor given', () => {
    assert.deepEqual([0, 1, 2, 3].map((n) => backoffDelay(n, { initialMs: 100, maxMs: 10_000, factor: 3 })), [100, 300, 900, 2700]);
    assert.deepEqual([0, 5].map((n) => backoffDelay(n, { initialMs: 100, maxMs: 10_000, factor: 1 })), [100, 100]);
  });

  it('counts a negative attempt as the first', () => {
    assert.equal(backoffDelay(-1, { initialMs: 100, maxMs: 1000 }), 100);
  });

  it('stays at maxMs for any number of attempts, and at 0 when initialMs is 0', () => {
    assert.equal(backoffDelay(5000, { initialMs: 100, maxMs: 1000 }), 1000);
    assert.equal(backoffDelay(5000, { initialMs: 0, maxMs: 1000 }), 0);
  });

  it('with equal jitter waits between half and all of the delay, in whole milliseconds', () => {
    const b = { initialMs: 100, maxMs: 1000, jitter: 'equal' as const };
    assert.equal(backoffDelay(0, b, () => 0), 50);
    assert.equal(backoffDelay(0, b, () => 1), 100);
    assert.equal(backoffDelay(3, b, () => 1), 800);
    assert.equal(backoffDelay(10, b, () => 1), 1000);
    assert.equal(backoffDelay(10, b, () => 0), 500);
    assert.equal(backoffDelay(0, { initialMs: 3, maxMs: 10, jitter: 'equal' }, () => 0.5), 2);
  });
});
