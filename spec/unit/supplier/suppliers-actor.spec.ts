/**
 * The suppliers actor (parent of one partition's provider binds) without an SMPP server.
 * Decoding and ownership need no bind at all (a partition that owns no provider). The passing
 * of `revoked` and `reconfigure` to the children needs real supplier children: their binds
 * point at 127.0.0.1:9, a closed port, so they stay down and never send. Sending to a provider
 * needs an SMPP server: spec/integration/supplier covers it.
 */
import { strict as assert } from 'node:assert';
import { suppliersActor, type SuppliersMessage } from '../../../src/actors/supplier/suppliers-actor.js';
import type { SupplierDeps } from '../../../src/actors/supplier/supplier-actor.js';
import type { SentMemory } from '../../../src/actors/supplier/sent-memory.js';
import { validateConfig } from '../../../src/config/validate.js';
import type { GatewayConfig } from '../../../src/config/types.js';
import type { ProviderControls } from '../../../src/control/provider-controls.js';
import type { LifecycleEvent, MessageRecord, OutgoingRecord } from '../../../src/domain/records.js';
import { compileNumberOwners } from '../../../src/domain/routing/number-owners.js';
import { isRecordFault, RecordError, UnavailableError } from '../../../src/errors.js';
import type { StageRecord } from '../../../src/kafka/stage-consumer.js';
import { topicNames } from '../../../src/kafka/topics.js';
import type { DurableWriter, OutRecord } from '../../../src/kafka/writer.js';
import { createLogger } from '../../../src/log.js';
import type { BindStateStore } from '../../../src/redis/stores/bind-state.js';
import type { CorrelationStore } from '../../../src/redis/stores/correlation-store.js';
import { ActorRestartedError, ActorSystem, type ActorRef } from '../../../src/runtime/index.js';
import { waitFor } from '../runtime/support.js';

const topics = topicNames('u.');
const PROVIDER_PARTITIONS = 4;
/** Owns p1 (provider index 0). */
const P1_PARTITION = 0;
/** Owns no provider of the two. */
const EMPTY_PARTITION = 2;

const config: GatewayConfig = validateConfig({
  node: { id: 'node-u', threads: 1 },
  listeners: [{ port: 0 }],
  customers: [{ systemId: 'acme', password: 'x' }],
  providers: [
    // A closed port: the bind stays down. failoverAfterMs 0: a failover message is handed back at
    // once; maxRetryAgeMs 1000 (the least): another gives up on the bind within a second.
    { id: 'p1', host: '127.0.0.1', port: 9, systemId: 's', password: 'p', failoverAfterMs: 0, maxRetryAgeMs: 1000 },
    { id: 'p2', host: '127.0.0.1', port: 9, systemId: 's', password: 'p' },
  ],
  routes: [{ providers: ['p1', 'p2'] }],
});

/** Acknowledges every append and keeps it. */
class AcceptingWriter {
  readonly appended: OutRecord[][] = [];
  append(records: OutRecord | OutRecord[]): Promise<void> {
    this.appended.push(Array.isArray(records) ? records : [records]);
    return Promise.resolve();
  }
}

/** The Redis stores as the supplier uses them, remembering nothing. */
const forgetfulSentMemory = {
  claimTtlMs: 10000, key: (p: string, id: string) => `sent:${p}:${id}`, claim: async () => ({ kind: 'claimed' }),
  remember: async () => undefined, release: async () => undefined, extend: async () => 0,
} as unknown as SentMemory;
const unusedCorrelation = { putWith: async () => assert.fail('nothing is submitted: no correlation to store') } as unknown as CorrelationStore;
const bindStates = { published: [] as string[], publish: async (provider: string) => void bindStates.published.push(provider) };
const noOperatorControls = { read: async () => ({ paused: false, rate: undefined }) } as Pick<ProviderControls, 'read'>;

