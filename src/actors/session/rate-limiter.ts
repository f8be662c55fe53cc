/**
 * Per-customer rate limit, cluster-wide, counted in SMS parts, with a burst.
 *
 * The truth is one token bucket per customer in Redis (`rate:<customer>`: tokens refill at
 * `rate` per second up to `burst`, refilled and taken atomically by a Lua script on the Redis
 * clock). Asking Redis for every submit would put a round trip on the hot path, so each node
 * keeps a small local bucket that leases tokens from Redis in batches of about 50 ms worth of
 * the rate: most submits are decided in memory, and Redis sees one call per batch. A lease the
 * node does not use within LEASE_MS is dropped rather than returned, which can only make the
 * cluster admit less than the limit, never more.
 *
 * When Redis cannot answer, the node falls back to a local bucket with the customer's own rate
 * and burst (each node then admits up to the full limit, for as long as Redis is away):
 * refusing every customer because Redis is down would be worse.
 */
import type { RedisClient } from '../../redis/client.js';
import { redisKeys, type RedisKeys } from '../../redis/keys.js';

// KEYS[1] bucket; ARGV: rate per s, burst, wanted. Tokens kept in thousandths. Returns granted.
const LEASE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate, burst, want = tonumber(ARGV[1]), tonumber(ARGV[2]) * 1000, tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'm', 'ts')
local m = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
if now > ts then m = math.min(burst, m + (now - ts) * rate) end
local grant = math.min(want, math.floor(m / 1000))
m = m - grant * 1000
redis.call('HSET', KEYS[1], 'm', math.floor(m), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 60000)
return grant`;

const LEASE_MS = 1000;

export interface RateLimit {
  /** Parts per second. */
  rate: number;
  burst: number;
}

/** A local token bucket: pure arithmetic, time comes in. */
export class TokenBucket {
  private tokens: number;
  private at: number;
  constructor(private readonly limit: RateLimit, now: number) {
    this.tokens = limit.burst;
    this.at = now;
  }

  take(n: number, now: number): boolean {
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.at) * this.limit.rate) / 1000);
    this.at = now;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
}

interface Lease {
  tokens: number;
  expires: number;
  /** The Redis call in progress; callers queue behind it so one node asks once at a time. */
  asking: Promise<void> | undefined;
  fallback: TokenBucket | undefined;
}

export class ClusterRateLimiter {
  private readonly leases = new Map<string, Lease>();
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly onRedisError: (err: unknown) => void = () => undefined,
    private readonly clock: () => number = Date.now,
  ) {
    this.keys = redisKeys(prefix);
  }

  /** True when `parts` may go now; false means ESME_RTHROTTLED. */
  async take(customer: string, parts: number, limit: RateLimit): Promise<boolean> {
    let lease = this.leases.get(customer);
    if (!lease) this.leases.set(customer, (lease = { tokens: 0, expires: 0, asking: undefined, fallback: undefined }));
    for (;;) {
      const now = this.clock();
      if (now > lease.expires) lease.tokens = 0;
      if (lease.tokens >= parts) {
        lease.tokens -= parts;
        return true;
      }
      if (!lease.asking) break;
      await lease.asking;
    }
    const want = Math.max(parts - lease.tokens, this.batchSize(limit));
    let granted = 0;
    let failed = false;
    const current = lease;
    current.asking = (async () => {
      try {
        granted = Number(await this.redis.eval(LEASE, 1, this.keys.rate(customer), limit.rate, limit.burst, want));
      } catch (err) {
        failed = true;
        this.onRedisError(err);
      }
    })();
    await current.asking;
    current.asking = undefined;
    const now = this.clock();
    if (failed) {
      current.fallback ??= new TokenBucket(limit, now);
      return current.fallback.take(parts, now);
    }
    current.fallback = undefined;
    if (now > current.expires) current.tokens = 0;
    current.tokens += granted;
    current.expires = now + LEASE_MS;
    if (current.tokens < parts) return false;
    current.tokens -= parts;
    return true;
  }

  /** About 50 ms of the rate, at least one part, at most the burst. */
  private batchSize(limit: RateLimit): number {
    return Math.max(1, Math.min(limit.burst, Math.floor(limit.rate / 20)));
  }
}
