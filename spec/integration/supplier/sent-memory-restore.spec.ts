/**
 * A copy of a routed record (a router that routed a batch again after a lost offset commit)
 * meets a Redis that restarted empty: the provider took the message before, so the copy must
 * not reach it again. The sent memory comes back from the correlations journal before any
 * copy is claimed.
 */
import { strict as assert } from 'node:assert';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import { brokers, uniquePrefix, waitFor } from '../../support/env.js';
import { startGateway, type RunningGateway } from '../../support/gateway-process.js';
import { startOwnRedis, type OwnRedis } from '../delivery/support.js';
import { outboundConfig, routedRecord } from './support.js';
import { createKafka } from '../../../src/kafka/client.js';
import { DurableWriter } from '../../../src/kafka/writer.js';
import { topicNames } from '../../../src/kafka/topics.js';
import { redisKeys } from '../../../src/redis/keys.js';
import { silentLogger } from '../../../src/log.js';

describe('sent memory outlives Redis: rebuilt from the correlations journal before a copy is claimed', function () {
  this.timeout(180000);
  const prefix = uniquePrefix('sentrestore');
  let redis: OwnRedis;
  let sim: ProviderSimulator;
  let gw: RunningGateway | undefined;
  const writer = new DurableWriter(createKafka({ brokers }, 'spec-sent-restore', silentLogger), { maxPending: 100, maxBatch: 100, logger: silentLogger });
  const topic = topicNames(prefix).providerOutgoing;
  const to = (s: { pdu: { destination_addr?: string } }) => s.pdu.destination_addr;

  before(async () => {
    redis = await startOwnRedis();
    sim = await startProviderSimulator({ systemId: 'gw', password: 'gwpass', receiptDelayMs: 20 });
    gw = await startGateway(outboundConfig(prefix, [{ id: 'p', port: sim.address.port }], [{ provider: 'p' }]), 60000, { REDIS_URL: redis.url });
    await waitFor('the provider bound', () => sim.boundSessions > 0, 60000, 100);
    await writer.start();
  });
  after(async () => {
    await writer.stop();
    await gw?.stop();
    await sim?.close();
    await redis?.stop();
  });

  it('a copy written after Redis restarted empty is not sent again; a new message and a long one\'s copy behave the same', async () => {
    const keys = redisKeys(prefix);
    await writer.append([
      routedRecord(topic, '01bbbbbbbbbbbbbbbbbbbb01', '447700900001'),
      routedRecord(topic, '01bbbbbbbbbbbbbbbbbbbb02', '447700900002', 'y'.repeat(300)),
    ]);
    await waitFor('both settled at the provider', async () =>
      (await redis.client.exists(keys.sent('p', '01bbbbbbbbbbbbbbbbbbbb01'), keys.sent('p', '01bbbbbbbbbbbbbbbbbbbb02'))) === 2
      && !(await redis.client.get(keys.sent('p', '01bbbbbbbbbbbbbbbbbbbb02')))!.includes('claim'), 30000, 100);
    assert.deepEqual(sim.submitted.map(to), ['447700900001', '447700900002', '447700900002'], 'one part, then two');

    await redis.restart();
    assert.equal(await redis.client.exists(keys.sent('p', '01bbbbbbbbbbbbbbbbbbbb01')), 0, 'Redis is empty');
    await writer.append([
      routedRecord(topic, '01bbbbbbbbbbbbbbbbbbbb01', '447700900001'),
      routedRecord(topic, '01bbbbbbbbbbbbbbbbbbbb02', '447700900002', 'y'.repeat(300)),
      routedRecord(topic, '01bbbbbbbbbbbbbbbbbbbb03', '447700900003'),
    ]);
    await waitFor('the new message at the provider', () => sim.submitted.some((s) => to(s) === '447700900003'), 60000, 100);
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(sim.submitted.map(to), ['447700900001', '447700900002', '447700900002', '447700900003'], 'the copies were not sent');
    const said = (text: string) => gw!.logs.filter((l) => l.includes(text)).length;
    assert.equal(said('"message already settled at this provider; not sent again"'), 2);
    assert.ok(said('"Redis state rebuilt from Kafka"') >= 1, 'the node rebuilt Redis from the journal');
    const rebuilt = JSON.parse((await redis.client.get(keys.sent('p', '01bbbbbbbbbbbbbbbbbbbb02')))!) as { providerMessageIds: string[] };
    assert.equal(rebuilt.providerMessageIds.length, 2, 'the long message settled with both its parts');
  });
});
