/**
 * The cluster-wide registry of customer sessions, in Redis: which node holds which bind of
 * which customer. Deliveries use it to find a receiver; the inspector reads it.
 *
 * Each node's instance remembers what it registered and writes it again periodically
 * (`startRefresh`), so the registry comes back by itself after Redis lost its data.
 */
import type { RedisClient } from '../client.js';
import { redisKeys, type RedisKeys } from '../keys.js';
import type { BindType } from '../../config/types.js';

export interface SessionEntry {
  id: string;
  customer: string;
  bindType: BindType;
  node: string;
  remote: string;
  since: number;
}

export class SessionRegistry {
  /** What this process registered and has not unregistered, by session id. */
  private readonly mine = new Map<string, SessionEntry>();
  private refreshTimer: NodeJS.Timeout | null = null;

  private readonly keys: RedisKeys;

  constructor(private readonly redis: RedisClient, prefix: string) {
    this.keys = redisKeys(prefix);
  }

  private customerKey(customer: string): string {
    return this.keys.sessions(customer);
  }

  private nodeKey(node: string): string {
    return this.keys.nodeSessions(node);
  }

  async register(e: SessionEntry): Promise<void> {
    this.mine.set(e.id, e);
    await this.redis
      .multi()
      .hset(this.customerKey(e.customer), e.id, JSON.stringify(e))
      .sadd(this.nodeKey(e.node), `${e.customer}\u0000${e.id}`)
      .exec();
  }

  async unregister(e: Pick<SessionEntry, 'customer' | 'id' | 'node'>): Promise<void> {
    this.mine.delete(e.id);
    await this.redis
      .multi()
      .hdel(this.customerKey(e.customer), e.id)
      .srem(this.nodeKey(e.node), `${e.customer}\u0000${e.id}`)
      .exec();
  }

  async list(customer: string): Promise<SessionEntry[]> {
    const all = await this.redis.hvals(this.customerKey(customer));
    return all.map((v) => JSON.parse(v) as SessionEntry);
  }

  /** Forget every session a node registered: called when the node starts (after a crash) or stops. */
  async clearNode(node: string): Promise<number> {
    const members = await this.redis.smembers(this.nodeKey(node));
    if (members.length === 0) return 0;
    const m = this.redis.multi();
    for (const member of members) {
      const [customer, id] = member.split('\u0000') as [string, string];
      m.hdel(this.customerKey(customer), id);
    }
    m.del(this.nodeKey(node));
    await m.exec();
    return members.length;
  }

  /** Writes this process's sessions again every `intervalMs` (idempotent). */
  startRefresh(intervalMs: number, onError: (err: unknown) => void): void {
    this.stopRefresh();
    this.refreshTimer = setInterval(() => {
      if (this.mine.size === 0) return;
      const m = this.redis.multi();
      for (const e of this.mine.values()) {
        m.hset(this.customerKey(e.customer), e.id, JSON.stringify(e)).sadd(this.nodeKey(e.node), `${e.customer}\u0000${e.id}`);
      }
      m.exec().catch(onError);
    }, intervalMs);
    this.refreshTimer.unref();
  }

  stopRefresh(): void {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.refreshTimer = null;
  }
}
