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
 */
import type { ActorSpec } from '../../runtime/actor.js';
import type { ActorContext } from '../../runtime/context.js';
import type { MainLink } from '../../runtime/stage.js';
import type { DurableWriter, OutRecord } from '../../kafka/writer.js';
import type { Topics } from '../../kafka/topics.js';
import type { Logger } from '../../log.js';
import type { RestoreGuard } from '../../redis/restore-guard.js';
import { errorMessage } from '../../errors.js';
import { decodeRecord, encodeRecord, type LifecycleEvent, type LifecycleType, type OutboxRecord } from '../../domain/records.js';
import { replyWhenDone, type RecordMessage } from '../stage-message.js';
import type { HeldDeliveries, HeldEntry, HeldItem } from './held-deliveries.js';
import { KeyedLock } from './keyed-lock.js';

export type DeliveryMessage = RecordMessage | { type: 'retryHeld' };

/** The customer's answer to one deliver_sm (or why none came). */
type Answer = { ok: true } | { ok: false; err: unknown };

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

export function deliveryActor(deps: DeliveryDeps): ActorSpec<null, DeliveryMessage> {
  const locks = new KeyedLock();
  let retrying: Promise<void> | null = null;
  let stopped = false;
  /**
   * Customers of this partition with held records: this actor is the one that holds and
   * releases them, so it keeps the set itself and a record's start asks no one (Redis has the
   * durable copy; it is read once when the partition is taken, and on every retry round).
   */
  const holding = new Set<string>();
  /** Holds of failed deliveries under way per customer (they run outside the customer's lock). */
  const holdsUnderWay = new Map<string, number>();
  let holdingLoaded: Promise<void> | null = null;
  const loadHolding = (): Promise<void> => (holdingLoaded ??= (async () => {
    await deps.heldRestored.ensure();
    for (const c of await deps.held.customers(deps.partition)) holding.add(c);
  })().catch((err: unknown) => {
    holdingLoaded = null;
    throw err;
  }));

  return {
    kind: 'delivery',
    mailboxCapacity: 1024,
    init: (ctx) => {
      stopped = false;
      ctx.timers.startPeriodic('retryHeld', deps.retryIntervalMs, { type: 'retryHeld' });
      return null;
    },
    receive: (state, message, ctx) => {
      if (message.type === 'retryHeld') {
        // Runs beside new records (the customer locks keep each customer's order); never twice at once.
        retrying ??= retryHeld(ctx.log)
          .catch((err: unknown) => ctx.log.warn('held deliveries not retried', { error: errorMessage(err) }))
          .finally(() => (retrying = null));
        return state;
      }
      const entry: HeldEntry = {
        partition: message.record.partition, offset: message.record.offset,
        record: decodeRecord<OutboxRecord>(message.record.value),
      };
      replyWhenDone(ctx, deliverInOrder(entry, ctx.log));
      return state;
    },
    postStop: async () => {
      stopped = true;
      await retrying;
    },
  };

  /**
   * The customer's lock covers the checks and the hand-over to the main thread only, so the
   * customer's next record starts as soon as this one is on its way (in outbox order), and the
   * answers are awaited side by side, up to the stage's window.
   */
  async function deliverInOrder(entry: HeldEntry, log: Logger): Promise<void> {
    const started = await locks.run(entry.record.customer, () => start(entry, log));
    if (started) await finish(entry, started.answer, log);
  }

  /** Expired, queued behind held records, or handed to the main thread: then its answer. */
  async function start(entry: HeldEntry, log: Logger): Promise<{ answer: Promise<Answer> } | null> {
    const r = entry.record;
    const now = Date.now();
    if (expired(r, now)) {
      log.warn('delivery dropped: older than the retention', { customer: r.customer, messageId: r.messageId });
      await deps.writer.append(event(r, 'delivery_expired', now, { ageMs: now - r.createdAt }));
      return null;
    }
    await loadHolding();
    if (holding.has(r.customer)) {
      await deps.held.hold(entry, [event(r, 'delivery_held', now, { reason: 'QUEUED_BEHIND_HELD' })]);
      return null;
    }
    // Settled to a value: a refusal arriving before finish() awaits it is not an unhandled rejection.
    const answer = deps.main.deliver(r).then((): Answer => ({ ok: true }), (err: unknown): Answer => ({ ok: false, err }));
    return { answer };
  }

  async function finish(entry: HeldEntry, answer: Promise<Answer>, log: Logger): Promise<void> {
    const r = entry.record;
    const outcome = await answer;
    if (!outcome.ok) {
      const err = outcome.err;
      const now = Date.now();
      const reason = (err as { code?: string }).code ?? 'DELIVER_FAILED';
      // At once, so the customer's records that start from now on queue behind this one.
      holding.add(r.customer);
      holdsUnderWay.set(r.customer, (holdsUnderWay.get(r.customer) ?? 0) + 1);
      log.info('delivery held', { customer: r.customer, messageId: r.messageId, reason, error: errorMessage(err) });
      try {
        await deps.held.hold(entry, [event(r, 'delivery_held', now, { reason })]);
      } finally {
        const n = (holdsUnderWay.get(r.customer) ?? 1) - 1;
        if (n === 0) holdsUnderWay.delete(r.customer);
        else holdsUnderWay.set(r.customer, n);
      }
      return;
    }
    // The lifecycle event is for the trace and analytics; the next record need not wait for it.
    void deps.writer.append(event(r, 'delivered', Date.now())).catch((err: unknown) =>
      log.warn('delivered event not written', { messageId: r.messageId, error: errorMessage(err) }));
  }

  async function retryHeld(log: Logger): Promise<void> {
    await deps.heldRestored.ensure();
    const customers = await deps.held.customers(deps.partition);
    // Also what a previous owner of the partition held after this actor read the set.
    for (const c of customers) holding.add(c);
    for (const customer of customers) {
      while (!stopped && (await locks.run(customer, () => retryBatch(customer, log))));
      if (stopped) return;
    }
  }

  /** Tries the customer's oldest held records in order; true when more may be deliverable now. */
  async function retryBatch(customer: string, log: Logger): Promise<boolean> {
    const items = await deps.held.head(customer, RETRY_BATCH);
    if (items.length === 0) {
      // A hold still under way has not reached Redis yet: the customer is still holding.
      if ((await deps.held.releaseIfEmpty(deps.partition, customer)) && !holdsUnderWay.has(customer)) holding.delete(customer);
      return false;
    }
    const done: HeldItem[] = [];
    const events: OutRecord[] = [];
    let blocked = false;
    for (const item of items) {
      const r = item.entry.record;
      const now = Date.now();
      if (expired(r, now)) {
        log.warn('held delivery dropped: older than the retention', { customer, messageId: r.messageId });
        done.push(item);
        events.push(event(r, 'delivery_expired', now, { ageMs: now - r.createdAt }));
        continue;
      }
      if (stopped) {
        blocked = true;
        break;
      }
      try {
        await deps.main.deliver(r);
      } catch (err) {
        log.debug('held delivery still not deliverable', { customer, messageId: r.messageId, error: errorMessage(err) });
        blocked = true;
        break;
      }
      done.push(item);
      events.push(event(r, 'delivered', Date.now(), { held: true }));
    }
    await deps.held.remove(customer, done, events);
    return !blocked;
  }

  function expired(r: OutboxRecord, now: number): boolean {
    return now - r.createdAt > deps.retentionMs;
  }

  function event(r: OutboxRecord, type: LifecycleType, at: number, detail: Record<string, string | number | boolean> = {}): OutRecord {
    const ev: LifecycleEvent = {
      messageId: r.messageId, type, at, node: deps.nodeId,
      detail: { kind: r.kind, customer: r.customer, ...(r.kind === 'receipt' ? { stat: r.stat } : {}), ...detail },
    };
    return { topic: deps.topics.events, key: r.messageId, value: encodeRecord(ev) };
  }
}
