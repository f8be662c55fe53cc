/**
 * The CLI's connections: fail fast with a clear error and exit code when Redis or Kafka cannot
 * be reached, rather than retry for as long as a gateway node would.
 */
import { Redis } from 'ioredis';
import { createKafka, kafkaConnectError, type KafkaClient, type KafkaConnection } from '../kafka/client.js';
import { silentLogger } from '../log.js';
import { errorMessage, redactUrl } from '../errors.js';
import { CliError, Exit } from './errors.js';

export async function connectRedisOnce(url: string, timeoutMs = 3000): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: timeoutMs, retryStrategy: () => null, enableOfflineQueue: false });
  let cause = '';
  redis.on('error', (err: Error) => (cause ||= err.message)); // reported below, once
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (err) {
    redis.disconnect();
    throw new CliError('REDIS_UNREACHABLE', Exit.REDIS_UNREACHABLE, `cannot reach Redis at ${redactUrl(url)}: ${cause || errorMessage(err)}`, err);
  }
}

export function kafkaFor(connection: KafkaConnection): KafkaClient {
  return createKafka(connection, 'smsgw-cli', silentLogger, 1);
}

/** Runs `work` against Kafka, turning a connection failure (or refused credentials) into the Kafka exit code. */
export async function withKafka<T>(connection: KafkaConnection, work: (kafka: KafkaClient) => Promise<T>): Promise<T> {
  const { brokers } = connection;
  const kafka = kafkaFor(connection);
  try {
    return await work(kafka);
  } catch (err) {
    if (err instanceof CliError) throw err;
    const refused = kafkaConnectError(err, connection);
    if (refused !== err) throw new CliError('KAFKA_AUTH_FAILED', Exit.KAFKA_UNREACHABLE, errorMessage(refused), err);
    const name = (err as { name?: string }).name ?? '';
    // kafkajs' connection errors (KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded...) carry no code of ours.
    const unreachable = /Connection|NumberOfRetriesExceeded|BrokerNotFound|NonRetriable/.test(name) || /ECONNREFUSED|connect/i.test(errorMessage(err));
    if (unreachable) throw new CliError('KAFKA_UNREACHABLE', Exit.KAFKA_UNREACHABLE, `cannot reach Kafka at ${brokers.join(',')}: ${errorMessage(err)}`, err);
    throw err;
  }
}
