/** The state query_sm reads, against the real Redis: one string per message, one command each way. */
import { strict as assert } from 'node:assert';
import { Redis } from 'ioredis';
import { MessageStateStore } from '../../../src/redis/stores/message-state.js';
import { redisKeys } from '../../../src/redis/keys.js';
import { MessageState } from '../../../src/smpp/status.js';
import { redisUrl, uniquePrefix } from '../../support/env.js';

describe('message state: what query_sm reads', function () {
  this.timeout(20000);
  const prefix = uniquePrefix('state');
  let redis: Redis;
  let store: MessageStateStore;

  before(() => {
    redis = new Redis(redisUrl);
    store = new MessageStateStore(redis, prefix, 60);
  });
  after(() => redis?.disconnect());

  it('is en route once accepted, final with the receipt\'s time and error, and expires after its last change', async () => {
    await store.accepted(['a1', 'a2'], 'acme', '4477');
    assert.deepEqual(await store.get('a2'), { customer: 'acme', source: '4477', state: MessageState.ENROUTE, finalAt: 0, errorCode: 0 });
    await store.receipt('a1', { customer: 'acme', source: '4477' }, 'UNDELIV', '011', 1234);
    assert.deepEqual(await store.get('a1'), { customer: 'acme', source: '4477', state: MessageState.UNDELIVERABLE, finalAt: 1234, errorCode: 11 });
    const ttl = await redis.ttl(redisKeys(prefix).messageState('a1'));
    assert.ok(ttl > 0 && ttl <= 60, `ttl ${ttl}`);
  });

  it('a receipt for a message whose state is gone (expired, or never here) creates nothing', async () => {
    await store.receipt('gone', { customer: 'acme', source: '4477' }, 'DELIVRD', '000', 1);
    assert.equal(await store.get('gone'), undefined);
    assert.equal(await redis.exists(redisKeys(prefix).messageState('gone')), 0);
  });

  it('still reads a state an earlier version wrote as a hash', async () => {
    await redis.hset(redisKeys(prefix).messageState('h1'), { customer: 'acme', source: 'X', state: MessageState.DELIVERED, finalAt: 5, errorCode: 0 });
    assert.deepEqual(await store.get('h1'), { customer: 'acme', source: 'X', state: MessageState.DELIVERED, finalAt: 5, errorCode: 0 });
    await store.receipt('h1', { customer: 'acme', source: 'X' }, 'EXPIRED', '000', 6);
    assert.equal((await store.get('h1'))?.state, MessageState.EXPIRED);
  });
});
