/**
 * What a node publishes about itself for the inspector: plain JSON, built from the node's
 * actor snapshot. Pure: the caller gathers the facts (process figures, counters) and passes
 * them in, so the shapes can be unit-tested without a node.
 */
import type { ActorStats, GaugeValue } from '../runtime/stats.js';
import type { StageStats, ThreadSnapshot } from '../host/threads/protocol.js';
import type { Topics } from '../kafka/topics.js';

/** How often a node publishes, and how long its snapshot outlives a silent node. */
export const PUBLISH_INTERVAL_MS = 1500;
export const SNAPSHOT_TTL_SECONDS = 10;

export interface ThreadStatus {
  /** 'main' or the worker index. */
  thread: 'main' | number;
  threadId: number;
  heapUsed: number;
  actors: ActorStats[];
  stages: StageStats[];
}

export interface SessionStatus {
  id: string;
  node: string;
  customer: string;
  bindType: string;
  remote: string;
  /** Customer requests being worked on (submits not yet answered). */
  windowInUse: number;
  /** Per second over the last publish interval: requests from the customer, deliveries to it. */
  rateIn: number;
  rateOut: number;
  submits: number;
  delivers: number;
  since: number;
}

export interface ProviderStatus {
  provider: string;
  node: string;
  thread: number;
  state: string;
  paused: boolean;
  window: number;
  inFlight: number;
  rate: number;
  queued: number;
  submitted: number;
  lastError: string | null;
}

export interface NodeStatus {
  nodeId: string;
  version: string;
  pid: number;
  host: string;
  startedAt: number;
  publishedAt: number;
  /** Process figures. cpuPercent is of one core, over the last publish interval. */
  rss: number;
  heapUsed: number;
  cpuPercent: number;
  threads: ThreadStatus[];
  sessions: SessionStatus[];
  providers: ProviderStatus[];
  listeners: { name: string; host: string; port: number; tls: boolean }[];
  /**
   * The live directory as this node runs it: the newest record time it applied, and why the
   * last change was not applied (null when it was). `smsgw customer|provider` waits on it.
   */
  directory?: DirectoryStatus;
}

export interface DirectoryStatus {
  appliedAt: number;
  error: string | null;
}

/** Stable facts the CLI needs even when no node is up (consumer lag matters most then). */
export interface ClusterDescription {
  topics: Topics;
  /** Stage name → consumer group and topic. */
  stages: { stage: string; groupId: string; topic: string }[];
  customers: string[];
  updatedAt: number;
}

export interface NodeFacts {
  nodeId: string;
  version: string;
  pid: number;
  host: string;
  startedAt: number;
  now: number;
  rss: number;
  heapUsed: number;
  cpuPercent: number;
  main: ActorStats[];
  workers: ThreadSnapshot[];
  listeners: NodeStatus['listeners'];
  mainThreadId: number;
  directory?: DirectoryStatus;
}

/** Counter values of the previous publish, by key, to turn counters into rates. */
export type CounterMemory = Map<string, { value: number; at: number }>;

export function buildNodeStatus(f: NodeFacts, memory: CounterMemory): NodeStatus {
  const seen = new Set<string>();
  const rate = (key: string, value: number): number => {
    seen.add(key);
    const prev = memory.get(key);
    memory.set(key, { value, at: f.now });
    if (!prev || f.now <= prev.at || value < prev.value) return 0;
    return round1(((value - prev.value) * 1000) / (f.now - prev.at));
  };
  const sessions: SessionStatus[] = [];
  for (const a of f.main) {
    if (a.kind !== 'session' || typeof a.gauges.customer !== 'string') continue;
    const g = a.gauges;
    const id = str(g.session);
    const submits = num(g.requestsIn);
    const delivers = num(g.deliversOut);
    sessions.push({
      id, node: f.nodeId, customer: str(g.customer), bindType: str(g.bindType), remote: str(g.remote),
      windowInUse: num(g.inFlight), rateIn: rate(`in:${id}`, submits), rateOut: rate(`out:${id}`, delivers),
      submits, delivers, since: num(g.boundAt) || a.startedAt,
    });
  }
  for (const key of memory.keys()) if (!seen.has(key)) memory.delete(key);

  const providers: ProviderStatus[] = [];
  for (const w of f.workers) {
    for (const a of w.actors) {
      const g = a.gauges;
      if (a.kind === 'supplier' && typeof g.provider === 'string') {
        providers.push({
          provider: g.provider, node: f.nodeId, thread: w.index, state: str(g.state), paused: g.paused === 1,
          window: num(g.window), inFlight: num(g.inFlight), rate: num(g.rate), queued: num(g.queued), submitted: num(g.submitted),
          lastError: typeof g.lastError === 'string' && g.lastError !== '' ? g.lastError : a.lastError?.message ?? null,
        });
      }
    }
  }
  return {
    nodeId: f.nodeId, version: f.version, pid: f.pid, host: f.host, startedAt: f.startedAt, publishedAt: f.now,
    rss: f.rss, heapUsed: f.heapUsed, cpuPercent: f.cpuPercent,
    threads: [
      { thread: 'main', threadId: f.mainThreadId, heapUsed: f.heapUsed, actors: f.main, stages: [] },
      ...f.workers.map((w) => ({ thread: w.index, threadId: w.threadId, heapUsed: w.memory.heapUsed, actors: w.actors, stages: w.stages })),
    ],
    sessions, providers, listeners: f.listeners,
    ...(f.directory ? { directory: f.directory } : {}),
  };
}

function num(v: GaugeValue | undefined): number {
  return typeof v === 'number' ? v : 0;
}

function str(v: GaugeValue | undefined): string {
  return v === undefined ? '' : String(v);
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
