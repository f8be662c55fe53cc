/**
 * Which messages a provider has already taken, so that a record handed to the supplier again
 * (after a crash, a consumer restart, or a rebalance that lost an offset commit) is not sent
 * to the provider a second time. Written once every part was accepted, before the record's
 * offset can be committed; so the only messages a redelivery can still send twice are those in
 * flight at the crash: sent, not yet remembered.
 *
 * Redis only, with the correlation TTL: a Redis that lost its data forgets, and the supplier
 * falls back to at-least-once (it sends rather than risk not sending). A Redis error on either
 * side is reported by the caller and never stops a send.
 */
import type { RedisClient } from '../../redis/client.js';

export interface SentEntry {
  providerMessageIds: string[];
  at: number;
}

export class SentMemory {
  constructor(private readonly redis: RedisClient, private readonly prefix: string, private readonly ttlSeconds: number) {}

  private key(provider: string, messageId: string): string {
    return `${this.prefix}sent:${provider}:${messageId}`;
  }

  async get(provider: string, messageId: string): Promise<SentEntry | null> {
    const v = await this.redis.get(this.key(provider, messageId));
    return v === null ? null : (JSON.parse(v) as SentEntry);
  }

  async remember(provider: string, messageId: string, entry: SentEntry): Promise<void> {
    await this.redis.set(this.key(provider, messageId), JSON.stringify(entry), 'EX', this.ttlSeconds);
  }
}
