import { strict as assert } from 'node:assert';
import { routerActor, type RouterMessage } from '../../../src/actors/router/router-actor.js';
import type { AvailabilityCache } from '../../../src/actors/router/availability-cache.js';
import { validateConfig } from '../../../src/config/validate.js';
import type { GatewayConfig } from '../../../src/config/types.js';
import type { DeliveryRecord, LifecycleEvent, MessageRecord, OutgoingRecord } from '../../../src/domain/records.js';
import { isRecordFault, RecordError, UnavailableError } from '../../../src/errors.js';
import type { StageRecord } from '../../../src/kafka/stage-consumer.js';
import { topicNames } from '../../../src/kafka/topics.js';
import type { DurableWriter, OutRecord } from '../../../src/kafka/writer.js';
import { ActorRestartedError, type ActorRef, type ActorSystem } from '../../../src/runtime/index.js';
import { delay, testSystem, track, waitFor } from '../runtime/support.js';

const topics = topicNames('u.');
const PROVIDER_PARTITIONS = 4;

const config: GatewayConfig = validateConfig({
  node: { id: 'node-u', threads: 1 },
  listeners: [{ port: 0 }],
  customers: [{ systemId: 'acme', password: 'x' }],
  providers: [
    { id: 'p1', host: '127.0.0.1', port: 9, systemId: 's', password: 'p' },
    { id: 'p2', host: '127.0.0.1', port: 9, systemId: 's', password: 'p' },
  ],
  // No default route: a destination outside 44 has no route.
  routes: [{ name: 'uk', provider: 'p2', destinationPrefixes: ['44'] }],
});

/** Writes go where each test says: `behaviour` decides how an append ends. Every append is kept. */
class ScriptedWriter {
  readonly appended: OutRecord[][] = [];
  constructor(public behaviour: (records: OutRecord[]) => Promise<void>) {}
  append(records: OutRecord | OutRecord[]): Promise<void> {
    const list = Array.isArray(records) ? records : [records];
    this.appended.push(list);
    return this.behaviour(list);
  }
}
const accepting = () => Promise.resolve();
const unavailable = (error: UnavailableError) => () => Promise.reject(error);

/** Every provider bind up. */
const allUp = { unavailable: async () => new Set<string>() } as unknown as AvailabilityCache;

let seq = 0;
function message(over: Partial<MessageRecord> = {}): MessageRecord {
  const id = `msg-${++seq}`;
  return {
    id, customer: 'acme',
    source: { ton: 5, npi: 0, addr: 'ACME' }, destination: { ton: 1, npi: 1, addr: '447700900001' },
    serviceType: '', esmClass: 0, protocolId: 0, priority: 0, registeredDelivery: 1, dataCoding: 0,
    body: Buffer.from('hello').toString('base64'), partIds: [id], acceptedAt: Date.now(), node: 'node-u',
    ...over,
  };
}

let offset = 0;
function record(value: Buffer | MessageRecord): RouterMessage {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value));
  const r: StageRecord = { topic: topics.messages, partition: 0, offset: String(offset++), key: 'k', value: bytes, timestamp: Date.now() };
  return { type: 'record', record: r };
}

const decoded = <T>(o: OutRecord | undefined): T => JSON.parse(String(o?.value)) as T;
const eventsOf = (writes: OutRecord[][]): LifecycleEvent[] => writes.flat().filter((o) => o.topic === topics.events).map((o) => decoded<LifecycleEvent>(o));

