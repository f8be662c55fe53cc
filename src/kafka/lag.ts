/**
 * Consumer lag per stage and partition, from the broker: the end of each partition against the
 * offset the stage's consumer group committed there. Read by the operator CLI, so it does not
 * depend on any gateway node being up.
 */
import type { KafkaClient } from './client.js';

export interface StageTopic {
  stage: string;
  groupId: string;
  topic: string;
}

export interface PartitionLag extends StageTopic {
  partition: number;
  /** Next offset the group will read; null when it never committed there. */
  committed: string | null;
  /** The partition's end (high watermark) and start (log start offset). */
  end: string;
  start: string;
  /** Records not yet consumed: end minus committed (or minus start when nothing was committed). */
  lag: number;
}

export async function consumerLag(kafka: KafkaClient, stages: readonly StageTopic[]): Promise<PartitionLag[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const out: PartitionLag[] = [];
    for (const s of stages) {
      const [ends, [committed]] = await Promise.all([admin.fetchTopicOffsets(s.topic), admin.fetchOffsets({ groupId: s.groupId, topics: [s.topic] })]);
      for (const e of ends.sort((a, b) => a.partition - b.partition)) {
        const c = committed?.partitions.find((p) => p.partition === e.partition)?.offset ?? '-1';
        out.push({ ...s, partition: e.partition, ...lagOf(c, e.high, e.low) });
      }
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/** Pure: the lag of one partition from the offsets as kafkajs gives them (strings, '-1' for none). */
export function lagOf(committed: string, high: string, low: string): Pick<PartitionLag, 'committed' | 'end' | 'start' | 'lag'> {
  const end = BigInt(high);
  const start = BigInt(low);
  const from = committed === '-1' ? start : BigInt(committed) < start ? start : BigInt(committed);
  const lag = end > from ? Number(end - from) : 0;
  return { committed: committed === '-1' ? null : committed, end: high, start: low, lag };
}
