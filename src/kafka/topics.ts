/** Topic names (with the configured prefix) and their creation at start-up. */
import { kafkaConnectError, type KafkaClient } from './client.js';
import type { KafkaConfig, TopicName } from '../config/types.js';
import { TOPIC_NAMES } from '../config/types.js';
import type { Logger } from '../log.js';
import { UnavailableError, errorMessage } from '../errors.js';

const BASE_NAMES: Record<TopicName, string> = {
  messageParts: 'customer-incoming-message-parts',
  assemblerChangelog: 'assembler-state-changelog',
  messages: 'customer-incoming-messages',
  providerOutgoing: 'provider-outgoing-messages',
  providerEvents: 'provider-incoming-events',
  deliveries: 'customer-outgoing-deliveries',
  heldDeliveries: 'customer-held-deliveries',
  correlations: 'provider-message-correlations',
  events: 'message-events',
  deadLetters: 'dead-letters',
  directory: 'gateway-directory',
};

/** Receipts can come days after the submit (validity periods up to several days). */
export const CORRELATION_RETENTION_MS = 7 * 24 * 3600 * 1000;

export type Topics = Readonly<Record<TopicName, string>>;

export function topicNames(prefix: string): Topics {
  const out = {} as Record<TopicName, string>;
  for (const t of TOPIC_NAMES) out[t] = `${prefix}${BASE_NAMES[t]}`;
  return Object.freeze(out);
}

/**
 * Creates missing topics with the configured partition counts. An existing topic with fewer
 * partitions than configured is grown; one with more is left alone (shrinking is impossible)
 * and reported, since keyed placement depends on the count.
 */
export async function ensureTopics(kafka: KafkaClient, config: KafkaConfig, logger: Logger): Promise<Topics> {
  const names = topicNames(config.topicPrefix);
  const admin = kafka.admin();
  // The node's first Kafka request: refused credentials stop the start-up here, said plainly.
  await admin.connect().catch((err: unknown) => {
    throw kafkaConnectError(err, config);
  });
  try {
    const existing = new Set(await admin.listTopics());
    const missing = TOPIC_NAMES.filter((t) => !existing.has(names[t]));
    if (missing.length > 0) {
      await admin.createTopics({
        // kafkajs' own wait retries only LEADER_NOT_AVAILABLE; with several brokers a broker
        // can answer UNKNOWN_TOPIC_OR_PARTITION until the new metadata reaches it.
        waitForLeaders: false,
        topics: missing.map((t) => ({
          topic: names[t],
          numPartitions: config.partitions[t],
          replicationFactor: config.replicationFactor,
          configEntries: topicConfig(t, config),
        })),
      });
      await waitForLeaders(admin, missing.map((t) => names[t]));
      logger.info('topics created', { topics: missing.map((t) => names[t]) });
    }
    const present = TOPIC_NAMES.filter((t) => existing.has(names[t]));
    if (present.length > 0) {
      const meta = await admin.fetchTopicMetadata({ topics: present.map((t) => names[t]) });
      for (const tm of meta.topics) {
        const t = present.find((p) => names[p] === tm.name);
        if (!t) continue;
        const want = config.partitions[t];
        if (tm.partitions.length < want) {
          await admin.createPartitions({ topicPartitions: [{ topic: tm.name, count: want }] });
          logger.warn('topic partitions grown', { topic: tm.name, from: tm.partitions.length, to: want });
        } else if (tm.partitions.length > want) {
          logger.warn('topic has more partitions than configured', { topic: tm.name, has: tm.partitions.length, configured: want });
        }
      }
    }
  } finally {
    await admin.disconnect();
  }
  return names;
}

/** Waits until every partition of `topics` has a leader that answers for it. */
export async function waitForLeaders(admin: ReturnType<KafkaClient['admin']>, topics: string[], timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics });
      if (meta.topics.length === topics.length && meta.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      lastError = errorMessage(err);
    }
    if (Date.now() > deadline) throw new UnavailableError('KAFKA_TOPICS_NOT_READY', `topics have no leaders after ${timeoutMs} ms: ${lastError}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function topicConfig(t: TopicName, config: KafkaConfig): { name: string; value: string }[] {
  const entries = [{ name: 'min.insync.replicas', value: String(Math.min(2, config.replicationFactor)) }];
  if (t === 'assemblerChangelog' || t === 'heldDeliveries' || t === 'directory') entries.push({ name: 'cleanup.policy', value: 'compact' });
  if (t === 'correlations') {
    // Compacted (one record per provider message id) and deleted after the correlation's own
    // lifetime: a receipt later than that has nothing left to match in Redis either.
    entries.push({ name: 'cleanup.policy', value: 'compact,delete' }, { name: 'retention.ms', value: String(CORRELATION_RETENTION_MS) });
  }
  return entries;
}

/** Partition count of a topic as the broker has it now. */
export async function partitionCount(kafka: KafkaClient, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    return meta.topics[0]?.partitions.length ?? 0;
  } finally {
    await admin.disconnect();
  }
}
