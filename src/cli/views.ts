/**
 * Each view as data (what --json prints) and as a text table. Pure: statuses, lag and events
 * come in, already read; `now` comes in so ages are testable.
 */
import type { HeldSummary } from '../redis/stores/held-summary.js';
import { formatAddress } from '../runtime/address.js';
import type { LifecycleEvent } from '../domain/records.js';
import type { PartitionLag } from '../kafka/lag.js';
import type { DeadLetter } from '../kafka/dead-letters.js';
import type { DeadLetterLog, Replayed } from '../kafka/dead-letter-log.js';
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

/**
 * What `lag` is told of the dead-letter topic: its name and the dead letters in it, or null
 * letters when the topic does not exist.
 */
export interface DeadLetterCounts {
  topic: string;
  letters: readonly DeadLetter[] | null;
}

/**
 * Consumer lag per stage partition, and the dead letters each stage set aside. In the data,
 * every row carries `deadLetters`: those its stage set aside from that topic partition (null
 * when the dead-letter topic is unknown); the text adds a table of dead letters per stage
 * (by the smsgw-dlq-stage header, so stages without a row of their own show too).
 */
export function lagView(lag: readonly PartitionLag[], nodes: readonly NodeStatus[], dead?: DeadLetterCounts): View<object[]> {
  const own = owners(nodes);
  const letters = dead?.letters ?? null;
  const fromPartition = new Map<string, number>();
  for (const d of letters ?? []) fromPartition.set(`${d.stage}\n${d.topic}\n${d.partition}`, (fromPartition.get(`${d.stage}\n${d.topic}\n${d.partition}`) ?? 0) + 1);
  const data = lag.map((l) => ({
    ...l, owner: own.get(`${l.stage}:${l.partition}`) ?? null,
    deadLetters: letters === null ? null : fromPartition.get(`${l.stage}\n${l.topic}\n${l.partition}`) ?? 0,
  }));
  let text = renderTable(
    ['STAGE', 'TOPIC', 'PARTITION', 'OWNER', 'COMMITTED', 'END', 'LAG'],
    data.map((l) => [l.stage, l.topic, l.partition, l.owner ?? 'unassigned', l.committed ?? 'none', l.end, l.lag]),
  );
  if (dead) {
    if (letters === null) {
      text += `\n\ndead letters: no topic ${dead.topic} in Kafka (the nodes create it at start-up)`;
    } else {
      const byStage = deadLettersByStage(letters, lag.map((l) => l.stage));
      text += `\n\ndead letters in ${dead.topic} (smsgw dead-letters lists them)\n`
        + renderTable(['STAGE', 'DEAD LETTERS'], byStage.map((s) => [s.stage, s.count]));
    }
  }
  return { data, text };
}

/** Dead letters per smsgw-dlq-stage header: `stages` first in their order (0 when none), then any other stage by name. */
export function deadLettersByStage(letters: readonly DeadLetter[], stages: readonly string[] = []): { stage: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const s of stages) counts.set(s, 0);
  const others = [...new Set(letters.map((d) => d.stage))].filter((s) => !counts.has(s)).sort();
  for (const s of others) counts.set(s, 0);
  for (const d of letters) counts.set(d.stage, counts.get(d.stage)! + 1);
  return [...counts].map(([stage, count]) => ({ stage, count }));
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

export function traceView(messageId: string, partitions: readonly number[], events: readonly LifecycleEvent[]): View<{ messageId: string; partitions: readonly number[]; events: readonly LifecycleEvent[] }> {
  const sorted = [...events].sort((a, b) => a.at - b.at);
  const text = `message ${messageId} (message-events partition${partitions.length === 1 ? '' : 's'} ${partitions.join(', ')})\n` + renderTable(
    ['TIME', 'EVENT', 'NODE', 'DETAIL'],
    sorted.map((e) => [new Date(e.at).toISOString(), e.type, e.node, Object.entries(e.detail ?? {}).map(([k, v]) => `${k}=${v}`).join(' ')]),
  );
  return { data: { messageId, partitions, events: sorted }, text };
}

