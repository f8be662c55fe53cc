import { strict as assert } from 'node:assert';
import { GatewayError } from '../../../src/errors.js';
import { type ActorSystem } from '../../../src/runtime/index.js';
import { gate, testSystem, waitFor } from './support.js';

class TestFault extends GatewayError {
  constructor() {
    super('TEST_FAULT', 'deliberate');
  }
}

describe('runtime/actor stats', () => {
  let system: ActorSystem;
  beforeEach(() => (system = testSystem()));
  afterEach(() => system.shutdown({ drain: false }));

  it('counts received, processed, failed, restarts, depth and keeps the last error', async () => {
    const hold = gate();
    const ref = system.spawn<number, 'ok' | 'fail' | 'hold'>('counted', {
      kind: 'counted-kind',
      mailboxCapacity: 8,
      supervision: { decider: (_e, info) => (info.restarts === 0 ? 'restart' : 'resume'), backoff: { initialMs: 1, maxMs: 1, factor: 1 } },
      init: (ctx) => {
        ctx.setGauge('partition', 3);
        return 0;
      },
      receive: async (n, m, ctx) => {
        if (m === 'fail') throw new TestFault();
        if (m === 'hold') await hold.promise;
        ctx.setGauge('lag', n);
        return n + 1;
      },
    });
    ref.tell('ok');
    ref.tell('fail'); // restart
    ref.tell('ok');
    ref.tell('fail'); // resume
    ref.tell('hold');
    ref.tell('ok');
    ref.tell('ok');
    await waitFor(() => system.snapshot()[0]?.mailboxDepth === 2, 'held with two queued');
    const before = system.snapshot()[0];
    assert.ok(before !== undefined);
    assert.equal(before.received, 7);
    assert.equal(before.processed, 2);
    assert.equal(before.failed, 2);
    assert.equal(before.restarts, 1);
    assert.equal(before.mailboxCapacity, 8);
    assert.equal(before.status, 'running');
    hold.open();
    await waitFor(() => system.snapshot()[0]?.processed === 5, 'all done');
    const after = system.snapshot()[0];
    assert.ok(after !== undefined);
    assert.equal(after.kind, 'counted-kind');
    assert.deepEqual(after.address, { system: 'test', path: '/counted' });
    assert.equal(after.parent, null);
    assert.equal(after.mailboxDepth, 0);
    assert.equal(after.lastError?.code, 'TEST_FAULT');
    assert.equal(after.lastError?.message, 'deliberate');
    assert.equal(typeof after.lastError?.at, 'number');
    assert.deepEqual(after.gauges, { partition: 3, lag: 3 });
    assert.ok(after.startedAt > 0);
    assert.deepEqual(JSON.parse(JSON.stringify(after)), after, 'snapshot is JSON-safe');
  });

  it('lists children with their parent and counts them', async () => {
    const parent = system.spawn<null, 'spawn'>('p', {
      kind: 'parent',
      init: () => null,
      receive: (s, _m, ctx) => {
        ctx.spawn('c', { kind: 'child', init: () => null, receive: (cs: null) => cs });
        ctx.reply(null);
        return s;
      },
    });
    await parent.ask('spawn');
    const snap = system.snapshot();
    assert.deepEqual(snap.map((s) => [s.address.path, s.kind, s.parent?.path ?? null, s.children]), [
      ['/p', 'parent', null, 1],
      ['/p/c', 'child', '/p', 0],
    ]);
  });

  it('reports status transitions through to stopped via the actorStopped event', async () => {
    const stopped: string[] = [];
    system.on('actorStopped', (e) => stopped.push(`${e.kind}@${e.address.path}`));
    const ref = system.spawn<null, string>('s', { kind: 'k', init: () => null, receive: (st) => st });
    await waitFor(() => system.snapshot()[0]?.status === 'running', 'running');
    await ref.stop();
    assert.deepEqual(stopped, ['k@/s']);
  });
});
