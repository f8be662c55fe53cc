import { strict as assert } from 'node:assert';
import { ThrottlePause } from '../../../src/actors/supplier/throttle-pause.js';
import { retryDecision, MAX_RETRY_DELAY_MS } from '../../../src/actors/supplier/retry-policy.js';
import { unavailableFrom } from '../../../src/redis/stores/bind-state.js';

describe('ThrottlePause', () => {
  it('pauses once per burst: answers to submits sent before the pause began do not extend it', () => {
    const p = new ThrottlePause(100, 1000);
    assert.equal(p.throttled(0, 10), 100);
    assert.equal(p.throttled(5, 12), 0, 'same burst, pause running');
    assert.equal(p.throttled(8, 150), 0, 'sent before the pause began');
  });

  it('doubles while throttling persists after a resume, up to the maximum, and starts over once a later submit is accepted', () => {
    const p = new ThrottlePause(100, 300);
    assert.equal(p.throttled(0, 0), 100);
    assert.equal(p.throttled(120, 130), 200);
    assert.equal(p.throttled(400, 410), 300);
    assert.equal(p.throttled(800, 810), 300);
    p.accepted(500); // sent during the last pause window: says nothing about now
    assert.equal(p.nextPauseMs, 300);
    p.accepted(1200);
    assert.equal(p.nextPauseMs, 100);
    assert.throws(() => new ThrottlePause(0, 10), RangeError);
  });
});

describe('retryDecision', () => {
  const limits = { maxAttempts: 4, maxRetryAgeMs: 60000, retryDelayMs: 1000 };
  it('retries with a doubling delay until the attempts run out', () => {
    assert.deepEqual(retryDecision(1, 0, limits), { retry: true, delayMs: 1000 });
    assert.deepEqual(retryDecision(2, 0, limits), { retry: true, delayMs: 2000 });
    assert.deepEqual(retryDecision(3, 0, limits), { retry: true, delayMs: 4000 });
    assert.deepEqual(retryDecision(4, 0, limits), { retry: false, why: 'attempts' });
  });
  it('stops when the retry would go out past the age limit, and caps the delay', () => {
    assert.deepEqual(retryDecision(1, 59500, limits), { retry: false, why: 'age' });
    assert.deepEqual(retryDecision(10, 0, { ...limits, maxAttempts: 50, maxRetryAgeMs: 10 ** 7 }), { retry: true, delayMs: MAX_RETRY_DELAY_MS });
  });
});

describe('unavailableFrom', () => {
  it('counts only providers claimed down; paused and unclaimed ones stay routable', () => {
    const claims = new Map([
      ['a', { state: 'down' as const, node: 'n1', at: 1 }],
      ['b', { state: 'paused' as const, node: 'n1', at: 1 }],
      ['c', { state: 'bound' as const, node: 'n2', at: 1 }],
      ['d', null],
    ]);
    assert.deepEqual([...unavailableFrom(claims)], ['a']);
  });
});
