import { strict as assert } from 'node:assert';
import { createRequire, Module } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createSendMessages, type SendMessagesDeps } from '../../../src/kafka/send-messages.js';
import { sendFixInstalled } from '../../../src/kafka/kafkajs.js';

const require = createRequire(import.meta.url);
const createRetrier = require('kafkajs/src/retry/index.js') as (o: object) => SendMessagesDeps['retrier'];

/** kafkajs's own sendMessages.js, loaded apart from the module cache (which holds the fix). */
function originalSendMessages(): typeof createSendMessages {
  const path = require.resolve('kafkajs/src/producer/sendMessages.js');
  const m = new Module(path) as Module & { _compile: (src: string, file: string) => void };
  m.filename = path;
  m.paths = (Module as unknown as { _nodeModulePaths: (d: string) => string[] })._nodeModulePaths(dirname(path));
  m._compile(readFileSync(path, 'utf8'), path);
  return m.exports as typeof createSendMessages;
}

interface Produced { nodeId: number; partition: number; firstSequence: number; count: number }

/**
 * Two partition leaders inside one transaction, as seen in a fault run: leader 2 refuses to add
 * its partition once (CONCURRENT_TRANSACTIONS, retriable) while leader 1's produce is slow.
 */
function twoLeaders(produceDelayMs: number, leaderMovesOnRefresh = false, broker1DiesOnce = false, broker2RefusesConnectionOnce = false) {
  const produced: Produced[] = [];
  const sequences = new Map<string, number>();
  const locks = new Map<number, Promise<void>>();
  const releases = new Map<number, () => void>();
  let refusals = broker1DiesOnce ? 0 : 1;
  let deaths = broker1DiesOnce ? 1 : 0;
  let refusedConnections = broker2RefusesConnectionOnce ? 1 : 0;
  if (broker2RefusesConnectionOnce) refusals = 0;
  let moved = false;
  const broker = (nodeId: number) => ({
    nodeId,
    produce: async ({ topicData }: { topicData: { topic: string; partitions: { partition: number; firstSequence: number; messages: unknown[] }[] }[] }) => {
      if (nodeId === 1) await new Promise((r) => setTimeout(r, produceDelayMs));
      if (nodeId === 1 && deaths > 0) {
        deaths--;
        throw Object.assign(new Error('Connection error: read ECONNRESET'), { name: 'KafkaJSConnectionError', retriable: true });
      }
      for (const t of topicData) for (const p of t.partitions) produced.push({ nodeId, partition: p.partition, firstSequence: p.firstSequence, count: p.messages.length });
      return { topics: topicData.map((t) => ({ topicName: t.topic, partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: 0, baseOffset: '0' })) })) };
    },
  });
  const brokers = new Map([[1, broker(1)], [2, broker(2)]]);
  const cluster = {
    targetTopics: new Set<string>(),
    refreshMetadataIfNecessary: async () => undefined,
    refreshMetadata: async () => {
      if (leaderMovesOnRefresh) moved = true;
    },
    addMultipleTargetTopics: async () => undefined,
    isConnected: () => true,
    removeBroker: () => undefined,
    findTopicPartitionMetadata: () => [{ partitionId: 0, leader: 1 }, { partitionId: 1, leader: 2 }],
    findLeaderForPartitions: (_topic: string, partitions: string[]) => {
      const out: Record<string, number[]> = {};
      // Normally partition p is led by broker p + 1; once moved, broker 2 leads both.
      for (const p of partitions.map(Number)) (out[String(moved ? 2 : p + 1)] ??= []).push(p);
      return out;
    },
    findBroker: async ({ nodeId }: { nodeId: string }) => {
      if (Number(nodeId) === 2 && refusedConnections > 0) {
        refusedConnections--;
        throw Object.assign(new Error('Connection error: connect ECONNREFUSED'), { name: 'KafkaJSConnectionError', retriable: true });
      }
      return brokers.get(Number(nodeId));
    },
  };
  const eosManager = {
    isTransactional: () => true,
    getTransactionalId: () => 'assembler-0',
    getProducerId: () => 7,
    getProducerEpoch: () => 1,
    addPartitionsToTransaction: async (topicData: { partitions: { partition: number }[] }[]) => {
      if (refusals > 0 && topicData.some((t) => t.partitions.some((p) => p.partition === 1))) {
        refusals--;
        throw Object.assign(new Error('CONCURRENT_TRANSACTIONS'), { name: 'KafkaJSProtocolError', retriable: true });
      }
    },
    getSequence: (topic: string, partition: number) => sequences.get(`${topic}/${partition}`) ?? 0,
    updateSequence: (topic: string, partition: number, n: number) => sequences.set(`${topic}/${partition}`, (sequences.get(`${topic}/${partition}`) ?? 0) + n),
    acquireBrokerLock: async (b: { nodeId: number }) => {
      while (locks.has(b.nodeId)) await locks.get(b.nodeId);
      locks.set(b.nodeId, new Promise<void>((r) => releases.set(b.nodeId, r)));
    },
    releaseBrokerLock: (b: { nodeId: number }) => {
      locks.delete(b.nodeId);
      releases.get(b.nodeId)!();
    },
  };
  const logger = { debug: () => undefined, error: () => undefined };
  const deps: SendMessagesDeps = {
    logger, cluster, eosManager,
    partitioner: ({ message }: { message: { partition: number } }) => message.partition,
    retrier: createRetrier({ retries: 5, initialRetryTime: 10, maxRetryTime: 50, factor: 0, multiplier: 1 }),
  };
  const send = { acks: -1, timeout: 1000, compression: 0, topicMessages: [{ topic: 'messages', messages: [{ key: 'a', value: 'A', partition: 0 }, { key: 'b', value: 'B', partition: 1 }] }] };
  return { deps, send, produced };
}