/** One dead letter as `dead-letters` shows it. */
export interface DeadLetterRow {
  /** `<partition>:<offset>` in the dead-letter topic: what `dead-letters replay` takes. */
  ref: string;
  deadLetterPartition: number;
  deadLetterOffset: string;
  /** When the stage set it aside (ISO), and the same in epoch ms. */
  time: string;
  at: number;
  stage: string;
  node: string;
  /** Where the stage read the record. */
  topic: string;
  partition: number;
  offset: string;
  messageId: string | null;
  errorCode: string;
  error: string;
  attempts: number;
  key: string | null;
}

/** The dead letters of a log, oldest first (records without the dead-letter headers left out). */
export function deadLetterRows(log: Pick<DeadLetterLog, 'entries'>): DeadLetterRow[] {
  return log.entries.flatMap((e) => {
    const d = e.letter;
    if (!d) return [];
    const at = Number.isFinite(d.at) && d.at > 0 ? d.at : e.timestamp;
    return [{
      ref: `${e.partition}:${e.offset}`, deadLetterPartition: e.partition, deadLetterOffset: e.offset,
      time: new Date(at).toISOString(), at, stage: d.stage, node: d.node, topic: d.topic, partition: d.partition, offset: d.offset,
      messageId: d.messageId, errorCode: d.errorCode, error: d.error, attempts: d.attempts, key: d.key,
    }];
  }).sort((a, b) => a.at - b.at || a.deadLetterPartition - b.deadLetterPartition || Number(BigInt(a.deadLetterOffset) - BigInt(b.deadLetterOffset)));
}

export function deadLettersView(log: DeadLetterLog): View<DeadLetterRow[]> {
  const data = deadLetterRows(log);
  const skipped = log.entries.length - data.length;
  const lines = [renderTable(
    ['DEAD LETTER', 'TIME', 'STAGE', 'TOPIC', 'PARTITION', 'OFFSET', 'MESSAGE ID', 'ERROR'],
    data.map((r) => [r.ref, r.time, r.stage, r.topic, r.partition, r.offset, r.messageId, clip(r.errorCode ? `${r.errorCode}: ${r.error}` : r.error, 80)]),
  )];
  const where = `${log.topic} (${log.partitions.length} partition${log.partitions.length === 1 ? '' : 's'})`;
  lines.push(data.length === 0 ? `no dead letters in ${where}` : `${data.length} dead letter(s) in ${where}; smsgw dead-letters replay <partition:offset> writes one back to its topic`);
  if (skipped > 0) lines.push(`${skipped} record(s) without the dead-letter headers left out`);
  return { data, text: lines.join('\n') };
}

export interface ReplayRow {
  /** The dead letter, `<partition>:<offset>` in the dead-letter topic. */
  ref: string;
  stage: string;
  messageId: string | null;
  /** Where the stage had read it, and where the copy was written now. */
  from: { topic: string; partition: number; offset: string };
  to: Replayed;
}

export function replayView(deadLetterTopic: string, rows: readonly ReplayRow[]): View<{ topic: string; replayed: readonly ReplayRow[] }> {
  const lines = rows.map((r) => `replayed ${r.ref} (${r.stage || '-'}, message ${r.messageId ?? '-'}, read at ${r.from.topic} ${r.from.partition}:${r.from.offset}) to ${r.to.topic} ${r.to.partition}:${r.to.offset}`);
  lines.push(rows.length === 0
    ? `no dead letters in ${deadLetterTopic}; nothing replayed`
    : `${rows.length} dead letter(s) replayed; they stay in ${deadLetterTopic} (it is a log): replaying one again writes it again`);
  return { data: { topic: deadLetterTopic, replayed: rows }, text: lines.join('\n') };
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
