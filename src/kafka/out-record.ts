/**
 * A record on its way to Kafka. Its own module so that both the writer and the request-split
 * helpers the writer uses can name it.
 */
export interface OutRecord {
  topic: string;
  key: string;
  /** null: a tombstone (removes the key from a compacted topic). */
  value: string | Buffer | null;
  partition?: number;
  headers?: Record<string, string>;
}
