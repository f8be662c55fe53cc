/**
 * Maps a provider's message id to the gateway message it stands for, so a receipt that comes
 * back hours later finds its customer. Keyed per provider: two providers may reuse ids.
 *
 * Redis answers the look-ups; Kafka holds the truth. With a journal (the supplier's store),
 * every correlation is also written to the compacted provider-message-correlations topic, and
 * `restore` replays that topic into Redis after Redis lost its data (see RestoreGuard).
 */
import type { RedisClient } from '../client.js';
import { redisKeys, type RedisKeys } from '../keys.js';
import type { DurableWriter, OutRecord } from '../../kafka/writer.js';
import type { ReplayRecord } from '../../kafka/replay.js';
import type { CorrelationRecord } from '../../domain/records.js';
import { normalizeProviderId } from '../../domain/ids.js';
import { CORRELATION_RETENTION_MS } from '../../kafka/topics.js';

/** Receipts can come days after the submit (validity periods up to several days). */
export const CORRELATION_TTL_SECONDS = CORRELATION_RETENTION_MS / 1000;

/** A record of the correlations topic (key `<provider>:<normalized id>`). */
export interface CorrelationJournalEntry {
  provider: string;
  providerMessageId: string;
  record: CorrelationRecord;
}

export interface CorrelationJournal {
  writer: DurableWriter;
  topic: string;
}

export class CorrelationStore {
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly ttlSeconds: number,
    private readonly journal?: CorrelationJournal,
  ) {
    this.keys = redisKeys(prefix);
  }

  private key(provider: string, providerMessageId: string): string {
    return this.keys.correlation(provider, normalizeProviderId(providerMessageId));
  }

  /** Where the restore sentinel lives (see RestoreGuard). */
  get sentinelKey(): string {
    return this.keys.correlationsRestored;
  }

  /**
   * Journal first, Redis after: a correlation in Redis is then always in the journal already,
   * so a Redis that restarts empty between the two loses nothing a rebuild does not bring back.
   * (Written side by side, a restart could take the Redis copy while the journal write was
   * still on its way and the rebuild had already read the journal's end: a receipt lost.)
   */
  async put(provider: string, providerMessageId: string, record: CorrelationRecord): Promise<void> {
    await this.putWith(provider, providerMessageId, record, []);
  }

  /**
   * As put, with `alongside` in the journal's write (one produce round trip for both); true
   * when they were written, false when this store keeps no journal (the caller writes them).
   */
  async putWith(provider: string, providerMessageId: string, record: CorrelationRecord, alongside: readonly OutRecord[]): Promise<boolean> {
    const id = normalizeProviderId(providerMessageId);
    await this.journal?.writer.append([{
      topic: this.journal.topic, key: `${provider}:${id}`,
      value: JSON.stringify({ provider, providerMessageId: id, record } satisfies CorrelationJournalEntry),
    }, ...alongside]);
    await this.redis.set(this.key(provider, id), JSON.stringify(record), 'EX', this.ttlSeconds);
    return this.journal !== undefined;
  }

  async get(provider: string, providerMessageId: string): Promise<CorrelationRecord | null> {
    const v = await this.redis.get(this.key(provider, providerMessageId));
    return v === null ? null : (JSON.parse(v) as CorrelationRecord);
  }

  /** The record stored under the first of `ids` that has one (a receipt's candidate spellings). */
  async getFirst(provider: string, ids: readonly string[]): Promise<CorrelationRecord | null> {
    return (await this.lookup(provider, ids)).record;
  }

  /**
   * As getFirst, and whether `alsoKey` exists, read in the same MGET (one command where the
   * correlator would otherwise spend two on each receipt).
   */
  async lookup(provider: string, ids: readonly string[], alsoKey?: string): Promise<{ record: CorrelationRecord | null; also: boolean }> {
    const keys = ids.map((id) => this.key(provider, id));
    if (alsoKey !== undefined) keys.push(alsoKey);
    if (keys.length === 0) return { record: null, also: false };
    const values = await this.redis.mget(keys);
    const also = alsoKey !== undefined && values.pop() !== null;
    const hit = values.find((v) => v !== null);
    return { record: hit === undefined || hit === null ? null : (JSON.parse(hit) as CorrelationRecord), also };
  }

  /** Puts replayed journal entries back into Redis with what is left of their lifetime. */
  async restore(entries: readonly CorrelationJournalEntry[], now = Date.now()): Promise<void> {
    const m = this.redis.multi();
    let n = 0;
    for (const e of entries) {
      const left = Math.floor(this.ttlSeconds - (now - e.record.submittedAt) / 1000);
      if (left <= 0) continue;
      // NX: a correlation the supplier wrote since Redis came back is as new or newer.
      m.set(this.key(e.provider, e.providerMessageId), JSON.stringify(e.record), 'EX', left, 'NX');
      n++;
    }
    if (n > 0) await m.exec();
  }
}

/** The entries of replayed journal records (tombstones have none). */
export function journalEntries(records: readonly ReplayRecord[]): CorrelationJournalEntry[] {
  const out: CorrelationJournalEntry[] = [];
  for (const r of records) if (r.value) out.push(JSON.parse(r.value.toString('utf8')) as CorrelationJournalEntry);
  return out;
}
