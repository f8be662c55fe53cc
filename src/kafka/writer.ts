/**
 * DurableWriter: appends records to Kafka with acks=all and resolves each caller only once the
 * brokers acknowledged it. Concurrent appends are grouped: while one batch is in flight the
 * next one fills up, so throughput grows with load; the first append of a batch waits for the
 * others only `lingerMs` (the gateway's: GATEWAY_LINGER_MS) or to the end of the turn.
 * A bounded queue is the explicit backpressure: beyond it, append fails fast with QUEUE_FULL
 * (the SMPP session answers ESME_RMSGQFUL) instead of buffering without limit.
 */
import { kafkajs } from './kafkajs.js';
import type { Producer } from 'kafkajs';
import type { KafkaClient } from './client.js';
import { GatewayError, UnavailableError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { MAX_REQUEST_BYTES, recordBytes, takeRequest, topicMessages, type RequestShare } from './request-split.js';
import type { OutRecord } from './out-record.js';
import { foldRecords } from './fold.js';

// Callers have always imported OutRecord from the writer.
export type { OutRecord } from './out-record.js';

interface Pending {
  records: OutRecord[];
  resolve: () => void;
  reject: (err: Error) => void;
}

export interface WriterOptions {
  /** Records waiting or in flight before append refuses more. */
  maxPending: number;
  /** Records in one produce request at most. */
  maxBatch: number;
  /**
   * How long the first append of a batch waits for others to join it; 0 (unset): to the end of
   * the event-loop turn only.
   */
  lingerMs?: number;
  /** The lifecycle events topic: the events of one request are folded into one record (fold.ts). */
  foldTopic?: string;
  logger: Logger;
}

/**
 * The gateway's writers linger this long: a node at a few hundred messages a second then sends
 * a produce request per few milliseconds instead of one per event-loop turn. In the steady
 * bench at 400/s (two runs each): gateway CPU per message -7 %, broker -15 to -25 %, for
 * about 2 ms more before submit_sm_resp.
 */
export const GATEWAY_LINGER_MS = 3;

/** An append's records go in one request together. */
function shareOf(p: Pending): RequestShare {
  let bytes = 0;
  for (const r of p.records) bytes += recordBytes(r);
  return { records: p.records.length, bytes };
}

export class WriterQueueFullError extends UnavailableError {
  constructor(pending: number) {
    super('QUEUE_FULL', `Kafka writer has ${pending} records pending`);
  }
}

export class WriterClosedError extends GatewayError {
  constructor() {
    super('WRITER_CLOSED', 'Kafka writer is stopped');
  }
}

/**
 * Errors after which an idempotent producer's sequence numbers no longer match the broker's
 * (kafkajs never recovers from them by itself): every later write to that partition would
 * fail the same way. A new producer (a new producer id) starts the sequences afresh.
 */
const FATAL_TO_PRODUCER = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING']);

export function isFatalToProducer(err: unknown): boolean {
  for (let e = err as { type?: unknown; cause?: unknown; originalError?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.type === 'string' && FATAL_TO_PRODUCER.has(e.type)) return true;
    e = (e.cause ?? e.originalError) as typeof e;
  }
  return false;
}

export class DurableWriter {
  private producer: Producer;
  private queue: Pending[] = [];
  private queuedRecords = 0;
  private inFlightRecords = 0;
  private sending: Promise<void> | null = null;
  /** Ends the current batch's linger (set while it lingers). */
  private endLinger: (() => void) | null = null;
  private closed = false;
  /** A renewed producer connects with the next batch (a failure then fails only that batch). */
  private needsConnect = false;
  readonly stats = { appended: 0, batches: 0, failed: 0, producersRenewed: 0 };

  constructor(private readonly kafka: KafkaClient, private readonly options: WriterOptions) {
    this.producer = this.newProducer();
  }

  private newProducer(): Producer {
    // Idempotent: a retried produce request cannot write a record twice.
    return this.kafka.producer({
      idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false,
      createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
    });
  }

  /** Replaces a producer whose sequence numbers the brokers no longer accept (see FATAL_TO_PRODUCER). */
  private async renewProducer(): Promise<void> {
    const old = this.producer;
    this.producer = this.newProducer();
    this.stats.producersRenewed++;
    this.needsConnect = true;
    await old.disconnect().catch(() => undefined);
  }

  async start(): Promise<void> {
    await this.producer.connect();
  }

  get pending(): number {
    return this.queuedRecords + this.inFlightRecords;
  }

  /**
   * `urgent`: someone outside waits on this write with a small window of its own (a provider's
   * deliver_sm): the batch it joins goes without lingering further.
   */
  append(records: OutRecord | OutRecord[], o: { urgent?: boolean } = {}): Promise<void> {
    const list = Array.isArray(records) ? records : [records];
    if (this.closed) return Promise.reject(new WriterClosedError());
    if (this.pending + list.length > this.options.maxPending) return Promise.reject(new WriterQueueFullError(this.pending));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ records: list, resolve, reject });
      this.queuedRecords += list.length;
      if (!this.sending) this.sending = this.drain();
      if (o.urgent) this.endLinger?.();
    });
  }

  /** Resolves when everything appended so far is acknowledged or failed. */
  async flush(): Promise<void> {
    while (this.sending) await this.sending;
  }

  async stop(): Promise<void> {
    this.closed = true;
    await this.flush();
    await this.producer.disconnect();
    this.options.logger.info('writer stopped', { ...this.stats });
  }

  private async drain(): Promise<void> {
    // Let the callers of this tick (or of the linger) join the first batch.
    const linger = this.options.lingerMs ?? 0;
    await new Promise<void>((r) => {
      if (linger <= 0) return setImmediate(r);
      const timer = setTimeout(() => this.endLinger?.(), linger);
      // Ends at the end of this turn rather than at once: an urgent caller's batch-mates of the
      // same turn still join it.
      this.endLinger = () => {
        this.endLinger = null;
        clearTimeout(timer);
        setImmediate(r);
      };
    });
    try {
      while (this.queue.length > 0) {
        // Bounded by count and by size: one produce request must stay under the broker's
        // message.max.bytes.
        const batch = this.queue.splice(0, takeRequest(this.queue, { maxRecords: this.options.maxBatch, maxBytes: MAX_REQUEST_BYTES }, shareOf));
        let n = 0;
        for (const p of batch) n += p.records.length;
        this.queuedRecords -= n;
        this.inFlightRecords = n;
        await this.send(batch);
        this.inFlightRecords = 0;
      }
    } finally {
      this.sending = null;
    }
  }

  private outgoing(batch: Pending[]): OutRecord[] {
    const records = batch.flatMap((p) => p.records);
    return this.options.foldTopic === undefined ? records : foldRecords(records, this.options.foldTopic);
  }

  private async send(batch: Pending[]): Promise<void> {
    try {
      if (this.needsConnect) {
        await this.producer.connect();
        this.needsConnect = false;
      }
      await this.producer.sendBatch({
        acks: -1,
        timeout: 30000,
        topicMessages: topicMessages(this.outgoing(batch)),
      });
      this.stats.batches++;
      for (const p of batch) {
        this.stats.appended += p.records.length;
        p.resolve();
      }
    } catch (err) {
      this.stats.failed += batch.length;
      this.options.logger.error('kafka write failed', { error: errorMessage(err), records: batch.length });
      const e = new UnavailableError('KAFKA_WRITE_FAILED', `Kafka did not acknowledge the write: ${errorMessage(err)}`, err);
      for (const p of batch) p.reject(e);
      // Callers retry (a stage record, a customer's submit answered ESME_RSYSERR, a provider's
      // receipt answered with an error): their retry must not meet the same broken producer.
      if (isFatalToProducer(err)) {
        this.options.logger.warn('Kafka producer out of step with the brokers; starting a new one', { error: errorMessage(err) });
        await this.renewProducer();
      }
    }
  }
}
