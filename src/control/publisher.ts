/**
 * Publishes this node's status to Redis every PUBLISH_INTERVAL_MS, with a TTL so a node that
 * died drops out of the views by itself, and keeps the cluster description (topics, consumer
 * groups, customers) that `lag` and `outbox` need when no node is up.
 */
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import type { Logger } from '../log.js';
import type { RedisClient } from '../redis/client.js';
import { errorMessage } from '../errors.js';
import type { NodeSnapshot } from '../node-types.js';
import { controlKeys } from '../redis/keys.js';
import { buildNodeStatus, PUBLISH_INTERVAL_MS, SNAPSHOT_TTL_SECONDS, type ClusterDescription, type CounterMemory, type DirectoryStatus, type NodeStatus } from './status.js';

export interface PublisherDeps {
  redis: RedisClient;
  prefix: string;
  nodeId: string;
  version: string;
  listeners: NodeStatus['listeners'];
  cluster: Omit<ClusterDescription, 'updatedAt'>;
  snapshot: () => Promise<NodeSnapshot>;
  /** The live directory as the node applied it. */
  directory?: () => DirectoryStatus;
  /** Also run on every tick (refresh of the operator's customer overrides). */
  onTick: () => Promise<void>;
  log: Logger;
}

export class StatusPublisher {
  private timer: NodeJS.Timeout | undefined;
  private readonly memory: CounterMemory = new Map();
  private readonly startedAt = Date.now();
  private lastCpu = process.cpuUsage();
  private lastAt = Date.now();
  private lastError = '';
  private running: Promise<void> | undefined;

  constructor(private deps: PublisherDeps) {}

  /** Publishes at once (a change the CLI waits for), besides the regular ticks. */
  nudge(): void {
    this.running ??= this.publish().finally(() => (this.running = undefined));
  }

  /** The customers of the cluster description changed (live directory). */
  async describe(customers: string[]): Promise<void> {
    this.deps.cluster = { ...this.deps.cluster, customers };
    await this.deps.redis.set(controlKeys(this.deps.prefix).cluster, JSON.stringify({ ...this.deps.cluster, updatedAt: Date.now() }));
  }

  async start(): Promise<void> {
    const keys = controlKeys(this.deps.prefix);
    const description: ClusterDescription = { ...this.deps.cluster, updatedAt: Date.now() };
    await this.deps.redis.set(keys.cluster, JSON.stringify(description));
    await this.publish();
    this.timer = setInterval(() => {
      this.running ??= this.publish().finally(() => (this.running = undefined));
    }, PUBLISH_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    const keys = controlKeys(this.deps.prefix);
    await this.deps.redis.multi().del(keys.node(this.deps.nodeId)).zrem(keys.nodes, this.deps.nodeId).exec().catch(() => undefined);
  }

  private async publish(): Promise<void> {
    const { redis, nodeId } = this.deps;
    try {
      await this.deps.onTick();
      const snap = await this.deps.snapshot();
      const now = Date.now();
      const cpu = process.cpuUsage(this.lastCpu);
      const cpuPercent = now > this.lastAt ? Math.round(((cpu.user + cpu.system) / 1000 / (now - this.lastAt)) * 1000) / 10 : 0;
      this.lastCpu = process.cpuUsage();
      this.lastAt = now;
      const mem = process.memoryUsage();
      const status = buildNodeStatus({
        nodeId, version: this.deps.version, pid: process.pid, host: hostname(), startedAt: this.startedAt, now,
        rss: mem.rss, heapUsed: mem.heapUsed, cpuPercent, main: snap.main, workers: snap.workers, listeners: [...this.deps.listeners], mainThreadId: threadId,
        ...(this.deps.directory ? { directory: this.deps.directory() } : {}),
      }, this.memory);
      const keys = controlKeys(this.deps.prefix);
      await redis.multi()
        .set(keys.node(nodeId), JSON.stringify(status), 'EX', SNAPSHOT_TTL_SECONDS)
        .zadd(keys.nodes, now, nodeId)
        // Entries of nodes silent for long are trimmed by whoever publishes.
        .zremrangebyscore(keys.nodes, '-inf', now - 24 * 3600_000)
        // Back after Redis came back empty: the CLI finds the cluster by it when every node is down.
        .set(keys.cluster, JSON.stringify({ ...this.deps.cluster, updatedAt: now }), 'NX')
        .exec();
      this.lastError = '';
    } catch (err) {
      // Once per distinct failure: Redis being away is logged by its client already.
      if (errorMessage(err) !== this.lastError) this.deps.log.warn('status not published', { error: errorMessage(err) });
      this.lastError = errorMessage(err);
    }
  }
}
