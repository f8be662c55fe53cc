/**
 * kafkajs 2.2.4's producer/sendMessages.js with three fixes, installed in its place by kafkajs.ts.
 *
 * A send goes to every partition leader at once and is retried as a whole when one leader's
 * request fails. kafkajs retried records a leader had already taken, under new sequence
 * numbers, so the broker could not tell the copy from a new record (inside a transaction: the
 * same whole message committed twice), and it could skip records no leader had taken and
 * report the send done (a submit answered ESME_ROK whose message was never written). Both
 * were seen in fault runs:
 * 1. It retried as soon as the first request failed (Promise.all), while another leader's
 *    produce was still in flight; that leader had no answer yet, so it got the records again
 *    (AddPartitionsToTxn answered CONCURRENT_TRANSACTIONS by one leader, a slow produce to
 *    another). Here every request of an attempt settles before the attempt fails.
 * 2. It remembered which *brokers* had answered. When a broker died, its partitions moved to
 *    another leader: one that had not answered got again what the dead one had taken, and one
 *    that had answered (for other partitions) was skipped, so what the dead one had not taken
 *    was never written. Here what was taken is remembered by *partition*.
 * 3. Every leader of an attempt is looked up before any request starts, so a lookup that fails
 *    (a dead broker) never leaves a request of the failed attempt in flight during the retry.
 * A produce that fails gives its sequence numbers back, so its retry carries the same ones and
 * a leader that did write the records answers with that write instead of writing again.
 *
 * Otherwise this is kafkajs's code (MIT licence, (c) Tulio Ornelas).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/* eslint-disable @typescript-eslint/no-explicit-any -- kafkajs internals are untyped */
const { KafkaJSMetadataNotLoaded } = require('kafkajs/src/errors.js') as { KafkaJSMetadataNotLoaded: new (m: string) => Error };
const { staleMetadata } = require('kafkajs/src/protocol/error.js') as { staleMetadata: (e: unknown) => boolean };
const groupMessagesPerPartition = require('kafkajs/src/producer/groupMessagesPerPartition.js') as (o: any) => Record<string, any[]>;
const createTopicData = require('kafkajs/src/producer/createTopicData.js') as (d: any) => any[];
const responseSerializer = require('kafkajs/src/producer/responseSerializer.js') as (r: any) => any[];

type Retrier = <T>(fn: (bail: (e: Error) => void, retryCount: number, retryTime: number) => Promise<T>) => Promise<T>;

export interface SendMessagesDeps {
  logger: { debug: (m: string, e?: object) => void; error: (m: string, e?: object) => void };
  cluster: any;
  partitioner: any;
  eosManager: any;
  retrier: Retrier;
}

