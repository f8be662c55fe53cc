/**
 * The dead-letter record format: a record a stage gave up on is copied to `<prefix>dead-letters`
 * with its key and value untouched and where it came from, and why, in headers (as Kafka
 * Connect's `errors.deadletterqueue.context.headers.enable` does). Replaying one writes the
 * same key and value back to the original topic.
 */
import type { OutRecord } from './writer.js';

export const DLQ_HEADERS = {
  topic: 'smsgw-dlq-topic',
  partition: 'smsgw-dlq-partition',
  offset: 'smsgw-dlq-offset',
  stage: 'smsgw-dlq-stage',
  node: 'smsgw-dlq-node',
  error: 'smsgw-dlq-error',
  errorCode: 'smsgw-dlq-error-code',
  at: 'smsgw-dlq-at',
  attempts: 'smsgw-dlq-attempts',
  messageId: 'smsgw-dlq-message-id',
  /** '1' when the original record had no key (a Kafka key cannot say so itself here). */
  keyNull: 'smsgw-dlq-key-null',
  /** '1' when the original record had a null value (a tombstone). */
  valueNull: 'smsgw-dlq-value-null',
} as const;

export interface DeadLetter {
  /** Where the record was read. */
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly stage: string;
  readonly node: string;
  readonly error: string;
  readonly errorCode: string;
  /** Epoch ms when it was set aside. */
  readonly at: number;
  readonly attempts: number;
  /** The gateway message id, when the record was readable enough to tell it. */
  readonly messageId: string | null;
}

/** The dead-letter topic's record for `d`. */
export function deadLetterRecord(deadLetterTopic: string, d: DeadLetter): OutRecord {
  const headers: Record<string, string> = {
    [DLQ_HEADERS.topic]: d.topic,
    [DLQ_HEADERS.partition]: String(d.partition),
    [DLQ_HEADERS.offset]: d.offset,
    [DLQ_HEADERS.stage]: d.stage,
    [DLQ_HEADERS.node]: d.node,
    // An error message can be long (a stack-less dump of a record); headers stay small.
    [DLQ_HEADERS.error]: d.error.length > 500 ? `${d.error.slice(0, 497)}...` : d.error,
    [DLQ_HEADERS.errorCode]: d.errorCode,
    [DLQ_HEADERS.at]: String(d.at),
    [DLQ_HEADERS.attempts]: String(d.attempts),
  };
  if (d.messageId !== null) headers[DLQ_HEADERS.messageId] = d.messageId;
  if (d.key === null) headers[DLQ_HEADERS.keyNull] = '1';
  // A dead letter is never a tombstone of its own topic: an empty value stands for null.
  if (d.value === null) headers[DLQ_HEADERS.valueNull] = '1';
  return { topic: deadLetterTopic, key: d.key ?? '', value: d.value ?? Buffer.alloc(0), headers };
}

type RawHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

function header(h: RawHeaders, name: string): string | undefined {
  const v = h[name];
  if (v === undefined) return undefined;
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : one.toString();
}

/** Reads a record of the dead-letter topic back; null when it lacks the headers this format writes. */
export function parseDeadLetter(key: Buffer | null, value: Buffer | null, headers: RawHeaders): DeadLetter | null {
  const topic = header(headers, DLQ_HEADERS.topic);
  const partition = Number(header(headers, DLQ_HEADERS.partition));
  const offset = header(headers, DLQ_HEADERS.offset);
  if (topic === undefined || offset === undefined || !Number.isInteger(partition)) return null;
  return {
    topic, partition, offset,
    key: header(headers, DLQ_HEADERS.keyNull) === '1' ? null : (key?.toString() ?? null),
    value: header(headers, DLQ_HEADERS.valueNull) === '1' ? null : (value ?? Buffer.alloc(0)),
    stage: header(headers, DLQ_HEADERS.stage) ?? '',
    node: header(headers, DLQ_HEADERS.node) ?? '',
    error: header(headers, DLQ_HEADERS.error) ?? '',
    errorCode: header(headers, DLQ_HEADERS.errorCode) ?? '',
    at: Number(header(headers, DLQ_HEADERS.at) ?? 0),
    attempts: Number(header(headers, DLQ_HEADERS.attempts) ?? 0),
    messageId: header(headers, DLQ_HEADERS.messageId) ?? null,
  };
}
