import { strict as assert } from 'node:assert';
import { Redis } from 'ioredis';
import { ActorSystem } from '../../../src/runtime/system.js';
import { correlatorActor } from '../../../src/actors/correlator/correlator-actor.js';
import { ReceiptsSeen } from '../../../src/actors/correlator/receipts-seen.js';
import { CorrelationLookup } from '../../../src/actors/correlator/correlation-lookup.js';
import { CorrelationStore } from '../../../src/redis/stores/correlation-store.js';
import { DurableWriter } from '../../../src/kafka/writer.js';
import { encodeRecord, type CorrelationRecord, type ProviderEventRecord } from '../../../src/domain/records.js';
import { silentLogger } from '../../../src/log.js';
import { topicNames } from '../../../src/kafka/topics.js';
import { redisUrl, uniquePrefix } from '../../support/env.js';
import { prepareTopics, readCommitted, stageConfig } from '../../support/runtime-harness.js';

describe('correlator: a receipt the provider sends twice reaches the customer once', function () {
  this.timeout(60000);

  it('passes the first copy on and drops the re-sent one; another stat of the same message still goes', async () => {
    const prefix = uniquePrefix('dlrdup');
    const config = stageConfig(prefix, 1, 1, 'dedupe');
    const kafka = await prepareTopics(config);
    const redis = new Redis(redisUrl);
    const writer = new DurableWriter(kafka, { maxPending: 100, maxBatch: 100, logger: silentLogger });
    await writer.start();
    const system = new ActorSystem({ name: 'dedupe', logger: silentLogger });
    const corr: CorrelationRecord = {
      messageId: 'm1', customer: 'acme', source: { ton: 5, npi: 0, addr: 'SHOP' }, destination: { ton: 1, npi: 1, addr: '447700900001' },
      registeredDelivery: 1, submittedAt: Date.now(),
    };
    // The real look-up: the receipt's done marker is read in the same MGET as its correlation.
    const store = new CorrelationStore(redis, prefix, 3600);
    await store.put('p1', 'abc', corr);
    const ref = system.spawn('correlator', correlatorActor({
      writer, topics: topicNames(prefix), nodeId: 'dedupe',
      correlation: new CorrelationLookup(store, { ensure: async () => undefined }, []),
      seen: new ReceiptsSeen(redis, prefix),
    }));
    const receipt = (stat: string): ProviderEventRecord => ({
      kind: 'receipt', provider: 'p1', providerMessageId: 'abc', stat, err: '000', submitDate: null, doneDate: null, receivedAt: Date.now(),
    });
    const ask = (stat: string) => ref.ask<void>({ type: 'record', record: { topic: 't', partition: 0, offset: '0', key: null, value: encodeRecord(receipt(stat)), timestamp: Date.now() } });
    try {
      await ask('DELIVRD');
      await ask('DELIVRD');
      await ask('UNDELIV');
      const out = await readCommitted<{ messageId: string; stat: string }>(kafka, `${prefix}customer-outgoing-deliveries`, (all) => all.length >= 2, 20000, 2000);
      assert.deepEqual(out.map((d) => [d.messageId, d.stat]).sort(), [['m1', 'DELIVRD'], ['m1', 'UNDELIV']]);
    } finally {
      await system.shutdown();
      await writer.stop();
      redis.disconnect();
    }
  });
});

