/** RestoreGuard against the real Redis: one rebuild per loss, however long it takes, and a dead rebuilder's lock lapses. */
import { strict as assert } from 'node:assert';
import { Redis } from 'ioredis';
import { RestoreGuard } from '../../../src/redis/restore-guard.js';
import { silentLogger } from '../../../src/log.js';
import { redisUrl, uniquePrefix } from '../../support/env.js';

describe('RestoreGuard: rebuilding Redis state from Kafka once, cluster-wide', function () {
  this.timeout(20000);
  let redis: Redis;
  before(() => { redis = new Redis(redisUrl); });
  after(() => redis?.disconnect());

  const guard = (sentinelKey: string, owner: string, runs: string[], ms: number) => new RestoreGuard(redis, {
    sentinelKey, owner, lockMs: 300, logger: silentLogger,
    rebuild: async () => {
      runs.push(owner);
      await new Promise((r) => setTimeout(r, ms));
      return 0;
    },
  });

  it('a rebuild longer than the lock is not taken over: its holder extends the lock, the others wait for it', async () => {
    const sentinel = `${uniquePrefix('guard')}restored`;
    const runs: string[] = [];
    const a = guard(sentinel, 'a', runs, 1200);
    const b = guard(sentinel, 'b', runs, 1200);
    const first = a.ensure();
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all([first, b.ensure(), a.ensure()]);
    assert.deepEqual(runs, ['a'], 'one rebuild, four times the lock long');
    assert.equal(await redis.exists(sentinel), 1);
    assert.equal(await redis.exists(`${sentinel}:lock`), 0, 'the lock let go');
    await b.ensure();
    assert.deepEqual(runs, ['a'], 'nothing to do once the sentinel is there');
  });

  it('the lock of a rebuilder that died lapses, and a waiter rebuilds', async () => {
    const sentinel = `${uniquePrefix('guard')}restored`;
    const runs: string[] = [];
    await redis.set(`${sentinel}:lock`, 'dead', 'PX', 500);
    const started = Date.now();
    await guard(sentinel, 'b', runs, 10).ensure();
    assert.deepEqual(runs, ['b']);
    assert.ok(Date.now() - started >= 400, 'waited for the dead holder\'s lock to lapse');
  });
});
