/**
 * The one place that knows kafkajs. Everything else in the gateway talks to src/kafka/ types so
 * the client library can be swapped (kafkajs is unmaintained).
 */
import { kafkajs, readCommittedFixInstalled, sendFixInstalled } from './kafkajs.js';
import { errorMessage, GatewayError } from '../errors.js';
import type { Kafka as KafkaClient, logLevel as LogLevel, SASLOptions } from 'kafkajs';
import type { Logger } from '../log.js';
import type { KafkaConfig } from '../config/types.js';
import { tlsClientOptions } from '../config/pem-files.js';

export type { KafkaClient };
const { Kafka, logLevel } = kafkajs;

/** Where the brokers are and how to reach them: TLS (`ssl`) and SASL (`sasl`) when configured. */
export type KafkaConnection = Pick<KafkaConfig, 'brokers'> & Partial<Pick<KafkaConfig, 'ssl' | 'sasl'>>;

/**
 * `retries`: how often a failed request is tried again (the operator CLI wants a fast answer).
 * The `kafka.ssl` files are read here (a ConfigError naming the field when one cannot be).
 */
export function createKafka(config: KafkaConnection, clientId: string, logger: Logger, retries = 8): KafkaClient {
  // Exactly-once rests on read_committed readers never seeing aborted records (see kafkajs.ts).
  if (!readCommittedFixInstalled()) throw new GatewayError('KAFKAJS_UNPATCHED', 'kafkajs was loaded before src/kafka/kafkajs.ts installed its read_committed fix');
  // And on every producer retry not re-sending records a leader already took (see send-messages.ts).
  if (!sendFixInstalled()) throw new GatewayError('KAFKAJS_UNPATCHED', 'kafkajs was loaded before src/kafka/kafkajs.ts installed its producer send fix');
  const log = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers: [...config.brokers],
    ...(config.ssl ? { ssl: tlsClientOptions(config.ssl, 'kafka.ssl') } : {}),
    ...(config.sasl ? { sasl: { ...config.sasl } as SASLOptions } : {}),
    connectionTimeout: 3000,
    requestTimeout: 30000,
    retry: { initialRetryTime: 100, maxRetryTime: 3000, retries },
    logLevel: logLevel.WARN,
    // kafkajs logs through our structured logger instead of console.
    logCreator: () => ({ level, log: entry }) => {
      const { message, ...rest } = entry;
      // Retries are bounded on purpose (a submit must fail fast with ESME_RSYSERR rather than
      // hang); kafkajs warns about that on every idempotent producer it creates.
      if (String(message).startsWith('Limiting retries for the idempotent producer')) return;
      const fields = { namespace: entry.namespace, ...pick(rest) };
      // A rebalance answers every member's heartbeat with REBALANCE_IN_PROGRESS; kafkajs logs
      // each as an error although it is the normal way to learn of a rebalance.
      // Likewise CONCURRENT_TRANSACTIONS: a transaction begun right after the last one committed
      // waits (retried) until the broker has written that one's markers.
      const routine = String(rest.error ?? '').startsWith('The group is rebalancing')
        || String(rest.error ?? message).includes('another concurrent operation on the same transaction');
      if (routine) log.debug(String(message), fields);
      else if (level === (logLevel.ERROR as LogLevel)) log.error(String(message), fields);
      else if (level === (logLevel.WARN as LogLevel)) log.warn(String(message), fields);
      else log.debug(String(message), fields);
    },
  });
}

/**
 * The error to report for a failed connection to Kafka: brokers that refused our SASL
 * credentials say so and name the setting (never its values); anything else is left as it is.
 */
export function kafkaConnectError(err: unknown, config: KafkaConnection): unknown {
  if (!(err instanceof kafkajs.KafkaJSSASLAuthenticationError) || !config.sasl) return err;
  return new GatewayError('KAFKA_AUTH_FAILED',
    `Kafka at ${config.brokers.join(',')} refused the credentials of kafka.sasl (${config.sasl.mechanism}): ${errorMessage(err)}`, { cause: err });
}

function pick(rest: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['error', 'groupId', 'memberId', 'topic', 'partition', 'broker', 'retryCount']) {
    if (rest[k] !== undefined) out[k] = rest[k];
  }
  return out;
}
