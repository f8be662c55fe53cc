/**
 * Which messages a provider has already taken, so that a record handed to the supplier again
 * (after a crash, a consumer restart, or a rebalance that lost an offset commit) is not sent
 * to the provider a second time. Written once every part was accepted, before the record's
 * offset can be committed; so the only messages a redelivery can still send twice are those in
 * flight at the crash: sent, not yet remembered.
 *
 * Redis only, for an hour: a record comes back as soon as its partition is served again (a
 * rebalance, a consumer restart) or once Kafka takes offset commits again after an outage, so
 * an hour covers the outages worth surviving while a busy node's memory stays bounded (about
 * 150 bytes a message: 540 MB at a steady 1 000 messages a second). Past it, and after a Redis
 * that lost its data, the supplier falls back to at-least-once: it sends rather than risk not
 * sending. A Redis error on either side is reported by the caller and never stops a send.
 */
import type { RedisClient } from '../../redis/client.js';
import { redisKeys, type RedisKeys } from '../../redis/keys.js';

export const SENT_MEMORY_TTL_SECONDS = 3600;

export interface SentEntry {
  providerMessageIds: string[];
  at: number;
}

export class SentMemory {
  private readonly keys: RedisKeys;

  constructor(private readonly redis: RedisClient, prefix: string, private readonly ttlSeconds: number) {
    this.keys = redisKeys(prefix);
  }

  private key(provider: string, messageId: string): string {
    return this.keys.sent(provider, messageId);
  }

  async get(provider: string, messageId: string): Promise<SentEntry | null> {
    const v = await this.redis.get(this.key(provider, messageId));
    return v === null ? null : (JSON.parse(v) as SentEntry);
  }

  async remember(provider: string, messageId: string, entry: SentEntry): Promise<void> {
    await this.redis.set(this.key(provider, messageId), JSON.stringify(entry), 'EX', this.ttlSeconds);
  }
}
