/**
 * The failed-bind slow-down shared by the cluster: a failure from an address counts on every
 * node, so a guesser spreading its binds over the nodes meets one growing delay, not one per
 * node. A Redis counter per address (guardKey) lapses `forgetMs` after its last failure. The
 * node's own BindGuard counts too and decides alone while Redis is away.
 */
import type { BindFailureConfig } from '../../config/types.js';
import type { RedisClient } from '../../redis/client.js';
import { redisKeys, type RedisKeys } from '../../redis/keys.js';
import { BindGuard, delayAfter, guardKey } from './bind-guard.js';

export class ClusterBindGuard {
  private readonly local: BindGuard;
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly config: BindFailureConfig,
    private readonly onRedisError: (err: unknown) => void,
  ) {
    this.local = new BindGuard(config);
    this.keys = redisKeys(prefix);
  }

  private key(ip: string): string {
    return this.keys.bindFailures(guardKey(ip));
  }

  /** How long to wait before answering a bind from `ip`: the longer of the cluster's and this node's. */
  async delayFor(ip: string, now: number): Promise<number> {
    const local = this.local.delayFor(guardKey(ip), now);
    try {
      const count = Number((await this.redis.get(this.key(ip))) ?? 0);
      return Math.max(local, delayAfter(count, this.config));
    } catch (err) {
      this.onRedisError(err);
      return local;
    }
  }

  /** Resolves once the cluster counted it (or Redis failed): before the guesser hears the refusal. */
  async failed(ip: string, now: number): Promise<void> {
    this.local.failed(guardKey(ip), now);
    const key = this.key(ip);
    await this.redis.multi().incr(key).pexpire(key, this.config.forgetMs).exec().then(() => undefined, this.onRedisError);
  }

  succeeded(ip: string): void {
    this.local.succeeded(guardKey(ip));
    void this.redis.del(this.key(ip)).catch(this.onRedisError);
  }
}