let seq = 0;
function outgoing(provider: string, over: Partial<OutgoingRecord> = {}): OutgoingRecord {
  const id = `msg-${++seq}`;
  const message: MessageRecord = {
    id, customer: 'acme',
    source: { ton: 5, npi: 0, addr: 'ACME' }, destination: { ton: 1, npi: 1, addr: '447700900001' },
    serviceType: '', esmClass: 0, protocolId: 0, priority: 0, registeredDelivery: 1, dataCoding: 0,
    body: Buffer.from('hello').toString('base64'), partIds: [id], acceptedAt: Date.now(), node: 'node-u',
  };
  return { message, provider, routedAt: Date.now(), ...over };
}

let offset = 0;
function record(value: Buffer | OutgoingRecord, partition: number): SuppliersMessage {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value));
  const r: StageRecord = { topic: topics.providerOutgoing, partition, offset: String(offset++), key: 'k', value: bytes, timestamp: Date.now() };
  return { type: 'record', record: r };
}

interface LogLine {
  level: string;
  msg: string;
  actor?: string;
  kind?: string;
  [field: string]: unknown;
}

describe('suppliers actor', () => {
  let system: ActorSystem;
  let lines: LogLine[];
  let writer: AcceptingWriter;

  beforeEach(() => {
    lines = [];
    writer = new AcceptingWriter();
    const logger = createLogger({ level: 'debug', write: (line) => void lines.push(JSON.parse(line) as LogLine) });
    system = new ActorSystem({ name: 'test', logger, supervision: { backoff: { initialMs: 1, maxMs: 4, factor: 2 } } });
  });
  afterEach(() => system.shutdown({ drain: false }));

  function start(partition: number): ActorRef<SuppliersMessage> {
    const deps: SupplierDeps & { providerPartitions: number; recordTimeoutMs: number } = {
      config, writer: writer as unknown as DurableWriter, topics, nodeId: 'node-u',
      correlation: unusedCorrelation, sent: forgetfulSentMemory,
      bindStates: bindStates as unknown as BindStateStore,
      numberOwners: compileNumberOwners(config.customers), controls: noOperatorControls,
      providerPartitions: PROVIDER_PARTITIONS, recordTimeoutMs: 5_000,
    };
    return system.spawn('suppliers', suppliersActor(partition, deps));
  }
  const statsOf = (kind: string) => system.snapshot().filter((s) => s.kind === kind);
  const logged = (msg: string, kind: string) => lines.filter((l) => l.msg === msg && l.kind === kind);

  describe('without a provider bind (a partition that owns none)', () => {
    it('starts no supplier for a partition that owns no provider', async () => {
      start(EMPTY_PARTITION);
      await waitFor(() => statsOf('suppliers')[0]?.status === 'running', 'running');
      assert.deepEqual(statsOf('supplier'), []);
      assert.deepEqual(statsOf('suppliers')[0]?.children, 0);
    });

    it('rejects a record of the wrong shape with a RecordError', async () => {
      const ref = start(EMPTY_PARTITION);
      for (const value of [{ provider: 'p1' }, { provider: 'p1', message: { id: 'x', customer: 'acme' } }, { message: outgoing('p1').message }]) {
        await assert.rejects(ref.ask(record(Buffer.from(JSON.stringify(value)), EMPTY_PARTITION)), (err: unknown) => {
          assert.ok(err instanceof RecordError, `${JSON.stringify(value)}: got ${String(err)}`);
          assert.equal(err.code, 'RECORD_INVALID');
          return true;
        });
      }
      assert.equal(writer.appended.length, 0);
    });

    it('rejects undecodable bytes (garbage, an empty value) with a RecordError', async () => {
      const ref = start(EMPTY_PARTITION);
      for (const bytes of [Buffer.from([0xff, 0x00, 0x7b]), Buffer.alloc(0)]) {
        await assert.rejects(ref.ask(record(bytes, EMPTY_PARTITION)), (err: unknown) => {
          assert.ok(isRecordFault(err), String(err));
          assert.ok(err instanceof RecordError, `expected a RecordError for ${bytes.length} bytes, got ${(err as Error).name}: ${(err as Error).message}`);
          return true;
        });
      }
    });

    it('rejects a record for a provider this partition does not own with UnavailableError PROVIDER_NOT_HERE', async () => {
      const ref = start(EMPTY_PARTITION);
      for (const provider of ['p1', 'p2', 'unknown']) {
        await assert.rejects(ref.ask(record(outgoing(provider), EMPTY_PARTITION)), (err: unknown) => {
          assert.ok(err instanceof UnavailableError, String(err));
          assert.equal(err.code, 'PROVIDER_NOT_HERE');
          assert.equal(err.retriable, true, 'left uncommitted and tried again');
          return true;
        });
      }
      assert.equal(writer.appended.length, 0, 'nothing written for it');
    });
  });

  describe('with supplier children (binds to a closed port, never bound)', function () {
    this.timeout(10_000);

    async function started(): Promise<{ parent: ActorRef<SuppliersMessage>; child: () => ActorRef<unknown> | undefined }> {
      const parent = start(P1_PARTITION);
      const path = 'actor://test/suppliers/supplier-p1';
      await waitFor(() => system.lookup(path) !== undefined && statsOf('supplier')[0]?.status === 'running', 'supplier-p1 running');
      assert.deepEqual(statsOf('supplier').map((s) => s.address.path), ['/suppliers/supplier-p1'], 'one child: only p1 is owned here');
      return { parent, child: () => system.lookup(path) };
    }

    it('hands a record of an owned provider to its supplier and answers when the supplier is done', async () => {
      const { parent } = await started();
      // A failover message whose bind is down goes back to the router at once (failoverAfterMs 0).
      const out = outgoing('p1', { failover: true });
      await parent.ask(record(out, P1_PARTITION));
      const writes = writer.appended.flat();
      const back = writes.filter((o) => o.topic === topics.messages);
      assert.equal(back.length, 1);
      const m = JSON.parse(String(back[0]?.value)) as MessageRecord;
      assert.equal(m.id, out.message.id);
      assert.deepEqual(m.reroute, { excluded: ['p1'], reason: 'down', lastStatus: null });
      const events = writes.filter((o) => o.topic === topics.events).map((o) => JSON.parse(String(o.value)) as LifecycleEvent);
      assert.deepEqual(events.map((e) => [e.type, e.detail?.provider]), [['rerouted', 'p1']]);
    });

    it('passes revoked to its suppliers, which drop what they have queued', async () => {
      const { parent, child } = await started();
      assert.equal(logged('partition moved: queued submits left to the new owner', 'supplier').length, 0);
      assert.equal(parent.tell({ type: 'revoked' }), true);
      await waitFor(() => logged('partition moved: queued submits left to the new owner', 'supplier').length === 1, 'the supplier told of the revocation');
      const [line] = logged('partition moved: queued submits left to the new owner', 'supplier');
      assert.equal(line?.actor, 'actor://test/suppliers/supplier-p1');
      assert.equal(line?.provider, 'p1');
      assert.equal(line?.dropped, 0);
      assert.ok(child() !== undefined, 'the supplier still runs (it drains with the partition)');
    });

    it('passes reconfigure to the suppliers it names, setting their bind\'s rate', async () => {
      const { parent, child } = await started();
      const pause = () => child()!.ask<{ provider: string; paused: boolean; rate: number }>({ type: 'control', action: 'pause' });
      assert.equal((await pause()).rate, 100, 'the configured rate to begin with');
      // p2 is not owned here: ignored.
      const rates: Record<string, number> = { p1: 7, p2: 9 };
      assert.equal(parent.tell({ type: 'reconfigure', config: { ...config, providers: config.providers.map((p) => ({ ...p, rate: rates[p.id]! })) } }), true);
      await waitFor(() => logged('provider rate changed', 'supplier').length === 1, 'the rate change');
      const answer = await pause();
      assert.deepEqual(answer, { provider: 'p1', paused: true, rate: 7 });
      assert.equal(statsOf('suppliers')[0]?.failed, 0);
    });

    it('starts the supplier of a provider added to the configuration, on the partition of its slot', async () => {
      const { parent } = await started();
      const p3 = { ...config.providers[0]!, id: 'p3', slot: 4 };
      parent.tell({ type: 'reconfigure', config: { ...config, providers: [...config.providers, p3] } });
      await waitFor(() => system.lookup('actor://test/suppliers/supplier-p3') !== undefined, 'supplier-p3 started');
      assert.deepEqual(statsOf('supplier').map((s) => s.address.path).sort(), ['/suppliers/supplier-p1', '/suppliers/supplier-p3']);
    });

    it('retires the supplier of a removed provider, then hands its late records back to the router', async () => {
      const { parent } = await started();
      parent.tell({ type: 'reconfigure', config: { ...config, providers: config.providers.filter((p) => p.id !== 'p1'), removedProviders: ['p1'] } });
      await waitFor(() => logged('provider bind retired', 'supplier').length === 1, 'p1 retired');
      await waitFor(() => system.lookup('actor://test/suppliers/supplier-p1') === undefined, 'supplier-p1 stopped');
      const out = outgoing('p1');
      await parent.ask(record(out, P1_PARTITION));
      const back = writer.appended.flat().filter((o) => o.topic === topics.messages).map((o) => JSON.parse(String(o.value)) as MessageRecord);
      assert.deepEqual(back.map((m) => [m.id, m.reroute?.excluded]), [[out.message.id, ['p1']]]);
    });

    it('starts a changed provider again with its new settings once the old bind retired', async () => {
      const { parent } = await started();
      const changed = config.providers.map((p) => (p.id === 'p1' ? { ...p, port: 10 } : p));
      parent.tell({ type: 'reconfigure', config: { ...config, providers: changed } });
      await waitFor(() => system.lookup('actor://test/suppliers/supplier-p1~1') !== undefined, 'the replacement supplier');
      await waitFor(() => system.lookup('actor://test/suppliers/supplier-p1') === undefined, 'the old supplier gone');
      assert.equal(logged('provider bind retired', 'supplier').length, 1);
    });

    it('a record for a provider owned elsewhere leaves the binds of this partition alone', async () => {
      const { parent, child } = await started();
      const before = child();
      const inFlightWrites = writer.appended.length;
      await assert.rejects(parent.ask(record(outgoing('p2'), P1_PARTITION)), (err: unknown) =>
        err instanceof UnavailableError && err.code === 'PROVIDER_NOT_HERE');
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(writer.appended.length, inFlightWrites);
      assert.equal(statsOf('suppliers')[0]?.restarts, 0, 'the parent was not restarted');
      assert.equal(child(), before, 'the supplier (and its provider bind) was not stopped and started again');
    });

    it('a misplaced record does not void the records its suppliers are working on', async () => {
      const { parent } = await started();
      // Not a failover message: its supplier waits for the bind (it never comes here) up to the age limit (1 s).
      const waiting = parent.ask(record(outgoing('p1'), P1_PARTITION));
      let answered: unknown = 'pending';
      waiting.then(() => (answered = 'resolved'), (err: unknown) => (answered = err));
      await new Promise((r) => setTimeout(r, 20));
      await assert.rejects(parent.ask(record(outgoing('p2'), P1_PARTITION)), (err: unknown) => err instanceof UnavailableError);
      await new Promise((r) => setTimeout(r, 20));
      assert.ok(!(answered instanceof ActorRestartedError), 'the record waiting for the bind was answered ActorRestartedError');
      assert.equal(answered, 'pending');
    });

    it('a supplier stopped while a record waits for its bind writes nothing for that record afterwards', async () => {
      const { parent } = await started();
      const out = outgoing('p1');
      const asked = parent.ask(record(out, P1_PARTITION));
      asked.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
      // The partition moves away: its new owner sends the message from now on.
      parent.tell({ type: 'revoked' });
      await parent.stop({ drain: false });
      await assert.rejects(asked, (err: unknown) => err instanceof ActorRestartedError || (err as Error).name === 'ActorStoppedError');
      const writtenAtStop = writer.appended.length;
      // Past the message's age limit (maxRetryAgeMs 1000 from acceptedAt).
      await new Promise((r) => setTimeout(r, 1_300));
      const late = writer.appended.slice(writtenAtStop).flat();
      assert.deepEqual(late.map((o) => `${o.topic} ${String(o.value).slice(0, 80)}`), [],
        'the stopped supplier wrote for a message it no longer owns (a failed receipt the new owner may contradict)');
    });
  });
});