describe('kafkajs producer send fix: a retry never sends again what a leader took, nor skips what none took', () => {
  it('with one leader refusing once and another slow, each partition is produced exactly once', async () => {
    const { deps, send, produced } = twoLeaders(60);
    await createSendMessages(deps)(send);
    assert.deepEqual(produced.map((p) => `${p.nodeId}:${p.partition}@${p.firstSequence}`).sort(), ['1:0@0', '2:1@0']);
  });

  it('kafkajs as shipped sends the slow leader its records twice under new sequence numbers (what the fix prevents)', async () => {
    const { deps, send, produced } = twoLeaders(60);
    await originalSendMessages()(deps)(send);
    assert.deepEqual(produced.filter((p) => p.nodeId === 1).map((p) => p.firstSequence), [0, 1]);
  });

  it('records a leader took are not sent again when their partition moves to another leader before the retry', async () => {
    // As when a broker dies: its partitions' new leader has not answered anything yet.
    const { deps, send, produced } = twoLeaders(60, true);
    await createSendMessages(deps)(send);
    assert.deepEqual(produced.map((p) => `${p.nodeId}:${p.partition}@${p.firstSequence}`).sort(), ['1:0@0', '2:1@0']);
  });

  it('kafkajs as shipped sends them to the new leader again, under a new sequence number', async () => {
    const { deps, send, produced } = twoLeaders(0, true);
    await originalSendMessages()(deps)(send);
    assert.deepEqual(produced.filter((p) => p.partition === 0).map((p) => `${p.nodeId}@${p.firstSequence}`), ['1@0', '2@1']);
  });

  it('records for a dead leader go to the new one even when it already took other records of the send', async () => {
    // Broker 1 dies with the produce for partition 0; broker 2 took partition 1 and now leads both.
    const { deps, send, produced } = twoLeaders(10, true, true);
    await createSendMessages(deps)(send);
    assert.deepEqual(produced.map((p) => `${p.nodeId}:${p.partition}@${p.firstSequence}`).sort(), ['2:0@0', '2:1@0']);
  });

  it('kafkajs as shipped reports that send done without ever writing partition 0 (a message lost after the customer was told it is safe)', async () => {
    const { deps, send, produced } = twoLeaders(10, true, true);
    await originalSendMessages()(deps)(send);
    assert.deepEqual(produced.map((p) => `${p.nodeId}:${p.partition}`), ['2:1']);
  });

  it('a leader that cannot be reached fails the attempt before any request of it starts', async () => {
    // Broker 2 refuses the connection once while broker 1 is slow to answer.
    const { deps, send, produced } = twoLeaders(60, false, false, true);
    await createSendMessages(deps)(send);
    assert.deepEqual(produced.map((p) => `${p.nodeId}:${p.partition}@${p.firstSequence}`).sort(), ['1:0@0', '2:1@0']);
  });

  it('is the send the loaded kafkajs producer uses', () => {
    assert.equal(sendFixInstalled(), true);
  });
});
