import { strict as assert } from 'node:assert';
import { BindSlots } from '../../../src/actors/session/bind-slots.js';
import { ClusterRateLimiter } from '../../../src/actors/session/rate-limiter.js';
import { silentLogger } from '../../../src/log.js';
import { connectRedis, type RedisClient } from '../../../src/redis/client.js';
import { redisUrl, uniquePrefix, waitFor } from '../../support/env.js';

describe('cluster-wide limits in Redis', function () {
  this.timeout(20000);
  const prefix = uniquePrefix('limits');
  let redis: RedisClient;
  before(async () => { redis = await connectRedis({ url: redisUrl, keyPrefix: prefix }, silentLogger); });
  after(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('bind slots are shared by nodes, and a node that stops heartbeating loses its slots after one lease', async () => {
    const a = new BindSlots(redis, prefix, 'node-a', { leaseMs: 600 });
    const b = new BindSlots(redis, prefix, 'node-b', { leaseMs: 600 });
    b.startHeartbeat(() => undefined);
    try {
      assert.equal(await a.acquire('acme', 's1', 2), true);
      assert.equal(await b.acquire('acme', 's2', 2), true);
      assert.equal(await b.acquire('acme', 's3', 2), false, 'the limit counts both nodes');
      // node-a "dies": it never refreshes. node-b's heartbeat keeps its own slot alive.
      await waitFor('node-a\'s slot to lapse', async () => b.acquire('acme', 's3', 2), 5000, 100);
      assert.equal(await b.count('acme'), 2);
      assert.equal(await a.acquire('acme', 's4', 2), false, 'node-b holds both now');
      await b.release('acme', 's3');
      assert.equal(await a.acquire('acme', 's4', 2), true);
    } finally {
      b.stopHeartbeat();
    }
  });

  it('a restarted node clears the slots its earlier run left', async () => {
    const a = new BindSlots(redis, prefix, 'node-c', { leaseMs: 60000 });
    await a.acquire('zeta', 's1', 5);
    await a.acquire('zeta', 's2', 5);
    assert.equal(await new BindSlots(redis, prefix, 'node-c').clearNode(['zeta']), 2);
    assert.equal(await a.count('zeta'), 0);
  });

  it('the rate limit is one bucket for the cluster: two limiters (nodes) together get the burst, not twice it', async () => {
    const n1 = new ClusterRateLimiter(redis, prefix);
    const n2 = new ClusterRateLimiter(redis, prefix);
    const limit = { rate: 0.5, burst: 10 };
    let granted = 0;
    for (let i = 0; i < 15; i++) {
      if (await n1.take('acme', 1, limit)) granted++;
      if (await n2.take('acme', 1, limit)) granted++;
    }
    assert.equal(granted, 10);
  });

  it('falls back to a per-node bucket when Redis cannot answer', async () => {
    const broken = await connectRedis({ url: redisUrl, keyPrefix: prefix }, silentLogger);
    broken.disconnect();
    let errors = 0;
    const l = new ClusterRateLimiter(broken, prefix, () => { errors++; });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await l.take('acme', 1, { rate: 0.5, burst: 2 }));
    assert.deepEqual(results, [true, true, false, false]);
    assert.ok(errors > 0);
  });
});
