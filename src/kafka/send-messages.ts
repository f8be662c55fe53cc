/**
 * kafkajs 2.2.4's producer/sendMessages.js with one fix, installed in its place by kafkajs.ts.
 *
 * The bug: a send goes to every partition leader at once and is retried as a whole when one
 * leader's request fails; kafkajs retried as soon as the first request failed (Promise.all),
 * while another leader's produce was still in flight. That leader had no answer yet, so the
 * retry sent its records again, under new sequence numbers (the first request had already
 * taken them), and the broker could not tell the copy from a new record. Seen here: inside
 * one transaction, AddPartitionsToTxn answered CONCURRENT_TRANSACTIONS by one leader while a
 * produce to another was slow, and the transaction committed the same whole message twice.
 * Here every request of an attempt is settled before the attempt fails, so a retry only goes
 * to leaders that did not take the records (a failed produce gives its sequence numbers back,
 * so its retry is deduplicated by the broker if the records did land).
 *
 * The rest is kafkajs's code, kept as it was (MIT licence, (c) Tulio Ornelas).
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
    const responsePerBroker = new Map<any, any[] | null>();

    const createProducerRequests = async (): Promise<Promise<void>[]> => {
      const topicMetadata = new Map<string, { partitionsPerLeader: Record<string, number[]>; messagesPerPartition: Record<string, any[]> }>();
      await cluster.refreshMetadataIfNecessary();
      for (const { topic, messages } of topicMessages) {
        const partitionMetadata = cluster.findTopicPartitionMetadata(topic);
        if (partitionMetadata.length === 0) {
          logger.debug('Producing to topic without metadata', { topic, targetTopics: Array.from(cluster.targetTopics) });
          throw new KafkaJSMetadataNotLoaded('Producing to topic without metadata');
        }
        const messagesPerPartition = groupMessagesPerPartition({ topic, partitionMetadata, messages, partitioner });
        const partitions = Object.keys(messagesPerPartition);
        const partitionsPerLeader = cluster.findLeaderForPartitions(topic, partitions) as Record<string, number[]>;
        topicMetadata.set(topic, { partitionsPerLeader, messagesPerPartition });
        for (const nodeId of Object.keys(partitionsPerLeader)) {
          const broker = await cluster.findBroker({ nodeId });
          if (!responsePerBroker.has(broker)) responsePerBroker.set(broker, null);
        }
      }
      const brokersWithoutResponse = Array.from(responsePerBroker.keys()).filter((broker) => !responsePerBroker.get(broker));
      return brokersWithoutResponse.map(async (broker) => {
        const topicDataForBroker = Array.from(topicMetadata.entries())
          .filter(([, { partitionsPerLeader }]) => !!partitionsPerLeader[broker.nodeId])
          .map(([topic, { partitionsPerLeader, messagesPerPartition }]) => ({ topic, partitions: partitionsPerLeader[broker.nodeId], messagesPerPartition }));
        const topicData = createTopicData(topicDataForBroker);
        await eosManager.acquireBrokerLock(broker);
        try {
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
            for (const { topic, partitions } of topicData) {
              for (const entry of partitions) eosManager.updateSequence(topic, entry.partition, -entry.messages.length);
            }
            throw e;
          }
          responsePerBroker.set(broker, acks !== 0 ? responseSerializer(response) : []);
        } catch (e) {
          responsePerBroker.delete(broker);
          throw e;
        } finally {
          await eosManager.releaseBrokerLock(broker);
        }
      });
    };

    return retrier(async (bail, retryCount, retryTime) => {
      await cluster.addMultipleTargetTopics(topicMessages.map(({ topic }) => topic));
      try {
        const requests = await createProducerRequests();
        // The fix: wait for every leader's request before failing the attempt (see above).
        const settled = await Promise.allSettled(requests);
        const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
        if (failed) throw failed.reason;
        return Array.from(responsePerBroker.values()).flat();
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
