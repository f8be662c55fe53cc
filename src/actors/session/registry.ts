/**
 * The cluster-wide registry of customer sessions, in Redis: which node holds which bind of
 * which customer. Deliveries use it to find a receiver; the inspector reads it.
 */
import type { RedisClient } from '../../redis/client.js';
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
  constructor(private readonly redis: RedisClient, private readonly prefix: string) {}

  private customerKey(customer: string): string {
    return `${this.prefix}sessions:${customer}`;
  }

  private nodeKey(node: string): string {
    return `${this.prefix}node-sessions:${node}`;
  }

  async register(e: SessionEntry): Promise<void> {
    await this.redis
      .multi()
      .hset(this.customerKey(e.customer), e.id, JSON.stringify(e))
      .sadd(this.nodeKey(e.node), `${e.customer}\u0000${e.id}`)
      .exec();
  }

  async unregister(e: Pick<SessionEntry, 'customer' | 'id' | 'node'>): Promise<void> {
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
}
