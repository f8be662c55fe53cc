/**
 * The one place that knows kafkajs. Everything else in the gateway talks to src/kafka/ types so
 * the client library can be swapped (kafkajs is unmaintained).
 */
import { kafkajs, readCommittedFixInstalled, sendFixInstalled } from './kafkajs.js';
import { GatewayError } from '../errors.js';
import type { Kafka as KafkaClient, logLevel as LogLevel } from 'kafkajs';
import type { Logger } from '../log.js';
import type { KafkaConfig } from '../config/types.js';

export type { KafkaClient };
const { Kafka, logLevel } = kafkajs;

/** `retries`: how often a failed request is tried again (the operator CLI wants a fast answer). */
export function createKafka(config: Pick<KafkaConfig, 'brokers'>, clientId: string, logger: Logger, retries = 8): KafkaClient {
  // Exactly-once rests on read_committed readers never seeing aborted records (see kafkajs.ts).
  if (!readCommittedFixInstalled()) throw new GatewayError('KAFKAJS_UNPATCHED', 'kafkajs was loaded before src/kafka/kafkajs.ts installed its read_committed fix');
  // And on every producer retry not re-sending records a leader already took (see send-messages.ts).
  if (!sendFixInstalled()) throw new GatewayError('KAFKAJS_UNPATCHED', 'kafkajs was loaded before src/kafka/kafkajs.ts installed its producer send fix');
  const log = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers: [...config.brokers],
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

function pick(rest: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['error', 'groupId', 'memberId', 'topic', 'partition', 'broker', 'retryCount']) {
    if (rest[k] !== undefined) out[k] = rest[k];
  }
  return out;
}