export function createSendMessages({ logger, cluster, partitioner, eosManager, retrier }: SendMessagesDeps) {
  return async ({ acks, timeout, compression, topicMessages }: { acks: number; timeout: number; compression: unknown; topicMessages: { topic: string; messages: unknown[] }[] }) => {
    // What a leader took, by partition: a retry leaves these partitions out whichever broker
    // leads them now (fix 2 above).
    const acknowledged = new Set<string>();
    const responses: any[] = [];
    const partitionKey = (topic: string, partition: number | string) => `${topic}\u0000${partition}`;

    const createProducerRequests = async (): Promise<Promise<void>[]> => {
      const perBroker = new Map<string, { topic: string; partitions: number[]; messagesPerPartition: Record<string, any[]> }[]>();
      await cluster.refreshMetadataIfNecessary();
      for (const { topic, messages } of topicMessages) {
        const partitionMetadata = cluster.findTopicPartitionMetadata(topic);
        if (partitionMetadata.length === 0) {
          logger.debug('Producing to topic without metadata', { topic, targetTopics: Array.from(cluster.targetTopics) });
          throw new KafkaJSMetadataNotLoaded('Producing to topic without metadata');
        }
        const messagesPerPartition = groupMessagesPerPartition({ topic, partitionMetadata, messages, partitioner });
        const partitions = Object.keys(messagesPerPartition).filter((p) => !acknowledged.has(partitionKey(topic, p)));
        if (partitions.length === 0) continue;
        const partitionsPerLeader = cluster.findLeaderForPartitions(topic, partitions) as Record<string, number[]>;
        for (const [nodeId, leaderPartitions] of Object.entries(partitionsPerLeader)) {
          let list = perBroker.get(nodeId);
          if (!list) perBroker.set(nodeId, (list = []));
          list.push({ topic, partitions: leaderPartitions, messagesPerPartition });
        }
      }
      // Every leader is looked up before any request starts: a lookup that fails (a dead
      // broker) must not leave a request of this attempt in flight while the next one begins.
      const brokers = new Map<string, any>();
      for (const nodeId of perBroker.keys()) brokers.set(nodeId, await cluster.findBroker({ nodeId }));
      return [...perBroker].map(async ([nodeId, topicDataForBroker]) => {
        const broker = brokers.get(nodeId);
        await eosManager.acquireBrokerLock(broker);
        try {
          // Taken meanwhile (under this lock, by an earlier request to this leader): not again.
          const pending = topicDataForBroker
            .map((t) => ({ ...t, partitions: t.partitions.filter((p) => !acknowledged.has(partitionKey(t.topic, p))) }))
            .filter((t) => t.partitions.length > 0);
          if (pending.length === 0) return;
          const topicData = createTopicData(pending);
          if (eosManager.isTransactional()) await eosManager.addPartitionsToTransaction(topicData);
          for (const { topic, partitions } of topicData) {
            for (const entry of partitions) {
              entry.firstSequence = eosManager.getSequence(topic, entry.partition);
              eosManager.updateSequence(topic, entry.partition, entry.messages.length);
            }
          }
          let response;
          try {
            response = await broker.produce({
              transactionalId: eosManager.isTransactional() ? eosManager.getTransactionalId() : undefined,
              producerId: eosManager.getProducerId(),
              producerEpoch: eosManager.getProducerEpoch(),
              acks, timeout, compression, topicData,
            });
          } catch (e) {
            // Not known to be written: the retry sends the same sequence numbers, so a leader
            // that did write them answers with the first write instead of writing again.
            for (const { topic, partitions } of topicData) {
              for (const entry of partitions) eosManager.updateSequence(topic, entry.partition, -entry.messages.length);
            }
            throw e;
          }
          for (const { topic, partitions } of topicData) for (const entry of partitions) acknowledged.add(partitionKey(topic, entry.partition));
          if (acks !== 0) responses.push(...responseSerializer(response));
        } finally {
          await eosManager.releaseBrokerLock(broker);
        }
      });
    };

    return retrier(async (bail, retryCount, retryTime) => {
      await cluster.addMultipleTargetTopics(topicMessages.map(({ topic }) => topic));
      try {
        const requests = await createProducerRequests();
        // Fix 1: wait for every leader's request before failing the attempt (see above).
        const settled = await Promise.allSettled(requests);
        const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
        if (failed) throw failed.reason;
        return responses;
      } catch (e: any) {
        if (e.name === 'KafkaJSConnectionClosedError') cluster.removeBroker({ host: e.host, port: e.port });
        if (!cluster.isConnected()) {
          logger.debug(`Cluster has disconnected, reconnecting: ${e.message}`, { retryCount, retryTime });
          await cluster.connect();
          await cluster.refreshMetadata();
          throw e;
        }
        if (staleMetadata(e) || e.name === 'KafkaJSMetadataNotLoaded' || e.name === 'KafkaJSConnectionError'
          || e.name === 'KafkaJSConnectionClosedError' || (e.name === 'KafkaJSProtocolError' && e.retriable)) {
          logger.error(`Failed to send messages: ${e.message}`, { retryCount, retryTime });
          await cluster.refreshMetadata();
          throw e;
        }
        logger.error(`${e.message}`, { retryCount, retryTime });
        if (e.retriable) throw e;
        bail(e);
        return [];
      }
    });
  };
}
