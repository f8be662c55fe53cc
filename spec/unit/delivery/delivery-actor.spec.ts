import { strict as assert } from 'node:assert';
import { deliveryActor, type DeliveryMessage } from '../../../src/actors/delivery/delivery-actor.js';
import type { HeldDeliveries, HeldItem } from '../../../src/actors/delivery/held-deliveries.js';
import type { DeliveredBy, MainLink } from '../../../src/host/stage.js';
import type { DeliveryRecord, LifecycleEvent } from '../../../src/domain/records.js';
import { GatewayError, isRecordFault, RecordError } from '../../../src/errors.js';
import type { StageRecord } from '../../../src/kafka/stage-consumer.js';
import { topicNames } from '../../../src/kafka/topics.js';
import type { DurableWriter, OutRecord } from '../../../src/kafka/writer.js';
import type { HeldEntry } from '../../../src/redis/stores/held-summary.js';
import type { ActorRef, ActorSystem } from '../../../src/runtime/index.js';
import { delay, fastRestart, gate, testSystem, track, waitFor } from '../runtime/support.js';

const topics = topicNames('u.');

/** Acknowledges every append and keeps it. */
class AcceptingWriter {
  readonly appended: OutRecord[][] = [];
  append(records: OutRecord | OutRecord[]): Promise<void> {
    this.appended.push(Array.isArray(records) ? records : [records]);
    return Promise.resolve();
  }
}

type Answer = 'take' | 'refuse' | { gate: Promise<void> };

/** The main thread: each customer takes or refuses its deliver_sm as told (take by default). */
class ScriptedMainLink implements MainLink {
  readonly delivered: string[] = [];
  readonly attempts: string[] = [];
  readonly answers = new Map<string, Answer>();
  /** Records refused whatever their customer's answer. */
  readonly refusing = new Set<string>();
  async deliver(record: DeliveryRecord | { customer: string; messageId: string }): Promise<DeliveredBy | void> {
    this.attempts.push(record.messageId);
    const answer = this.refusing.has(record.messageId) ? 'refuse' : this.answers.get(record.customer) ?? 'take';
    if (answer === 'refuse') throw new GatewayError('DELIVER_REFUSED', `${record.customer} refused the deliver_sm`);
    if (answer !== 'take') await answer.gate;
    this.delivered.push(record.messageId);
  }
}

/** The held records in memory, with the methods the actor calls. `failHold` makes a hold fail with a defect. */
class InMemoryHeld {
  readonly holding = new Set<string>();
  readonly holds: { entry: HeldEntry; also: OutRecord[] }[] = [];
  customersCalls = 0;
  failHold: Error | undefined;
  async customers(_partition: number): Promise<string[]> {
    this.customersCalls++;
    return [...this.holding];
  }
  async hold(entry: HeldEntry, also: OutRecord[] = []): Promise<void> {
    if (this.failHold) throw this.failHold;
    this.holds.push({ entry, also });
    this.holding.add(entry.record.customer);
  }
  /** Held before the test: what a retry round finds, oldest first. */
  readonly queued: HeldItem[] = [];
  readonly removed: { items: HeldItem[]; also: OutRecord[] }[] = [];
  async head(customer: string, n: number): Promise<HeldItem[]> {
    return this.queued.filter((i) => i.entry.record.customer === customer).slice(0, n);
  }
  async remove(_customer: string, items: readonly HeldItem[], also: OutRecord[] = []): Promise<void> {
    this.removed.push({ items: [...items], also });
    for (const item of items) this.queued.splice(this.queued.indexOf(item), 1);
  }
  async releaseIfEmpty(): Promise<boolean> {
    return false;
  }
}

let seq = 0;
function receipt(customer: string): DeliveryRecord {
  return {
    kind: 'receipt', customer, messageId: `m-${customer}-${++seq}`,
    source: { ton: 1, npi: 1, addr: '447700900001' }, destination: { ton: 5, npi: 0, addr: 'ACME' },
    stat: 'DELIVRD', err: '000', submittedAt: Date.now(), doneAt: Date.now(), createdAt: Date.now(),
  };
}

let offset = 0;
function record(value: Buffer | DeliveryRecord, partition = 0): DeliveryMessage {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value));
  const r: StageRecord = { topic: topics.deliveries, partition, offset: String(offset++), key: 'k', value: bytes, timestamp: Date.now() };
  return { type: 'record', record: r };
}

const eventOf = (o: OutRecord | undefined): LifecycleEvent => JSON.parse(String(o?.value)) as LifecycleEvent;
const eventsIn = (writes: OutRecord[][]) => writes.flat().filter((o) => o.topic === topics.events).map(eventOf);

