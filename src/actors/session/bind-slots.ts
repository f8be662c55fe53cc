/**
 * Cluster-wide limit on a customer's simultaneous binds, in Redis. Each bind holds a slot: a
 * member `<node>/<session>` of the sorted set `binds:<customer>` scored with its lease expiry
 * (Redis clock). The node refreshes its leases on a heartbeat; a node that dies stops
 * refreshing, and its slots are dropped by the next acquire once their lease ran out, so a
 * dead node never holds a customer's binds for longer than one lease.
 */
import type { RedisClient } from '../../redis/client.js';
import { redisKeys, type RedisKeys } from '../../redis/keys.js';

// KEYS[1] set; ARGV: member, max, leaseMs. 1 acquired, 0 full.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == false and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
return 1`;

// KEYS[1] set; ARGV: leaseMs, members... Extends leases of members still present.
const REFRESH = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
return 1`;

// KEYS[1] set; ARGV[1] member prefix. Drops every slot of one node (start-up after a crash).
const CLEAR_NODE = `
local n = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(m, 1, #ARGV[1]) == ARGV[1] then redis.call('ZREM', KEYS[1], m); n = n + 1 end
end
return n`;

export interface BindSlotsOptions {
  /** How long a slot survives without a heartbeat. */
  leaseMs: number;
}

export class BindSlots {
  /** Slots this node holds, by customer: what the heartbeat refreshes. */
  private readonly held = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly nodeId: string,
    private readonly options: BindSlotsOptions = { leaseMs: 30_000 },
  ) {
    this.keys = redisKeys(prefix);
  }

  private key(customer: string): string {
    return this.keys.bindSlots(customer);
  }

  private member(session: string): string {
    return `${this.nodeId}/${session}`;
  }

  /** True when the customer had a free slot, now held by `session`. */
  async acquire(customer: string, session: string, max: number): Promise<boolean> {
    const got = await this.redis.eval(ACQUIRE, 1, this.key(customer), this.member(session), max, this.options.leaseMs);
    if (got !== 1) return false;
    let set = this.held.get(customer);
    if (!set) this.held.set(customer, (set = new Set()));
    set.add(this.member(session));
    return true;
  }

  async release(customer: string, session: string): Promise<void> {
    const set = this.held.get(customer);
    set?.delete(this.member(session));
    if (set?.size === 0) this.held.delete(customer);
    await this.redis.zrem(this.key(customer), this.member(session));
  }

  /** Extends every lease this node holds. */
  async refresh(): Promise<void> {
    await Promise.all([...this.held].map(([customer, members]) =>
      this.redis.eval(REFRESH, 1, this.key(customer), this.options.leaseMs, ...members)));
  }

  /** Refreshes every third of a lease until stop(); failures are reported, never thrown. */
  startHeartbeat(onError: (err: unknown) => void): void {
    this.timer ??= setInterval(() => { this.refresh().catch(onError); }, Math.max(10, Math.floor(this.options.leaseMs / 3)));
    this.timer.unref();
  }

  stopHeartbeat(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Drops slots an earlier run of this node left behind. */
  async clearNode(customers: readonly string[]): Promise<number> {
    let n = 0;
    for (const c of customers) n += Number(await this.redis.eval(CLEAR_NODE, 1, this.key(c), `${this.nodeId}/`));
    return n;
  }

  /** Live binds of a customer across the cluster (for the inspector and specs). */
  async count(customer: string): Promise<number> {
    const [t] = await this.redis.time();
    return this.redis.zcount(this.key(customer), Number(t) * 1000, '+inf');
  }
}
