import { strict as assert } from 'node:assert';
import { readiness, type ReadinessFacts } from '../../../src/control/readiness.js';

const healthy = (): ReadinessFacts => ({
  listeners: { configured: 2, listening: 2 },
  kafka: { ok: true },
  redis: { ok: true },
  workers: { configured: 2, ready: 2, givenUp: 0 },
  stopping: false,
});

describe('control/readiness', () => {
  it('is ready when every check passes', () => {
    const r = readiness(healthy());
    assert.equal(r.ready, true);
    assert.deepEqual(Object.values(r.checks).map((c) => c.ok), [true, true, true, true, true]);
  });

  it('names each failing check and why', () => {
    const cases: [Partial<ReadinessFacts>, string, RegExp][] = [
      [{ listeners: { configured: 2, listening: 1 } }, 'listeners', /1 of 2 SMPP listeners/],
      [{ kafka: { ok: false, error: 'Kafka did not answer within 2000 ms' } }, 'kafka', /did not answer/],
      [{ redis: { ok: false, error: 'ECONNREFUSED' } }, 'redis', /ECONNREFUSED/],
      [{ workers: { configured: 2, ready: 1, givenUp: 0 } }, 'stages', /1 of 2 stage worker threads are running/],
      [{ workers: { configured: 2, ready: 1, givenUp: 1 } }, 'stages', /given up/],
      [{ stopping: true }, 'node', /stopping/],
    ];
    for (const [change, check, why] of cases) {
      const r = readiness({ ...healthy(), ...change });
      assert.equal(r.ready, false, check);
      const failing = Object.entries(r.checks).filter(([, c]) => !c.ok);
      assert.deepEqual(failing.map(([k]) => k), [check]);
      const c = r.checks[check as keyof typeof r.checks];
      assert.match(c.ok ? '' : c.error, why);
    }
  });
});
