/** Reads what the nodes publish (src/control/publisher.ts) and asks them to act (src/control/handler.ts). */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { controlKeys } from '../redis/keys.js';
import { SNAPSHOT_TTL_SECONDS, type ClusterDescription, type NodeStatus } from '../control/status.js';
import { judge, isClusterWide, type ControlAction, type ControlReply, type ControlRequest, type Verdict } from '../control/protocol.js';

export async function readNodes(redis: Redis, prefix: string): Promise<NodeStatus[]> {
  const keys = controlKeys(prefix);
  const ids = await redis.zrangebyscore(keys.nodes, Date.now() - SNAPSHOT_TTL_SECONDS * 1000, '+inf');
  if (ids.length === 0) return [];
  const values = await redis.mget(ids.map((id) => keys.node(id)));
  return values.flatMap((v) => (v ? [JSON.parse(v) as NodeStatus] : [])).sort((a, b) => a.nodeId.localeCompare(b.nodeId));
}

export async function readCluster(redis: Redis, prefix: string): Promise<ClusterDescription | null> {
  const v = await redis.get(controlKeys(prefix).cluster);
  return v ? (JSON.parse(v) as ClusterDescription) : null;
}

/**
 * Publishes the request and gathers answers until the action is settled (one owner did it, or
 * every live node answered) or the timeout passes.
 */
export async function ask(redis: Redis, prefix: string, action: ControlAction, timeoutMs: number): Promise<Verdict> {
  const keys = controlKeys(prefix);
  const live = (await readNodes(redis, prefix)).map((n) => n.nodeId);
  const request: ControlRequest = { ...action, requestId: randomUUID(), sentAt: Date.now() };
  const sub = redis.duplicate();
  sub.on('error', () => undefined);
  const replies: ControlReply[] = [];
  try {
    await sub.connect();
    await sub.subscribe(keys.replies(request.requestId));
    const settled = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      sub.on('message', (_c: string, text: string) => {
        replies.push(JSON.parse(text) as ControlReply);
        const answered = new Set(replies.map((r) => r.node));
        const everyone = live.length > 0 && live.every((n) => answered.has(n));
        const ownerDone = !isClusterWide(action) && replies.some((r) => r.outcome === 'done');
        if (everyone || ownerDone) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const listeners = await redis.publish(keys.requests, JSON.stringify(request));
    if (listeners === 0) return judge(action, [], live);
    await settled;
    return judge(action, replies, live);
  } finally {
    sub.disconnect();
  }
}