describe('delivery actor', () => {
  let system: ActorSystem;

  beforeEach(() => (system = testSystem({ supervision: fastRestart })));
  afterEach(() => system.shutdown({ drain: false }));

  /** `restartOnDefects`: a supervisor that restarts on any failure, to see what a restart keeps. */
  function start(partition = 0, restartOnDefects = false, retryIntervalMs = 3_600_000, main = new ScriptedMainLink()) {
    const held = new InMemoryHeld();
    const writer = new AcceptingWriter();
    const restored = { ensured: 0, ensure: async () => void restored.ensured++ };
    const spec = deliveryActor({
      partition, writer: writer as unknown as DurableWriter, topics, nodeId: 'node-u', main,
      held: held as unknown as HeldDeliveries, heldRestored: restored,
      // No retry round unless a test asks for one: what the tests see is the records' own path.
      retryIntervalMs, retentionMs: 3_600_000,
    });
    const ref: ActorRef<DeliveryMessage> = system.spawn(`delivery-${partition}`,
      restartOnDefects ? { ...spec, supervision: { decider: () => 'restart' as const } } : spec);
    const stats = () => system.snapshot().find((s) => s.address.path === `/delivery-${partition}`);
    return { ref, main, held, writer, restored, stats };
  }

  function heldItem(r: DeliveryRecord): HeldItem {
    const entry: HeldEntry = { partition: 0, offset: String(offset++), record: r };
    return { entry, raw: JSON.stringify(entry) };
  }

  it('a retry round tries the oldest held record alone, then hands the rest over in order and awaits their answers side by side', async () => {
    // The customer is back: the first held record is taken at once; the others wait for an
    // answer that comes only once all of them are out. One at a time, the round would stop at
    // the second.
    const opened = gate();
    const main = new (class extends ScriptedMainLink {
      override async deliver(r: DeliveryRecord): Promise<DeliveredBy | void> {
        if (this.attempts.length > 0) {
          this.attempts.push(r.messageId);
          await opened.promise;
          this.delivered.push(r.messageId);
          return;
        }
        return super.deliver(r);
      }
    })();
    const { held } = start(0, false, 20, main);
    const records = Array.from({ length: 10 }, () => receipt('acme'));
    held.holding.add('acme');
    held.queued.push(...records.map(heldItem));
    await waitFor(() => main.attempts.length === 10, 'all ten held records handed over before any answer but the first');
    assert.deepEqual(main.attempts, records.map((r) => r.messageId), 'handed over in outbox order');
    assert.equal(main.delivered.length, 1);
    opened.open();
    await waitFor(() => held.queued.length === 0, 'the held queue emptied');
    const removed = held.removed.flatMap((x) => x.items.map((i) => i.entry.record.messageId));
    assert.deepEqual(removed, records.map((r) => r.messageId));
    const events = held.removed.flatMap((x) => x.also).map(eventOf);
    assert.deepEqual(events.map((e) => [e.type, e.detail?.held]), records.map(() => ['delivered', true]));
  });

  it('a retry round takes a webhook\'s held records one by one: HTTP calls side by side could arrive in any order', async () => {
    const opened = gate();
    const main = new (class extends ScriptedMainLink {
      override async deliver(r: DeliveryRecord): Promise<DeliveredBy> {
        const first = this.attempts.length === 0;
        this.attempts.push(r.messageId);
        if (!first) await opened.promise;
        this.delivered.push(r.messageId);
        return 'http';
      }
    })();
    const { held } = start(0, false, 20, main);
    const records = Array.from({ length: 6 }, () => receipt('acme'));
    held.holding.add('acme');
    held.queued.push(...records.map(heldItem));
    await waitFor(() => main.attempts.length === 2, 'the second held record tried');
    await delay(150);
    assert.equal(main.attempts.length, 2, 'no third call before the second is answered');
    opened.open();
    await waitFor(() => held.queued.length === 0, 'the held queue emptied');
    assert.deepEqual(main.delivered, records.map((r) => r.messageId));
  });

  it('a retry round whose first held record is refused tries no other; one refused among the rest stays held while the others go', async () => {
    const main = new ScriptedMainLink();
    const { held } = start(0, false, 20, main);
    main.answers.set('acme', 'refuse');
    const records = Array.from({ length: 5 }, () => receipt('acme'));
    held.holding.add('acme');
    held.queued.push(...records.map(heldItem));
    await waitFor(() => main.attempts.length >= 2, 'two rounds');
    // Every round tried the oldest alone and stopped there.
    assert.deepEqual(new Set(main.attempts), new Set([records[0]!.messageId]));
    assert.equal(held.queued.length, 5);
    // Back, except for the third record, which it refuses.
    const third = records[2]!.messageId;
    main.refusing.add(third);
    main.answers.set('acme', 'take');
    await waitFor(() => held.queued.length === 1, 'all but the refused one delivered');
    assert.deepEqual(held.queued.map((i) => i.entry.record.messageId), [third]);
    assert.deepEqual(main.delivered.slice(0, 4), records.filter((r) => r.messageId !== third).map((r) => r.messageId));
  });

  it('answers a record once the customer took the deliver_sm, and writes a delivered event', async () => {
    const { ref, main, writer, held } = start();
    let open: () => void = () => undefined;
    main.answers.set('acme', { gate: new Promise<void>((resolve) => (open = resolve)) });
    const r = receipt('acme');
    const asked = track(ref.ask<void>(record(r)));
    await waitFor(() => main.attempts.length === 1, 'the deliver_sm handed over');
    await delay(10);
    assert.equal(asked.settled, false, 'waits for the customer\'s answer');
    assert.equal(eventsIn(writer.appended).length, 0);
    open();
    await asked.result;
    assert.deepEqual(main.delivered, [r.messageId]);
    const events = eventsIn(writer.appended);
    assert.deepEqual(events.map((e) => [e.type, e.messageId]), [['delivered', r.messageId]]);
    assert.equal(events[0]?.detail?.customer, 'acme');
    assert.equal(events[0]?.detail?.kind, 'receipt');
    assert.deepEqual(held.holds, []);
  });

  it('holds a refused record (with a delivery_held event) and answers its ask, so the offset may commit', async () => {
    const { ref, main, held, writer } = start();
    main.answers.set('acme', 'refuse');
    const r = receipt('acme');
    const msg = record(r, 0);
    await ref.ask(msg);
    assert.deepEqual(main.delivered, []);
    assert.equal(held.holds.length, 1);
    const { entry, also } = held.holds[0]!;
    assert.deepEqual(entry, { partition: 0, offset: msg.type === 'record' ? msg.record.offset : '', record: r });
    assert.deepEqual(also.map(eventOf).map((e) => [e.type, e.messageId, e.detail?.reason]), [['delivery_held', r.messageId, 'DELIVER_REFUSED']]);
    assert.deepEqual(eventsIn(writer.appended), [], 'no delivered event');
  });

  it('queues a held customer\'s later records behind the held ones while other customers\' go out', async () => {
    const { ref, main, held } = start();
    main.answers.set('acme', 'refuse');
    const first = receipt('acme');
    await ref.ask(record(first));
    main.answers.set('acme', 'take'); // it would take the next one: it must not get it before the held one
    const second = receipt('acme');
    const other = receipt('beta');
    await Promise.all([ref.ask(record(second)), ref.ask(record(other))]);
    assert.deepEqual(main.attempts, [first.messageId, other.messageId], 'acme\'s second record is not handed over');
    assert.deepEqual(main.delivered, [other.messageId]);
    assert.deepEqual(held.holds.map((h) => [h.entry.record.messageId, eventOf(h.also[0]).detail?.reason]), [
      [first.messageId, 'DELIVER_REFUSED'],
      [second.messageId, 'QUEUED_BEHIND_HELD'],
    ]);
  });

  it('reads the held customers of its partition once (after the restore guard), not per record', async () => {
    const { ref, held, restored } = start();
    held.holding.add('acme');
    for (let i = 0; i < 3; i++) await ref.ask(record(receipt(i === 1 ? 'acme' : 'beta')));
    assert.equal(held.customersCalls, 1);
    assert.ok(restored.ensured >= 1);
    assert.deepEqual(held.holds.map((h) => h.entry.record.customer), ['acme'], 'a customer held before this actor started queues too');
  });

  it('rejects a record of the wrong shape with a RecordError', async () => {
    const { ref, main } = start();
    const { kind: _kind, ...noKind } = receipt('acme');
    for (const value of [noKind, { ...receipt('acme'), createdAt: 'yesterday' }, { kind: 'mo' }, 42]) {
      await assert.rejects(ref.ask(record(Buffer.from(JSON.stringify(value)))), (err: unknown) => {
        assert.ok(err instanceof RecordError, `${JSON.stringify(value)}: got ${String(err)}`);
        assert.equal(err.code, 'RECORD_INVALID');
        return true;
      });
    }
    assert.deepEqual(main.attempts, []);
  });

  it('rejects undecodable bytes (garbage, an empty value) with a RecordError', async () => {
    const { ref } = start();
    for (const bytes of [Buffer.from([0xff, 0x00, 0x7b]), Buffer.alloc(0)]) {
      await assert.rejects(ref.ask(record(bytes)), (err: unknown) => {
        assert.ok(isRecordFault(err), String(err));
        assert.ok(err instanceof RecordError, `expected a RecordError for ${bytes.length} bytes, got ${(err as Error).name}: ${(err as Error).message}`);
        return true;
      });
    }
  });

  it('a bad record does not disturb the records in flight beside it', async () => {
    const { ref, main, stats } = start();
    let open: () => void = () => undefined;
    main.answers.set('acme', { gate: new Promise<void>((resolve) => (open = resolve)) });
    const inFlight = track(ref.ask<void>(record(receipt('acme'))));
    await waitFor(() => main.attempts.length === 1, 'handed over');
    await assert.rejects(ref.ask(record(Buffer.from(JSON.stringify({ kind: 'receipt' })))), (err: unknown) => err instanceof RecordError);
    open();
    await inFlight.result.then(
      () => undefined,
      (err: unknown) => assert.fail(`the record in flight was answered ${(err as Error).name}: ${(err as Error).message}`),
    );
    assert.equal(stats()?.restarts, 0);
  });

  it('a defect of a hold reaches the supervisor, which resumes: the record is refused, nothing else is dropped', async () => {
    const { ref, main, held, stats } = start();
    main.answers.set('acme', 'refuse');
    await ref.ask(record(receipt('acme')));
    main.answers.set('beta', 'refuse');
    held.failHold = new Error('held store defect');
    await assert.rejects(ref.ask(record(receipt('beta'))), /held store defect/);
    await waitFor(() => stats()?.failed === 1, 'the failure seen by the supervisor');
    assert.equal(stats()?.restarts, 0);
    assert.match(stats()?.lastError?.message ?? '', /held store defect/);
    held.failHold = undefined;
    // Still the same state: acme is still held here, so its next record queues behind.
    main.answers.clear();
    await ref.ask(record(receipt('acme')));
    assert.deepEqual(held.holds.slice(-1).map((h) => eventOf(h.also[0]).detail?.reason), ['QUEUED_BEHIND_HELD']);
    assert.equal(held.customersCalls, 1);
  });

  it('after a restart, rebuilds its held customers from held.customers() and forgets the ones it kept in memory', async () => {
    const { ref, main, held, stats } = start(0, true);
    main.answers.set('acme', 'refuse');
    await ref.ask(record(receipt('acme')));
    assert.deepEqual([...held.holding], ['acme']);

    // A hold failing with a defect restarts the actor under a supervisor that restarts on it.
    main.answers.set('beta', 'refuse');
    held.failHold = new Error('held store defect');
    await assert.rejects(ref.ask(record(receipt('beta'))), /held store defect/);
    await waitFor(() => stats()?.restarts === 1 && stats()?.status === 'running', 'restarted');
    held.failHold = undefined;
    assert.equal(held.customersCalls, 1);

    // Meanwhile Redis says: acme was released (by a retry round elsewhere), carol is held.
    held.holding.clear();
    held.holding.add('carol');
    main.answers.clear();
    const acme = receipt('acme');
    const beta = receipt('beta');
    const carol = receipt('carol');
    await Promise.all([ref.ask(record(acme)), ref.ask(record(beta)), ref.ask(record(carol))]);
    assert.equal(held.customersCalls, 2, 'read again by the new incarnation');
    assert.deepEqual(main.delivered.sort(), [acme.messageId, beta.messageId].sort(), 'acme and beta are not held in the new state');
    assert.deepEqual(held.holds.slice(1).map((h) => [h.entry.record.customer, eventOf(h.also[0]).detail?.reason]), [['carol', 'QUEUED_BEHIND_HELD']]);
  });

  it('keeps its held customers to itself: another partition\'s actor delivers to the same customer', async () => {
    const a = start(0);
    const b = start(1);
    a.main.answers.set('acme', 'refuse');
    await a.ref.ask(record(receipt('acme'), 0));
    const later = receipt('acme');
    await a.ref.ask(record(receipt('acme'), 0));
    await b.ref.ask(record(later, 1));
    assert.deepEqual(b.main.delivered, [later.messageId]);
    assert.deepEqual(b.held.holds, []);
    assert.equal(a.held.holds.length, 2);
  });
});
