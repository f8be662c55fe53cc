/**
 * Each view as data (what --json prints) and as a text table. Pure: statuses, lag and events
 * come in, already read; `now` comes in so ages are testable.
 */
import type { HeldSummary } from '../actors/delivery/held-deliveries.js';
import { formatAddress } from '../runtime/address.js';
import type { LifecycleEvent } from '../domain/records.js';
import type { PartitionLag } from '../kafka/lag.js';
import type { NodeStatus } from '../control/status.js';
import { duration, megabytes, renderTable } from './table.js';

export interface View<T> {
  data: T;
  text: string;
}

export function nodesView(nodes: readonly NodeStatus[], now: number): View<object[]> {
  const data = nodes.map((n) => ({
    node: n.nodeId, version: n.version, host: n.host, pid: n.pid, startedAt: n.startedAt, threads: n.threads.length,
    rss: n.rss, heapUsed: n.threads.reduce((t, x) => t + x.heapUsed, 0), cpuPercent: n.cpuPercent,
    actors: n.threads.reduce((t, x) => t + x.actors.length, 0), sessions: n.sessions.length,
    listeners: n.listeners.map((l) => `${l.host}:${l.port}${l.tls ? '/tls' : ''}`), publishedAt: n.publishedAt,
  }));
  const text = renderTable(
    ['NODE', 'VERSION', 'HOST', 'PID', 'UP', 'THREADS', 'RSS', 'HEAP', 'CPU%', 'ACTORS', 'SESSIONS', 'LISTENERS', 'SEEN'],
    data.map((d) => [d.node, d.version, d.host, d.pid, duration(now - d.startedAt), d.threads, megabytes(d.rss), megabytes(d.heapUsed),
      d.cpuPercent, d.actors, d.sessions, d.listeners.join(','), `${duration(now - d.publishedAt)} ago`]),
  );
  return { data, text };
}

export function actorsView(nodes: readonly NodeStatus[], now: number): View<object[]> {
  const data = nodes.flatMap((n) => n.threads.flatMap((t) => t.actors.map((a) => ({
    node: n.nodeId, thread: t.thread, kind: a.kind, address: formatAddress(a.address), status: a.status,
    mailbox: a.mailboxDepth, capacity: a.mailboxCapacity, received: a.received, processed: a.processed, failed: a.failed,
    restarts: a.restarts, lastError: a.lastError, startedAt: a.startedAt, gauges: a.gauges,
  }))));
  const text = renderTable(
    ['NODE', 'THREAD', 'KIND', 'ADDRESS', 'STATUS', 'MAILBOX', 'PROCESSED', 'FAILED', 'RESTARTS', 'UP', 'LAST ERROR'],
    data.map((d) => [d.node, String(d.thread), d.kind, d.address, d.status, `${d.mailbox}/${d.capacity}`, d.processed, d.failed, d.restarts,
      duration(now - d.startedAt), d.lastError ? `${clip(d.lastError.message, 60)} (${duration(now - d.lastError.at)} ago)` : '']),
  );
  return { data, text };
}

export function sessionsView(nodes: readonly NodeStatus[], now: number): View<object[]> {
  const data = nodes.flatMap((n) => n.sessions).sort((a, b) => a.customer.localeCompare(b.customer) || a.id.localeCompare(b.id));
  const text = renderTable(
    ['SESSION', 'CUSTOMER', 'BIND', 'NODE', 'REMOTE', 'WINDOW', 'IN/S', 'OUT/S', 'REQUESTS', 'DELIVERED', 'UP'],
    data.map((s) => [s.id, s.customer, s.bindType, s.node, s.remote, s.windowInUse, s.rateIn, s.rateOut, s.submits, s.delivers, duration(now - s.since)]),
  );
  return { data, text };
}

export function providersView(nodes: readonly NodeStatus[]): View<object[]> {
  const data = nodes.flatMap((n) => n.providers).sort((a, b) => a.provider.localeCompare(b.provider));
  const text = renderTable(
    ['PROVIDER', 'NODE', 'THREAD', 'STATE', 'PAUSED', 'WINDOW', 'RATE/S', 'QUEUED', 'SUBMITTED', 'LAST ERROR'],
    data.map((p) => [p.provider, p.node, p.thread, p.state, p.paused ? 'yes' : 'no', `${p.inFlight}/${p.window}`, p.rate, p.queued, p.submitted, clip(p.lastError ?? '', 60)]),
  );
  return { data, text };
}

/** Who holds each stage partition now, from the nodes' stage stats: "node/w<thread>". */
function owners(nodes: readonly NodeStatus[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const n of nodes) for (const t of n.threads) for (const s of t.stages) for (const p of s.assignment) m.set(`${s.stage}:${p}`, `${n.nodeId}/w${t.thread}`);
  return m;
}

export function lagView(lag: readonly PartitionLag[], nodes: readonly NodeStatus[]): View<object[]> {
  const own = owners(nodes);
  const data = lag.map((l) => ({ ...l, owner: own.get(`${l.stage}:${l.partition}`) ?? null }));
  const text = renderTable(
    ['STAGE', 'TOPIC', 'PARTITION', 'OWNER', 'COMMITTED', 'END', 'LAG'],
    data.map((l) => [l.stage, l.topic, l.partition, l.owner ?? 'unassigned', l.committed ?? 'none', l.end, l.lag]),
  );
  return { data, text };
}

export interface OutboxRow {
  customer: string;
  partition: number;
  /** Records not yet taken from the customer's deliveries partition (shared with the customers hashed to it). */
  waiting: number;
  /** Receipts and MO held for the customer (it could not take them yet), and the oldest one's age. */
  held: number;
  oldestAgeMs: number | null;
}

/**
 * A customer's outbox: what waits in its partition of customer-outgoing-deliveries (not yet
 * taken by the delivery stage), and what the delivery stage holds for it in Redis because the
 * customer could not take it yet (bound nowhere, or its deliver_sm failed), with the oldest age.
 */
export function outboxView(
  customers: readonly string[], partitionOf: (customer: string) => number, deliveryLag: readonly PartitionLag[],
  held: ReadonlyMap<string, HeldSummary>, now: number,
): View<OutboxRow[]> {
  const data: OutboxRow[] = customers.map((customer) => {
    const partition = partitionOf(customer);
    const h = held.get(customer);
    return {
      customer, partition, waiting: deliveryLag.find((l) => l.partition === partition)?.lag ?? 0,
      held: h?.count ?? 0, oldestAgeMs: h?.oldestCreatedAt == null ? null : now - h.oldestCreatedAt,
    };
  });
  const text = renderTable(
    ['CUSTOMER', 'PARTITION', 'WAITING', 'HELD', 'OLDEST'],
    data.map((r) => [r.customer, r.partition, r.waiting, r.held, r.oldestAgeMs === null ? '' : duration(r.oldestAgeMs)]),
  ) + '\nWAITING counts records not yet taken from the customer\'s deliveries partition; customers hashed to one partition share it.';
  return { data, text };
}

export function traceView(messageId: string, partition: number, events: readonly LifecycleEvent[]): View<{ messageId: string; partition: number; events: readonly LifecycleEvent[] }> {
  const sorted = [...events].sort((a, b) => a.at - b.at);
  const text = `message ${messageId} (message-events partition ${partition})\n` + renderTable(
    ['TIME', 'EVENT', 'NODE', 'DETAIL'],
    sorted.map((e) => [new Date(e.at).toISOString(), e.type, e.node, Object.entries(e.detail ?? {}).map(([k, v]) => `${k}=${v}`).join(' ')]),
  );
  return { data: { messageId, partition, events: sorted }, text };
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
