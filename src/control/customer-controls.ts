/**
 * The operator's say over customers, kept in Redis so every node and every restart honours
 * it: blocked customers, and rate overrides. Sessions consult an in-memory copy (a bind or a
 * submit never waits on Redis for it); the copy is refreshed when a control request arrives
 * and on every publish tick, so a node that missed a message still converges within seconds.
 */
import type { RedisClient } from '../redis/client.js';
import { controlKeys, type ControlKeys } from '../redis/keys.js';

/** What a session asks before a bind and a submit. */
export interface CustomerOverrides {
  isBlocked(customer: string): boolean;
  /** The rate in effect (parts per second) when an operator changed it, else undefined. */
  rateOf(customer: string): number | undefined;
}

/** For an edge run without a control plane: nobody blocked, the configured rates. */
export const noOverrides: CustomerOverrides = Object.freeze({ isBlocked: () => false, rateOf: () => undefined });

export class CustomerControls implements CustomerOverrides {
  private blocked = new Set<string>();
  private rates = new Map<string, number>();
  private readonly keys: ControlKeys;

  constructor(private readonly redis: RedisClient, prefix: string) {
    this.keys = controlKeys(prefix);
  }

  isBlocked(customer: string): boolean {
    return this.blocked.has(customer);
  }

  rateOf(customer: string): number | undefined {
    return this.rates.get(customer);
  }

  async refresh(): Promise<void> {
    const [blocked, rates] = await Promise.all([this.redis.smembers(this.keys.blocked), this.redis.hgetall(this.keys.customerRates)]);
    this.blocked = new Set(blocked);
    this.rates = new Map(Object.entries(rates).map(([k, v]) => [k, Number(v)] as const).filter(([, v]) => v > 0));
  }

  async block(customer: string): Promise<void> {
    await this.redis.sadd(this.keys.blocked, customer);
    this.blocked.add(customer);
  }

  async unblock(customer: string): Promise<void> {
    await this.redis.srem(this.keys.blocked, customer);
    this.blocked.delete(customer);
  }

  async setRate(customer: string, rate: number): Promise<void> {
    await this.redis.hset(this.keys.customerRates, customer, String(rate));
    this.rates.set(customer, rate);
  }
}
