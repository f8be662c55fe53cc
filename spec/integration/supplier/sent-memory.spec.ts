/**
 * The supplier's sent memory against the real Redis: one key per provider and message holds a
 * send's claim or the message's settled entry.
 */
import { strict as assert } from 'node:assert';
import { Redis } from 'ioredis';
import { SentMemory } from '../../../src/actors/supplier/sent-memory.js';
import { RestoreGuard } from '../../../src/redis/restore-guard.js';
import { silentLogger } from '../../../src/log.js';
import { redisUrl, uniquePrefix } from '../../support/env.js';

describe('sent memory: claims and settled messages in Redis', function () {
  this.timeout(20000);
  let redis: Redis;
  let memory: SentMemory;
  /** What the journal would rebuild (the spec's stand-in for the correlations replay), and how often it ran. */
  let journal: Parameters<SentMemory['restore']>[0] = [];
  let rebuilds = 0;

  before(() => {
    redis = new Redis(redisUrl);
    let guard: RestoreGuard | undefined;
    memory = new SentMemory(redis, uniquePrefix('sent'), 3600, { ensure: () => guard!.ensure() }, 400);
    guard = new RestoreGuard(redis, {
      sentinelKey: memory.sentinelKey, owner: 'spec', lockMs: 5000, logger: silentLogger,
      rebuild: async () => {
        rebuilds++;
        await new Promise((r) => setTimeout(r, 200));
        await memory.restore(journal);
        return journal.length;
      },
    });
  });
  after(() => redis?.disconnect());

  it('claims a message once: a second token finds it busy, the first finds its own claim', async () => {
    assert.deepEqual(await memory.claim('p', 'm1', 'a'), { kind: 'claimed' });
    assert.deepEqual(await memory.claim('p', 'm1', 'b'), { kind: 'busy', by: 'a' });
    assert.deepEqual(await memory.claim('p', 'm1', 'a'), { kind: 'claimed' });
    assert.deepEqual(await memory.claim('q', 'm1', 'b'), { kind: 'claimed' }, 'per provider');
  });

  it('a settled message is reported settled to every later claim, with its outcome', async () => {
    await memory.claim('p', 'm2', 'a');
    await memory.remember('p', 'm2', { providerMessageIds: ['x1', 'x2'], at: 5 });
    assert.deepEqual(await memory.claim('p', 'm2', 'b'), { kind: 'settled', entry: { providerMessageIds: ['x1', 'x2'], at: 5 } });
    await memory.remember('p', 'm3', { providerMessageIds: [], at: 6, outcome: 'failed' });
    assert.deepEqual(await memory.claim('p', 'm3', 'b'), { kind: 'settled', entry: { providerMessageIds: [], at: 6, outcome: 'failed' } });
    assert.ok(await redis.ttl(memory.key('p', 'm2')) > 3000, 'settled entries keep their hour');
  });

  it('a released claim lets the next copy claim at once; another\'s claim is not released', async () => {
    await memory.claim('p', 'm4', 'a');
    await memory.release('p', 'm4', 'b');
    assert.deepEqual(await memory.claim('p', 'm4', 'b'), { kind: 'busy', by: 'a' });
    await memory.release('p', 'm4', 'a');
    assert.deepEqual(await memory.claim('p', 'm4', 'b'), { kind: 'claimed' });
  });

  it('a claim not extended lapses (a dead sender); an extended one holds; extending never shortens a settled entry', async () => {
    await memory.claim('p', 'm5', 'dead');
    await memory.claim('p', 'm6', 'alive');
    await memory.remember('p', 'm7', { providerMessageIds: ['y'], at: 7 });
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 150));
      // The token of m7 is not the one it holds: it must not be touched.
      assert.equal(await memory.extend(new Map([[memory.key('p', 'm6'), 'alive'], [memory.key('p', 'm7'), 'alive']])), 1);
    }
    assert.deepEqual(await memory.claim('p', 'm5', 'next'), { kind: 'claimed' }, 'the dead sender\'s claim lapsed');
    assert.deepEqual(await memory.claim('p', 'm6', 'next'), { kind: 'busy', by: 'alive' });
    assert.ok(await redis.ttl(memory.key('p', 'm7')) > 3000);
    assert.equal(await memory.extend(new Map()), 0);
  });

  it('a send abandoned after some parts were taken leaves them for the next sender, who claims the message with them', async () => {
    await memory.claim('p', 'm8', 'a');
    await memory.release('p', 'm8', 'a', { providerMessageIds: ['z1'], parts: 3 });
    assert.deepEqual(await memory.claim('p', 'm8', 'b'), { kind: 'claimed', resume: { providerMessageIds: ['z1'], parts: 3 } });
    assert.deepEqual(await memory.claim('p', 'm8', 'c'), { kind: 'busy', by: 'b' }, 'taken over: claimed by b now');
    assert.equal(await memory.extend(new Map([[memory.key('p', 'm8'), 'b']])), 1);
    await memory.remember('p', 'm8', { providerMessageIds: ['z1', 'z2', 'z3'], at: 8 });
    assert.deepEqual(await memory.claim('p', 'm8', 'c'), { kind: 'settled', entry: { providerMessageIds: ['z1', 'z2', 'z3'], at: 8 } });
    // Nothing taken: the key is simply freed.
    await memory.claim('p', 'm9', 'a');
    await memory.release('p', 'm9', 'a', { providerMessageIds: [], parts: 2 });
    assert.deepEqual(await memory.claim('p', 'm9', 'b'), { kind: 'claimed' });
  });

  it('Redis lost its state: claims wait for the rebuild from the journal, then find what it brought back', async () => {
    await memory.claim('p', 'm20', 'a'); // a fresh prefix: the first claim rebuilt (nothing)
    const ran = rebuilds;
    // Settled before the loss; the journal holds it, as the correlations journal would.
    journal = [{ provider: 'p', messageId: 'm21', value: { providerMessageIds: ['j1'], at: 9 }, ttlSeconds: 3000 }];
    await redis.del(memory.sentinelKey, memory.key('p', 'm21'), memory.key('p', 'm20'));
    const [copy, other, again] = await Promise.all([memory.claim('p', 'm21', 'b'), memory.claim('p', 'm22', 'b'), memory.claim('p', 'm21', 'c')]);
    assert.deepEqual(copy, { kind: 'settled', entry: { providerMessageIds: ['j1'], at: 9 } }, 'not claimed in the empty Redis');
    assert.deepEqual(again, copy);
    assert.deepEqual(other, { kind: 'claimed' }, 'a message the journal does not know is sent');
    assert.equal(rebuilds, ran + 1, 'one rebuild for every claim that waited');
    assert.ok(await redis.ttl(memory.key('p', 'm21')) > 2900, 'with what was left of its hour');
    // A settled entry written since Redis came back is not overwritten by the rebuild.
    await memory.remember('p', 'm23', { providerMessageIds: ['new'], at: 10 });
    await memory.restore([{ provider: 'p', messageId: 'm23', value: { providerMessageIds: ['old'], at: 1 }, ttlSeconds: 3000 }]);
    assert.deepEqual(await memory.claim('p', 'm23', 'd'), { kind: 'settled', entry: { providerMessageIds: ['new'], at: 10 } });
  });
});
