/**
 * The gateway's Prometheus metrics of one thread. Every thread (the main thread with the
 * customer edge, each stage worker) has its own instance and registry; the main thread's
 * /metrics merges them (aggregate.ts), so a counter of the supplier stage is one series however
 * many workers run it. Names follow Prometheus conventions: `smsgw_` prefix, `_total` counters,
 * `_seconds` histograms.
 *
 * Label values are few and known (customers, providers, statuses, stages), never message ids or
 * numbers, so the number of series stays bounded.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { statusName } from '../smpp/status.js';
import { messageIdTime } from '../domain/ids.js';
import type { OutboxRecord } from '../domain/records.js';
import type { StageStats } from '../host/threads/protocol.js';

/** Latency buckets, seconds: an SMPP answer within ms, a receipt within seconds to hours. */
const ANSWER_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const RECEIPT_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 21600, 86400];

export type BindStateName = 'bound' | 'paused' | 'down';

/** What the main thread knows of its node, read at each scrape. */
export interface NodeFacts {
  /** Sessions bound on this node. */
  sessions(): { customer: string; bindType: string }[];
  workers(): { configured: number; ready: number; givenUp: number };
  /** Receipts and MO held for customers who were not there to take them (cluster-wide, from Redis). */
  held(): Promise<{ customer: string; count: number; oldestCreatedAt: number | null }[]>;
}

export class GatewayMetrics {
  readonly registry = new Registry();

  private readonly submits = new Counter({
    name: 'smsgw_submits_total', help: 'submit_sm and data_sm answered to customers, by customer and command_status',
    labelNames: ['customer', 'status'] as const, registers: [this.registry],
  });
  private readonly parts = new Counter({
    name: 'smsgw_parts_accepted_total', help: 'Message parts accepted from customers (durable in Kafka), by customer',
    labelNames: ['customer'] as const, registers: [this.registry],
  });
  private readonly submitLatency = new Histogram({
    name: 'smsgw_submit_response_seconds', help: 'From a customer submit_sm read to its submit_sm_resp written',
    labelNames: ['status'] as const, buckets: ANSWER_BUCKETS, registers: [this.registry],
  });
  private readonly deliveries = new Counter({
    name: 'smsgw_deliveries_total', help: 'Receipts and MO accepted by customers over SMPP, by kind, customer and receipt stat',
    labelNames: ['kind', 'customer', 'stat'] as const, registers: [this.registry],
  });
  private readonly receiptLatency = new Histogram({
    name: 'smsgw_submit_to_receipt_seconds', help: 'From a message accepted from the customer to its receipt accepted by the customer',
    labelNames: ['stat'] as const, buckets: RECEIPT_BUCKETS, registers: [this.registry],
  });
  private readonly providerSubmits = new Counter({
    name: 'smsgw_provider_submits_total', help: 'submit_sm answered by providers, by provider and command_status',
    labelNames: ['provider', 'status'] as const, registers: [this.registry],
  });
  private readonly providerLatency = new Histogram({
    name: 'smsgw_provider_submit_seconds', help: 'From a submit_sm written to a provider to its submit_sm_resp',
    labelNames: ['provider'] as const, buckets: ANSWER_BUCKETS, registers: [this.registry],
  });
  private readonly throttledAnswers = new Counter({
    name: 'smsgw_provider_throttled_total', help: 'ESME_RTHROTTLED answers from providers (each pauses the bind and the part is sent again)',
    labelNames: ['provider'] as const, registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: 'smsgw_provider_retries_total', help: 'Parts sent to a provider again, by provider and reason',
    labelNames: ['provider', 'reason'] as const, registers: [this.registry],
  });
  private readonly binds = new Gauge({
    name: 'smsgw_provider_bind_state', help: 'Provider binds owned by this node: 1 for the state each is in (bound, paused, down)',
    labelNames: ['provider', 'state'] as const, registers: [this.registry],
  });
  private readonly counters = new Map<string, Counter.Internal>();
  private readonly histograms = new Map<string, Histogram.Internal<string>>();

  /** A submit answered: `parts` counted when it was accepted. */
  submitAnswered(customer: string, status: number, seconds: number, parts = 0): void {
    const name = statusName(status);
    this.counter(this.submits, 's', [customer, name]).inc();
    this.histogram(this.submitLatency, 'l', [name]).observe(seconds);
    if (parts > 0) this.counter(this.parts, 'p', [customer]).inc(parts);
  }

  /** A receipt or MO the customer accepted (deliver_sm_resp ESME_ROK), at `now`. */
  delivered(record: OutboxRecord, now: number): void {
    const stat = record.kind === 'receipt' ? record.stat : '';
    this.counter(this.deliveries, 'd', [record.kind, record.customer, stat]).inc();
    if (record.kind !== 'receipt') return;
    const acceptedAt = messageIdTime(record.messageId);
    if (acceptedAt !== undefined && now >= acceptedAt) this.histogram(this.receiptLatency, 'r', [stat]).observe((now - acceptedAt) / 1000);
  }

  providerAnswered(provider: string, status: number, seconds: number): void {
    this.counter(this.providerSubmits, 'ps', [provider, statusName(status)]).inc();
    this.histogram(this.providerLatency, 'pl', [provider]).observe(seconds);
  }

  providerThrottled(provider: string): void {
    this.counter(this.throttledAnswers, 't', [provider]).inc();
  }

  providerRetry(provider: string, reason: string): void {
    this.counter(this.retries, 'rt', [provider, retryReason(reason)]).inc();
  }

