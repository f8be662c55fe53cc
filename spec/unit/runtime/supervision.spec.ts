import { strict as assert } from 'node:assert';
import { backoffDelay } from '../../../src/backoff.js';
import { ConfigError } from '../../../src/errors.js';
import { decideRestart, defaultStrategy, resolveStrategy } from '../../../src/runtime/index.js';

describe('runtime/supervision (pure)', () => {
  it('defaults to restart, 10 within 60 s, backoff 100 ms..10 s', () => {
    const s = resolveStrategy();
    assert.equal(s.decider(new Error('x'), { address: { system: 's', path: '/a' }, kind: 'k', phase: 'receive', restarts: 0 }), 'restart');
    assert.deepEqual(s.budget, { maxRestarts: 10, withinMs: 60_000 });
    assert.equal(s.backoff.initialMs, 100);
    assert.equal(s.backoff.maxMs, 10_000);
    assert.equal(s.whenBudgetExceeded, 'stop');
    assert.ok(Object.isFrozen(s));
  });

  it('backoff grows by the factor and is capped', () => {
    const b = defaultStrategy.backoff;
    const delays = [0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, b));
    assert.deepEqual(delays, [100, 200, 400, 800, 1600, 10_000]);
  });

  it('allows maxRestarts within the window, then falls back', () => {
    const strategy = resolveStrategy({ budget: { maxRestarts: 3, withinMs: 1_000 } });
    let history: readonly number[] = [];
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const v = decideRestart(history, 10_000 + i, strategy);
      assert.equal(v.allowed, true);
      if (v.allowed) delays.push(v.delayMs);
      history = v.history;
    }
    assert.deepEqual(delays, [100, 200, 400]);
    const refused = decideRestart(history, 10_003, strategy);
    assert.equal(refused.allowed, false);
    assert.equal(refused.allowed === false && refused.fallback, 'stop');
  });

  it('forgets restarts older than the window', () => {
    const strategy = resolveStrategy({ budget: { maxRestarts: 2, withinMs: 1_000 } });
    const v = decideRestart([1_000, 1_500], 2_600, strategy);
    assert.equal(v.allowed, true);
    assert.deepEqual(v.history, [2_600]);
    assert.equal(v.allowed && v.delayMs, 100);
  });

  it('escalates instead of stopping when configured', () => {
    const strategy = resolveStrategy({ budget: { maxRestarts: 0, withinMs: 1_000 }, whenBudgetExceeded: 'escalate' });
    const v = decideRestart([], 5, strategy);
    assert.equal(v.allowed === false && v.fallback, 'escalate');
  });

  it('names the bad field when a strategy is invalid', () => {
    assert.throws(
      () => resolveStrategy({ backoff: { initialMs: 10, maxMs: 5, factor: 2 } }),
      (err: unknown) => err instanceof ConfigError && err.field === 'supervision.backoff.maxMs',
    );
    assert.throws(
      () => resolveStrategy({ budget: { maxRestarts: -1, withinMs: 10 } }),
      (err: unknown) => err instanceof ConfigError && err.field === 'supervision.budget.maxRestarts',
    );
  });
});
