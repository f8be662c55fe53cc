/**
 * The holding area of deliveries a customer could not take yet (not bound anywhere, or its
 * deliver_sm failed), per customer queue (delivery-queue.ts) and in order, so the records of other customers sharing
 * the outbox partition are not held up behind them.
 *
 * Redis holds the working copy: a sorted set per customer scored by the record's offset in
 * customer-outgoing-deliveries (one customer's records all come from one partition, so the
 * offset is their order) and, per outbox partition, the set of customers with held records.
 * Kafka holds the truth: every held record is journalled to the compacted
 * customer-held-deliveries topic first and tombstoned when delivered or expired, and `rebuild`
 * replays that topic into Redis after Redis lost its data (see RestoreGuard).
 */
import type { RedisClient } from '../../redis/client.js';
import { redisKeys, type RedisKeys } from '../../redis/keys.js';
import type { HeldEntry } from '../../redis/stores/held-summary.js';
import type { DurableWriter, OutRecord } from '../../kafka/writer.js';
import type { KafkaClient } from '../../kafka/client.js';
import { replayTopic } from '../../kafka/replay.js';
import type { Logger } from '../../log.js';
import { queueOf } from './delivery-queue.js';

export interface HeldItem {
  entry: HeldEntry;
  /** The member as stored (the journal's value), to remove it by. */
  raw: string;
}

const RELEASE_IF_EMPTY = "if redis.call('zcard', KEYS[1]) == 0 then return redis.call('srem', KEYS[2], ARGV[1]) end return -1";

export class HeldDeliveries {
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly writer: DurableWriter,
    private readonly topic: string,
  ) {
    this.keys = redisKeys(prefix);
  }

  get sentinelKey(): string {
    return this.keys.heldRestored;
  }

  /** Same key as heldSummary reads. */
  private queueKey(customer: string): string {
    return this.keys.held(customer);
  }

  private customersKey(partition: number): string {
    return this.keys.heldCustomers(partition);
  }

  private journalKey(e: HeldEntry): string {
    return `${queueOf(e.record)}|${e.partition}|${e.offset}`;
  }

  /** Journals the entry (with `also`, e.g. its lifecycle event) to Kafka, then queues it in Redis. */
  async hold(entry: HeldEntry, also: OutRecord[] = []): Promise<void> {
    // Deterministic bytes: holding the same record again (a replay) adds no second member.
    const raw = JSON.stringify(entry);
    await this.writer.append([{ topic: this.topic, key: this.journalKey(entry), value: raw }, ...also]);
    await this.redis.multi()
      .zadd(this.queueKey(queueOf(entry.record)), Number(entry.offset), raw)
      .sadd(this.customersKey(entry.partition), queueOf(entry.record))
      .exec();
  }

  async customers(partition: number): Promise<string[]> {
    return this.redis.smembers(this.customersKey(partition));
  }

  /** The customer's oldest `n` held records, oldest first. */
  async head(customer: string, n: number): Promise<HeldItem[]> {
    const raws = await this.redis.zrange(this.queueKey(customer), 0, n - 1);
    return raws.map((raw) => ({ raw, entry: JSON.parse(raw) as HeldEntry }));
  }

  /** Tombstones the items in the journal (with `also`), then takes them out of the queue. */
  async remove(customer: string, items: readonly HeldItem[], also: OutRecord[] = []): Promise<void> {
    if (items.length === 0 && also.length === 0) return;
    await this.writer.append([...items.map((i) => ({ topic: this.topic, key: this.journalKey(i.entry), value: null })), ...also]);
    if (items.length > 0) await this.redis.zrem(this.queueKey(customer), ...items.map((i) => i.raw));
  }

  /** Forgets that the customer has held records, unless some came meanwhile. */
  async releaseIfEmpty(partition: number, customer: string): Promise<boolean> {
    return (await this.redis.eval(RELEASE_IF_EMPTY, 2, this.queueKey(customer), this.customersKey(partition), customer)) === 1;
  }

  /** Replays the journal and puts every record still held back into Redis. */
  async rebuild(kafka: KafkaClient, logger: Logger): Promise<number> {
    const live = new Map<string, string>();
    await replayTopic(kafka, this.topic, async (records) => {
      for (const r of records) {
        if (r.key === null) continue;
        if (r.value === null) live.delete(r.key);
        else live.set(r.key, r.value.toString('utf8'));
      }
    }, { timeoutMs: 110000, logger });
    const m = this.redis.multi();
    for (const raw of live.values()) {
      const e = JSON.parse(raw) as HeldEntry;
      m.zadd(this.queueKey(queueOf(e.record)), Number(e.offset), raw).sadd(this.customersKey(e.partition), queueOf(e.record));
    }
    if (live.size > 0) await m.exec();
    return live.size;
  }
}
