/** The record a stage is handed, and how a fetched kafkajs message becomes one. */
import type { KafkaMessage } from 'kafkajs';

export interface StageRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer;
  timestamp: number;
}

/** A message of `topic`/`partition` as a StageRecord: key as text, a null value as empty. */
export function toStageRecord(topic: string, partition: number, m: KafkaMessage): StageRecord {
  return {
    topic, partition, offset: m.offset,
    key: m.key ? m.key.toString() : null,
    value: m.value ?? Buffer.alloc(0),
    timestamp: Number(m.timestamp),
  };
}
