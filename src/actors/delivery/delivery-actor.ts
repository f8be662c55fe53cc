/**
 * The actor of one partition of customer-outgoing-deliveries (the customers' outboxes: receipts
 * and MO). Each record goes out over a receiving bind of its customer on any node (the main
 * thread finds one: here, or through the session registry and another node). When that fails
 * (the customer is bound nowhere, refused the deliver_sm or never answered), the record is
 * held for that customer (HeldDeliveries) and its offset committed, so the customers that share
 * the partition are not held up. While a customer has held records its new ones queue behind
 * them; every `retryIntervalMs` the held records are tried again in order, and those older than
 * the retention are dropped with a `delivery_expired` event.
 *
 * Up to the stage's window of records are out at once. A customer's are handed over one after
 * another in outbox order, and their answers awaited side by side (as a provider's window is);
 * only a failed one can be overtaken by a later one already on its way.
 *
 * Everything this actor keeps between messages (records in flight, the customer locks, the
 * customers it holds records for, the retry round under way) is its state: a restart starts
 * from Redis and Kafka again, and work of the incarnation before it answers no one.
 */
import type { ActorSpec } from '../../runtime/actor.js';
import type { DeliveredBy, MainLink } from '../../host/stage.js';
import type { DurableWriter, OutRecord } from '../../kafka/writer.js';
import type { Topics } from '../../kafka/topics.js';
import type { Logger } from '../../log.js';
import type { RestoreGuard } from '../../redis/restore-guard.js';
import { errorMessage } from '../../errors.js';
import { decodeRecord, type LifecycleType, type OutboxRecord } from '../../domain/records.js';
import { lifecycleEvent } from '../../domain/lifecycle.js';
import { eventRecord } from '../event-record.js';
import { InFlight, stageSupervision, type RecordMessage, type WorkDone } from '../stage-message.js';
import type { PipedOutcome } from '../../runtime/context.js';
import { RecordError } from '../../errors.js';
import type { HeldDeliveries, HeldItem } from './held-deliveries.js';
import type { HeldEntry } from '../../redis/stores/held-summary.js';
import { KeyedLock } from './keyed-lock.js';
import { queueOf } from './delivery-queue.js';
import { backoffDelay } from '../../backoff.js';

export type DeliveryMessage = RecordMessage | { type: 'retryHeld' } | WorkDone | { type: 'retryDone'; outcome: PipedOutcome<unknown> };

/** The customer's answer to one deliver_sm (or why none came). */
type Answer = { ok: true; by?: DeliveredBy } | { ok: false; err: unknown };

export interface DeliveryDeps {
  partition: number;
  writer: DurableWriter;
  topics: Topics;
  nodeId: string;
  main: MainLink;
  held: HeldDeliveries;
  /** Rebuilds the held records in Redis from Kafka when Redis lost them. */
  heldRestored: Pick<RestoreGuard, 'ensure'>;
  retryIntervalMs: number;
  retentionMs: number;
}

/** Held records tried per customer before the customer's lock is let go (new records wait at most this long). */
const RETRY_BATCH = 50;

export interface DeliveryState {
  /** Records on their way to a customer; each answers its ask when it is delivered or held. */
  readonly work: InFlight;
  /** One per customer: its records start in outbox order. */
  readonly locks: KeyedLock;
  /**
   * Customers of this partition with held records: this actor is the one that holds and
   * releases them, so it keeps the set itself and a record's start asks no one (Redis has the
   * durable copy; it is read once when the partition is taken, and on every retry round).
   */
  readonly holding: Set<string>;
  /** Holds of failed deliveries under way per customer (they run outside the customer's lock). */
  readonly holdsUnderWay: Map<string, number>;
  holdingLoaded: Promise<void> | null;
  /** The retry round under way, if any: never two at once. */
  retryRound: Promise<void> | null;
  /**
   * Queues whose HTTP endpoint (webhook, dlr-url) keeps failing: not tried again before `nextAt`
   * (a growing wait up to HTTP_RETRY_MAX_MS), so a customer's endpoint that is away is not
   * hammered. A bind-based queue has none: a customer binding again is served at the next round.
   */
  readonly backoff: Map<string, { failures: number; nextAt: number }>;
  /** Set when the actor stops or restarts: a retry round of this state ends early. */
  stopped: boolean;
}

