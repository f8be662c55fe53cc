/**
 * Maps a provider's message id to the gateway message it stands for, so a receipt that comes
 * back hours later finds its customer. Keyed per provider: two providers may reuse ids.
 */
import type { RedisClient } from '../../redis/client.js';
import type { CorrelationRecord } from '../../domain/records.js';
import { normalizeProviderId } from '../../domain/ids.js';

/** Receipts can come days after the submit (validity periods up to several days). */
export const CORRELATION_TTL_SECONDS = 7 * 24 * 3600;

export class CorrelationStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  private key(provider: string, providerMessageId: string): string {
    return `${this.prefix}corr:${provider}:${normalizeProviderId(providerMessageId)}`;
  }

  async put(provider: string, providerMessageId: string, record: CorrelationRecord): Promise<void> {
    await this.redis.set(this.key(provider, providerMessageId), JSON.stringify(record), 'EX', this.ttlSeconds);
  }

  async get(provider: string, providerMessageId: string): Promise<CorrelationRecord | null> {
    const v = await this.redis.get(this.key(provider, providerMessageId));
    return v === null ? null : (JSON.parse(v) as CorrelationRecord);
  }

  /** The record stored under the first of `ids` that has one (a receipt's candidate spellings). */
  async getFirst(provider: string, ids: readonly string[]): Promise<CorrelationRecord | null> {
    if (ids.length === 0) return null;
    const values = await this.redis.mget(ids.map((id) => this.key(provider, id)));
    const hit = values.find((v) => v !== null);
    return hit === undefined || hit === null ? null : (JSON.parse(hit) as CorrelationRecord);
  }
}