describe('router actor', () => {
  let system: ActorSystem;
  let writer: ScriptedWriter;
  let router: ActorRef<RouterMessage>;

  function start(behaviour: (records: OutRecord[]) => Promise<void> = accepting): void {
    writer = new ScriptedWriter(behaviour);
    router = system.spawn('router', routerActor({
      config, writer: writer as unknown as DurableWriter, topics, nodeId: 'node-u', providerPartitions: PROVIDER_PARTITIONS, availability: allUp,
    }));
  }
  const routerStats = () => system.snapshot().find((s) => s.kind === 'router');

  beforeEach(() => (system = testSystem()));
  afterEach(() => system.shutdown({ drain: false }));

  it('routes a record to its provider\'s partition of provider-outgoing with a routed event, answering only once the write is acknowledged', async () => {
    let acknowledge: () => void = () => undefined;
    start(() => new Promise<void>((resolve) => (acknowledge = resolve)));
    const m = message();
    const asked = track(router.ask<void>(record(m)));
    await waitFor(() => writer.appended.length === 1, 'the write');
    await delay(10);
    assert.equal(asked.settled, false, 'the ask waits for the write');

    const [out, event] = writer.appended[0]!;
    assert.equal(writer.appended[0]!.length, 2);
    assert.equal(out?.topic, topics.providerOutgoing);
    assert.equal(out?.key, 'p2');
    assert.equal(out?.partition, 1, 'p2 is the second provider: partition 1 of 4');
    const routed = decoded<OutgoingRecord>(out);
    assert.equal(routed.provider, 'p2');
    assert.deepEqual(routed.message, m);
    assert.equal(routed.failover, undefined);
    assert.equal(event?.topic, topics.events);
    assert.equal(event?.key, m.id);
    const ev = decoded<LifecycleEvent>(event);
    assert.equal(ev.type, 'routed');
    assert.equal(ev.messageId, m.id);
    assert.equal(ev.node, 'node-u');
    assert.equal(ev.detail?.provider, 'p2');
    assert.equal(ev.detail?.route, 'uk');

    acknowledge();
    await asked.result;
    assert.equal(asked.settled, true);
  });

  it('keeps several records in flight and answers each when its own write ends', async () => {
    const acks: (() => void)[] = [];
    start(() => new Promise<void>((resolve) => acks.push(resolve)));
    const first = track(router.ask<void>(record(message())));
    const second = track(router.ask<void>(record(message())));
    await waitFor(() => acks.length === 2, 'both writes started before either ended');
    acks[1]!();
    await second.result;
    await delay(5);
    assert.equal(first.settled, false);
    acks[0]!();
    await first.result;
  });

  it('rejects the ask with the writer\'s UnavailableError and keeps serving without a restart', async () => {
    const down = new UnavailableError('KAFKA_UNAVAILABLE', 'brokers away');
    start(unavailable(down));
    await assert.rejects(router.ask(record(message())), (err: unknown) => err === down);
    writer.behaviour = accepting;
    await router.ask(record(message()));
    assert.equal(writer.appended.length, 2);
    const stats = routerStats();
    assert.equal(stats?.restarts, 0);
    assert.equal(stats?.failed, 0);
    assert.equal(stats?.status, 'running');
  });

  it('rejects a record of the wrong shape with a RecordError', async () => {
    start();
    for (const value of [{ id: 'x' }, { id: 1, customer: 'acme', source: { addr: 'A' }, destination: { addr: 'B' } }, [1, 2], null]) {
      await assert.rejects(router.ask(record(Buffer.from(JSON.stringify(value)))), (err: unknown) => {
        assert.ok(err instanceof RecordError, `${JSON.stringify(value)}: got ${String(err)}`);
        assert.equal(err.code, 'RECORD_INVALID');
        return true;
      });
    }
    assert.equal(writer.appended.length, 0, 'nothing written for a record it cannot read');
  });

  it('rejects undecodable bytes (garbage, an empty value) with a RecordError', async () => {
    start();
    for (const bytes of [Buffer.from([0xff, 0x00, 0x7b, 0x13]), Buffer.alloc(0)]) {
      await assert.rejects(router.ask(record(bytes)), (err: unknown) => {
        assert.ok(isRecordFault(err), `the record's fault: ${String(err)}`);
        assert.ok(err instanceof RecordError, `expected a RecordError for ${bytes.length} bytes, got ${(err as Error).name}: ${(err as Error).message}`);
        return true;
      });
    }
    assert.equal(writer.appended.length, 0);
  });

  it('an undecodable record does not void the records in flight beside it', async () => {
    const acks: (() => void)[] = [];
    start(() => new Promise<void>((resolve) => acks.push(resolve)));
    const inFlight = track(router.ask<void>(record(message())));
    await waitFor(() => acks.length === 1, 'the first write');
    // A RecordError: the record's own fault, which InFlight.finish deliberately keeps from the supervisor.
    await assert.rejects(router.ask(record(Buffer.from(JSON.stringify({ id: 'x' })))), (err: unknown) => err instanceof RecordError);
    acks[0]!();
    await inFlight.result.then(
      () => undefined,
      (err: unknown) => assert.fail(`the record in flight was answered ${err instanceof ActorRestartedError ? 'ActorRestartedError' : String(err)}`),
    );
    assert.equal(routerStats()?.restarts, 0, 'a bad record is the record\'s fault, not the actor\'s');
  });

  it('answers a reload whose configuration does not compile with reloaded: false and keeps the old table', async () => {
    start();
    const broken = { ...config, routes: [{ ...config.routes[0]!, providers: [{ id: 'p1', weight: 1 }] }, { ...config.routes[0]!, name: 'bad', providers: [{ id: 'nope', weight: 1 }] }] };
    const answer = await router.ask<{ reloaded: boolean; reason?: string }>({ type: 'reload', config: broken });
    assert.equal(answer.reloaded, false);
    assert.match(answer.reason ?? '', /nope/);
    await router.ask(record(message()));
    assert.equal(decoded<OutgoingRecord>(writer.appended[0]![0]).provider, 'p2', 'still routed by the old table');
    assert.equal(routerStats()?.restarts, 0);
  });

  it('answers a reload that compiles with reloaded: true and routes the next records by the new table', async () => {
    start();
    const next = { ...config, routes: [{ ...config.routes[0]!, providers: [{ id: 'p1', weight: 1 }] }] };
    assert.deepEqual(await router.ask({ type: 'reload', config: next }), { reloaded: true, routes: 1 });
    await router.ask(record(message()));
    const out = writer.appended[0]![0];
    assert.equal(decoded<OutgoingRecord>(out).provider, 'p1');
    assert.equal(out?.partition, 0);
  });

  it('writes an unroutable event and a failed receipt for a message no route takes, when the customer asked for receipts', async () => {
    start();
    const m = message({ destination: { ton: 1, npi: 1, addr: '33612345678' }, registeredDelivery: 1 });
    await router.ask(record(m));
    const writes = writer.appended.flat();
    assert.equal(writes.filter((o) => o.topic === topics.providerOutgoing).length, 0, 'not sent to any provider');
    const [ev] = eventsOf(writer.appended);
    assert.equal(ev?.type, 'unroutable');
    assert.equal(ev?.messageId, m.id);
    assert.equal(typeof ev?.detail?.code, 'string');
    const receipts = writes.filter((o) => o.topic === topics.deliveries);
    assert.equal(receipts.length, 1);
    assert.equal(receipts[0]?.key, 'acme');
    const dlr = decoded<DeliveryRecord>(receipts[0]);
    assert.equal(dlr.kind, 'receipt');
    assert.equal(dlr.messageId, m.id);
    assert.equal(dlr.customer, 'acme');
    assert.equal(dlr.stat, 'UNDELIV');
    assert.equal(dlr.err, '001');
  });

  it('writes only the unroutable event when the customer asked for no receipt', async () => {
    start();
    await router.ask(record(message({ destination: { ton: 1, npi: 1, addr: '33612345678' }, registeredDelivery: 0 })));
    assert.deepEqual(eventsOf(writer.appended).map((e) => e.type), ['unroutable']);
    assert.equal(writer.appended.flat().filter((o) => o.topic === topics.deliveries).length, 0);
  });
});