export function deliveryActor(deps: DeliveryDeps): ActorSpec<DeliveryState, DeliveryMessage> {
  return {
    kind: 'delivery',
    supervision: stageSupervision,
    mailboxCapacity: 1024,
    init: (ctx) => {
      ctx.timers.startPeriodic('retryHeld', deps.retryIntervalMs, { type: 'retryHeld' });
      return {
        work: new InFlight(), locks: new KeyedLock(), holding: new Set(), holdsUnderWay: new Map(),
        holdingLoaded: null, retryRound: null, stopped: false, backoff: new Map(),
      };
    },
    receive: (s, message, ctx) => {
      switch (message.type) {
        case 'workDone':
          s.work.finish(message);
          return s;
        case 'retryHeld':
          // Runs beside new records (the customer locks keep each customer's order).
          if (s.retryRound === null) {
            s.retryRound = retryHeld(s, ctx.log);
            ctx.pipeToSelf(s.retryRound, (outcome) => ({ type: 'retryDone', outcome }));
          }
          return s;
        case 'retryDone':
          s.retryRound = null;
          if (!message.outcome.ok) ctx.log.warn('held deliveries not retried', { error: errorMessage(message.outcome.error) });
          return s;
        case 'record': {
          const record = s.work.read(ctx, () => decodeOutbox(message.record.value));
          if (record === undefined) return s;
          const entry: HeldEntry = { partition: message.record.partition, offset: message.record.offset, record };
          s.work.start(ctx, deliverInOrder(s, entry, ctx.log), entry.record.messageId, (done) => done);
          return s;
        }
      }
    },
    postStop: async (s) => {
      s.stopped = true;
      s.work.abandonAll();
      await s.retryRound?.catch(() => undefined);
    },
  };

  function loadHolding(s: DeliveryState): Promise<void> {
    return (s.holdingLoaded ??= (async () => {
      await deps.heldRestored.ensure();
      for (const c of await deps.held.customers(deps.partition)) s.holding.add(c);
    })().catch((err: unknown) => {
      s.holdingLoaded = null;
      throw err;
    }));
  }

  /**
   * The customer's lock covers the checks and the hand-over to the main thread only, so the
   * customer's next record starts as soon as this one is on its way (in outbox order), and the
   * answers are awaited side by side, up to the stage's window.
   */
  async function deliverInOrder(s: DeliveryState, entry: HeldEntry, log: Logger): Promise<void> {
    const started = await s.locks.run(queueOf(entry.record), () => start(s, entry, log));
    if (started) await finish(s, entry, started.answer, log);
  }

  /** Expired, queued behind held records, or handed to the main thread: then its answer. */
  async function start(s: DeliveryState, entry: HeldEntry, log: Logger): Promise<{ answer: Promise<Answer> } | null> {
    const r = entry.record;
    const now = Date.now();
    if (expired(r, now)) {
      log.warn('delivery dropped: older than the retention', { customer: r.customer, messageId: r.messageId });
      await deps.writer.append(event(r, 'delivery_expired', now, { ageMs: now - r.createdAt }));
      return null;
    }
    await loadHolding(s);
    if (s.holding.has(queueOf(r))) {
      await deps.held.hold(entry, [event(r, 'delivery_held', now, { reason: 'QUEUED_BEHIND_HELD' })]);
      return null;
    }
    // Settled to a value: a refusal arriving before finish() awaits it is not an unhandled rejection.
    const answer = deps.main.deliver(r).then((): Answer => ({ ok: true }), (err: unknown): Answer => ({ ok: false, err }));
    return { answer };
  }

  async function finish(s: DeliveryState, entry: HeldEntry, answer: Promise<Answer>, log: Logger): Promise<void> {
    const r = entry.record;
    const outcome = await answer;
    if (!outcome.ok) {
      const err = outcome.err;
      const now = Date.now();
      const reason = (err as { code?: string }).code ?? 'DELIVER_FAILED';
      const queue = queueOf(r);
      httpFailed(s, queue, err, now);
      // At once, so the customer's records that start from now on queue behind this one.
      s.holding.add(queue);
      s.holdsUnderWay.set(queue, (s.holdsUnderWay.get(queue) ?? 0) + 1);
      log.info('delivery held', { customer: r.customer, messageId: r.messageId, reason, error: errorMessage(err) });
      try {
        await deps.held.hold(entry, [event(r, 'delivery_held', now, { reason })]);
      } finally {
        const n = (s.holdsUnderWay.get(queue) ?? 1) - 1;
        if (n === 0) s.holdsUnderWay.delete(queue);
        else s.holdsUnderWay.set(queue, n);
      }
      return;
    }
    // The lifecycle event is for the trace and analytics; the next record need not wait for it.
    void deps.writer.append(event(r, 'delivered', Date.now())).catch((err: unknown) =>
      log.warn('delivered event not written', { messageId: r.messageId, error: errorMessage(err) }));
  }

  async function retryHeld(s: DeliveryState, log: Logger): Promise<void> {
    await deps.heldRestored.ensure();
    const customers = await deps.held.customers(deps.partition);
    // Also what a previous owner of the partition held after this actor read the set.
    for (const c of customers) s.holding.add(c);
    for (const customer of customers) {
      if ((s.backoff.get(customer)?.nextAt ?? 0) > Date.now()) continue;
      while (!s.stopped && (await s.locks.run(customer, () => retryBatch(s, customer, log))));
      if (s.stopped) return;
    }
  }

  /**
   * Tries the customer's oldest held records in order; true when more may be deliverable now.
   * The first goes alone, so a customer still away costs one try a round. Once it is taken over
   * SMPP, the rest are handed over in order and their answers awaited side by side, as fresh
   * records' are: a customer catching up drains a batch per round trip, not one record. (One at
   * a time, a customer held once at 75 receipts/s drained 5 a second on a loaded machine and
   * never caught up, its new records queueing behind.) As on the fresh path, only a failed one
   * can be overtaken by a later one already on its way. HTTP calls side by side could arrive in
   * any order, so a webhook's or dlr-url's held records still go one by one.
   */
  async function retryBatch(s: DeliveryState, customer: string, log: Logger): Promise<boolean> {
    const items = await deps.held.head(customer, RETRY_BATCH);
    if (items.length === 0) {
      // A hold still under way has not reached Redis yet: the customer is still holding.
      if ((await deps.held.releaseIfEmpty(deps.partition, customer)) && !s.holdsUnderWay.has(customer)) s.holding.delete(customer);
      return false;
    }
    const done: HeldItem[] = [];
    const events: OutRecord[] = [];
    const sideBySide: { item: HeldItem; answer: Promise<Answer> }[] = [];
    let together = false;
    let blocked = false;
    let failure: { err: unknown } | null = null;
    let delivered = 0;
    const took = (item: HeldItem) => {
      delivered++;
      done.push(item);
      events.push(event(item.entry.record, 'delivered', Date.now(), { held: true }));
    };
    const refused = (item: HeldItem, err: unknown) => {
      log.debug('held delivery still not deliverable', { customer, messageId: item.entry.record.messageId, error: errorMessage(err) });
      blocked = true;
      failure ??= { err };
    };
    for (const item of items) {
      const r = item.entry.record;
      const now = Date.now();
      if (expired(r, now)) {
        log.warn('held delivery dropped: older than the retention', { customer, messageId: r.messageId });
        done.push(item);
        events.push(event(r, 'delivery_expired', now, { ageMs: now - r.createdAt }));
        continue;
      }
      if (s.stopped) {
        blocked = true;
        break;
      }
      const answer = deps.main.deliver(r).then((by): Answer => ({ ok: true, ...(by ? { by } : {}) }), (err: unknown): Answer => ({ ok: false, err }));
      if (together) {
        sideBySide.push({ item, answer });
        continue;
      }
      const outcome = await answer;
      if (!outcome.ok) {
        refused(item, outcome.err);
        break;
      }
      took(item);
      together = outcome.by !== 'http';
    }
    for (const { item, answer } of sideBySide) {
      const outcome = await answer;
      if (outcome.ok) took(item);
      else refused(item, outcome.err);
    }
    if (delivered > 0) s.backoff.delete(customer);
    if (failure) httpFailed(s, customer, failure.err, Date.now());
    await deps.held.remove(customer, done, events);
    return !blocked;
  }

  /** A webhook or dlr-url that failed: its queue waits longer before the next try. */
  function httpFailed(s: DeliveryState, queue: string, err: unknown, now: number): void {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code !== 'string' || !(code.startsWith('WEBHOOK_') || code.startsWith('DLR_URL_'))) return;
    const before = s.backoff.get(queue);
    // Several records out at once fail together: one failure per wait, not one per record.
    if (before && before.nextAt > now) return;
    const failures = (before?.failures ?? 0) + 1;
    s.backoff.set(queue, { failures, nextAt: now + httpRetryDelay(failures, deps.retryIntervalMs) });
  }

  function expired(r: OutboxRecord, now: number): boolean {
    return now - r.createdAt > deps.retentionMs;
  }

  function event(r: OutboxRecord, type: LifecycleType, at: number, detail: Record<string, string | number | boolean> = {}): OutRecord {
    return eventRecord(deps.topics, lifecycleEvent(r.messageId, type, deps.nodeId, {
      kind: r.kind, customer: r.customer, ...(r.kind === 'receipt' ? { stat: r.stat } : {}), ...detail,
    }, at));
  }
}

/** The longest wait between tries of a failing webhook or dlr-url. */
export const HTTP_RETRY_MAX_MS = 60_000;

/** The wait after the `failures`-th failure in a row of a customer's HTTP endpoint: the retry interval, doubling, up to a minute. */
export function httpRetryDelay(failures: number, retryIntervalMs: number): number {
  return backoffDelay(failures - 1, { initialMs: retryIntervalMs, maxMs: Math.max(retryIntervalMs, HTTP_RETRY_MAX_MS) });
}

/** A receipt or MO as the delivery stage needs it; a record of another shape is the record's fault. */
export function decodeOutbox(value: Buffer): OutboxRecord {
  const r = decodeRecord<OutboxRecord>(value);
  if (typeof r !== 'object' || r === null || (r.kind !== 'receipt' && r.kind !== 'mo') || typeof r.customer !== 'string'
    || typeof r.messageId !== 'string' || typeof r.createdAt !== 'number') {
    throw new RecordError('RECORD_INVALID', 'not a receipt or MO: kind, customer, messageId and createdAt are required');
  }
  return r;
}