  /** A bind's state now; null once the bind is stopped here (its partition moved, or the provider went). */
  bindState(provider: string, state: BindStateName | null): void {
    for (const s of ['bound', 'paused', 'down'] as const) {
      if (state === null) this.binds.remove({ provider, state: s });
      else this.binds.set({ provider, state: s }, s === state ? 1 : 0);
    }
  }

  /**
   * The stages of a worker thread, read at each scrape: records handled, dead letters and
   * consumer lag per stage. Counted by the consumers already, so nothing is added to the path.
   */
  observeStages(stats: () => StageStats[]): void {
    const registers = [this.registry];
    const perStage = (pick: (s: StageStats) => number) => {
      const by = new Map<string, number>();
      for (const s of stats()) by.set(s.stage, (by.get(s.stage) ?? 0) + pick(s));
      return by;
    };
    new Counter({
      name: 'smsgw_stage_records_total', help: 'Records handled by the stage consumers of this node, by stage', labelNames: ['stage'] as const, registers,
      collect() { this.reset(); for (const [stage, n] of perStage((s) => s.handled)) this.inc({ stage }, n); },
    });
    new Counter({
      name: 'smsgw_dead_letters_total', help: 'Records set aside in the dead-letter topic by this node, by stage', labelNames: ['stage'] as const, registers,
      collect() { this.reset(); for (const [stage, n] of perStage((s) => s.deadLettered)) this.inc({ stage }, n); },
    });
    new Gauge({
      name: 'smsgw_consumer_lag_records', help: 'Records behind the end of the partitions this node consumes, by stage (as of the last fetch)', labelNames: ['stage'] as const, registers,
      collect() { this.reset(); for (const [stage, n] of perStage((s) => Object.values(s.lag).reduce((a, b) => a + b, 0))) this.set({ stage }, n); },
    });
  }

  /** The node as a whole (main thread only, so nothing is counted once per thread). */
  observeNode(facts: NodeFacts): void {
    const registers = [this.registry];
    new Gauge({
      name: 'smsgw_sessions', help: 'Customer SMPP sessions bound on this node, by customer and bind type', labelNames: ['customer', 'bind_type'] as const, registers,
      collect() {
        this.reset();
        const by = new Map<string, { customer: string; bind_type: string; n: number }>();
        for (const s of facts.sessions()) {
          const key = `${s.customer}\u0000${s.bindType}`;
          const e = by.get(key) ?? { customer: s.customer, bind_type: s.bindType, n: 0 };
          e.n++;
          by.set(key, e);
        }
        for (const e of by.values()) this.set({ customer: e.customer, bind_type: e.bind_type }, e.n);
      },
    });
    new Gauge({
      name: 'smsgw_worker_threads', help: 'Stage worker threads of this node: configured, up (running their stages), given up (restart budget spent)', labelNames: ['state'] as const, registers,
      collect() {
        const w = facts.workers();
        this.set({ state: 'configured' }, w.configured);
        this.set({ state: 'up' }, w.ready);
        this.set({ state: 'given_up' }, w.givenUp);
      },
    });
    // Read once per scrape, by the first of the two; a registry starts every collect before
    // awaiting any, so the second awaits the same read.
    let rows: ReturnType<NodeFacts['held']> = Promise.resolve([]);
    new Gauge({
      name: 'smsgw_held_deliveries', help: 'Receipts and MO held for a customer that was not bound to take them (cluster-wide: take max() over nodes)', labelNames: ['customer'] as const, registers,
      async collect() {
        // Redis away: these two go missing from the scrape; everything else is still served.
        rows = facts.held().catch(() => []);
        const read = await rows;
        this.reset();
        for (const r of read) this.set({ customer: r.customer }, r.count);
      },
    });
    new Gauge({
      name: 'smsgw_held_delivery_age_seconds', help: 'Age of the oldest delivery held for a customer (cluster-wide: take max() over nodes)', labelNames: ['customer'] as const, registers,
      async collect() {
        const read = await rows;
        const now = Date.now();
        this.reset();
        for (const r of read) this.set({ customer: r.customer }, r.oldestCreatedAt === null ? 0 : Math.max(0, (now - r.oldestCreatedAt) / 1000));
      },
    });
  }

  /**
   * Node.js and process figures of prom-client, once per process. Its three
   * `nodejs_active_*_total` gauges are left out: a gauge must not end in `_total` (promtool
   * refuses them) and `nodejs_active_handles` and friends carry the same counts by type.
   */
  observeProcess(): void {
    collectDefaultMetrics({ register: this.registry });
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(name);
  }

  /** The labelled child of a counter, looked up once: labels() hashes its arguments on every call. */
  private counter(metric: Counter<string>, tag: string, values: string[]): Counter.Internal {
    const key = `${tag}\u0000${values.join('\u0000')}`;
    let c = this.counters.get(key);
    if (c === undefined) this.counters.set(key, (c = metric.labels(...values)));
    return c;
  }

  private histogram(metric: Histogram<string>, tag: string, values: string[]): Histogram.Internal<string> {
    const key = `${tag}\u0000${values.join('\u0000')}`;
    let h = this.histograms.get(key);
    if (h === undefined) this.histograms.set(key, (h = metric.labels(...values)));
    return h;
  }
}

/** A bounded set of reasons: a status value becomes `status`, whatever its number. */
function retryReason(reason: string): string {
  return reason.startsWith('status ') ? 'status' : reason.replace(/\s+/g, '_');
}
