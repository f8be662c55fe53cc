/**
 * The operator's say over provider binds (smsgw pause, resume, rate provider), kept in Redis
 * so it outlives the bind it was given to: whichever node owns the bind next (after a crash, a
 * rebalance or a restart) starts it paused, and at the rate the operator set, when so told.
 */
import type { RedisClient } from '../redis/client.js';
import { controlKeys, type ControlKeys } from '../redis/keys.js';

export interface ProviderOverrides {
  paused: boolean;
  /** Parts per second an operator set; undefined: the configured rate. */
  rate: number | undefined;
}

export class ProviderControls {
  private readonly keys: ControlKeys;

  constructor(private readonly redis: RedisClient, prefix: string) {
    this.keys = controlKeys(prefix);
  }

  async pause(provider: string): Promise<void> {
    await this.redis.sadd(this.keys.pausedProviders, provider);
  }

  async resume(provider: string): Promise<void> {
    await this.redis.srem(this.keys.pausedProviders, provider);
  }

  async setRate(provider: string, rate: number): Promise<void> {
    await this.redis.hset(this.keys.providerRates, provider, String(rate));
  }

  async read(provider: string): Promise<ProviderOverrides> {
    const [paused, rate] = await Promise.all([
      this.redis.sismember(this.keys.pausedProviders, provider),
      this.redis.hget(this.keys.providerRates, provider),
    ]);
    const n = rate === null ? NaN : Number(rate);
    return { paused: paused === 1, rate: Number.isFinite(n) && n > 0 ? n : undefined };
  }
}
