/**
 * A provider's receipt correlated where it arrives: with its correlation in (real) Redis it
 * goes straight to the customer's outbox with its event, is marked handled and updates the
 * message state; without one, or with Redis not answering, it goes to the correlator's topic.
 */
import { strict as assert } from 'node:assert';
import { Redis } from 'ioredis';
import { onProviderRequest } from '../../../src/actors/supplier/provider-inbound.js';
import type { ArrivalCorrelation, InboundDeps } from '../../../src/actors/supplier/supplier-deps.js';
import { RecentCorrelations } from '../../../src/actors/supplier/recent-correlations.js';
import { CorrelationStore } from '../../../src/redis/stores/correlation-store.js';
import { ReceiptsSeen } from '../../../src/actors/correlator/receipts-seen.js';
import { MessageStateStore } from '../../../src/redis/stores/message-state.js';
import { compileNumberOwners } from '../../../src/domain/routing/number-owners.js';
import { decodeRecord, type DeliveryRecord, type ProviderEventRecord } from '../../../src/domain/records.js';
import { decodeEvents } from '../../../src/domain/lifecycle.js';
import { topicNames } from '../../../src/kafka/topics.js';
import type { DurableWriter, OutRecord } from '../../../src/kafka/writer.js';
import type { ProviderConfig } from '../../../src/config/types.js';
import { silentLogger } from '../../../src/log.js';
import { Status } from '../../../src/smpp/status.js';
import type { Pdu } from '../../../src/smpp/pdu.js';
import { redisUrl, uniquePrefix, waitFor } from '../../support/env.js';

const provider = { id: 'sim', receiptIdForm: 'auto' } as unknown as ProviderConfig;

function receipt(providerMessageId: string, stat = 'DELIVRD'): Pdu {
  const text = `id:${providerMessageId} sub:001 dlvrd:001 submit date:2612021300 done date:2612021301 stat:${stat} err:000 text:hello`;
  return { command: 'deliver_sm', esm_class: 0x04, short_message: Buffer.from(text), source_addr: '447700900001', destination_addr: 'ACME' } as unknown as Pdu;
}

describe('supplier: receipts correlated where they arrive', function () {
  this.timeout(30000);
  const prefix = uniquePrefix('arrival');
  const topics = topicNames(prefix);
  let redis: Redis;
  let written: OutRecord[];
  let deps: InboundDeps;
  let states: MessageStateStore;
  let arrival: ArrivalCorrelation;
  const writer = { append: async (r: OutRecord | OutRecord[]) => void written.push(...(Array.isArray(r) ? r : [r])) } as unknown as DurableWriter;

  before(async () => {
    redis = new Redis(redisUrl);
    states = new MessageStateStore(redis, prefix, 600);
    arrival = { store: new CorrelationStore(redis, prefix, 600), seen: new ReceiptsSeen(redis, prefix), states };
    deps = { writer, topics, nodeId: 'n1', numberOwners: compileNumberOwners([]), arrival };
    const correlations = new CorrelationStore(redis, prefix, 600);
    await correlations.put('sim', 'abc123', {
      messageId: 'gw-1', customer: 'acme', source: { ton: 5, npi: 0, addr: 'ACME' }, destination: { ton: 1, npi: 1, addr: '447700900001' },
      registeredDelivery: 1, submittedAt: Date.now(),
    });
    await states.accepted(['gw-1'], 'acme', 'ACME');
  });
  beforeEach(() => { written = []; });
  after(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('puts a receipt whose correlation is at hand in the outbox, with its event, and marks it handled', async () => {
    assert.equal(await onProviderRequest(provider, deps, receipt('abc123'), silentLogger), Status.ESME_ROK);
    assert.deepEqual(written.map((r) => r.topic), [topics.events, topics.deliveries]);
    assert.deepEqual(decodeEvents(written[0]!.value as Buffer).map((e) => [e.messageId, e.type, e.detail?.stat]), [['gw-1', 'receipt', 'DELIVRD']]);
    const dlr = decodeRecord<DeliveryRecord>(written[1]!.value as Buffer);
    assert.deepEqual([dlr.kind, dlr.customer, dlr.messageId, dlr.stat, written[1]!.key], ['receipt', 'acme', 'gw-1', 'DELIVRD', 'acme']);
    // Marked and stated after the provider's answer: it waits only for the records.
    await waitFor('the receipt marked handled', async () => (await redis.exists(arrival.seen.key('sim', 'abc123', 'DELIVRD'))) === 1);
    await waitFor('the message state\'s final outcome', async () => ((await states.get('gw-1'))?.finalAt ?? 0) > 0);
  });

  it('takes a copy the provider sends again without passing it on twice', async () => {
    assert.equal(await onProviderRequest(provider, deps, receipt('abc123'), silentLogger), Status.ESME_ROK);
    assert.deepEqual(written, []);
  });

  it('hands a receipt with no correlation yet to the correlator stage', async () => {
    assert.equal(await onProviderRequest(provider, deps, receipt('not-yet-stored'), silentLogger), Status.ESME_ROK);
    assert.deepEqual(written.map((r) => r.topic), [topics.providerEvents]);
    const ev = decodeRecord<ProviderEventRecord>(written[0]!.value as Buffer);
    assert.deepEqual([ev.provider, ev.stat, written[0]!.key], ['sim', 'DELIVRD', `sim:${ev.providerMessageId}`]);
  });

  it('finds a correlation the supplier wrote lately in its memory, without asking Redis, and passes a copy on once', async () => {
    const recent = new RecentCorrelations();
    recent.remember('sim', 'abc777', {
      messageId: 'gw-2', customer: 'acme', source: { ton: 5, npi: 0, addr: 'ACME' }, destination: { ton: 1, npi: 1, addr: '447700900001' },
      registeredDelivery: 1, submittedAt: Date.now(),
    });
    const noRedis = { ...arrival, recent, store: { lookup: () => Promise.reject(new Error('Redis was asked')) } };
    assert.equal(await onProviderRequest(provider, { ...deps, arrival: noRedis }, receipt('ABC777'), silentLogger), Status.ESME_ROK);
    assert.deepEqual(written.map((r) => r.topic), [topics.events, topics.deliveries]);
    assert.equal(decodeRecord<DeliveryRecord>(written[1]!.value as Buffer).messageId, 'gw-2');
    written = [];
    assert.equal(await onProviderRequest(provider, { ...deps, arrival: noRedis }, receipt('ABC777'), silentLogger), Status.ESME_ROK);
    assert.deepEqual(written, [], 'the provider\'s copy is not passed on again');
    await waitFor('the receipt marked handled for the other nodes', async () => (await redis.exists(arrival.seen.key('sim', 'abc777', 'DELIVRD'))) === 1);
  });

  it('hands it to the correlator stage when Redis does not answer, rather than failing the provider', async () => {
    const away = { ...arrival, store: { lookup: () => Promise.reject(new Error('connection refused')) } };
    assert.equal(await onProviderRequest(provider, { ...deps, arrival: away }, receipt('abc123', 'UNDELIV'), silentLogger), Status.ESME_ROK);
    assert.deepEqual(written.map((r) => r.topic), [topics.providerEvents]);
  });
});
