import { strict as assert } from 'node:assert';
import { ActorStoppedError, ActorSystemStoppedError, type ActorRef, type ActorSpec, type ActorSystem } from '../../../src/runtime/index.js';
import { gate, testSystem, waitFor } from './support.js';

describe('runtime/actor lifecycle', () => {
  let system: ActorSystem;
  beforeEach(() => (system = testSystem()));
  afterEach(() => system.shutdown({ drain: false }));

  function recorder(order: string[], name: string): ActorSpec<null, string> {
    return { kind: 'recorder', init: () => null, receive: (s) => s, postStop: () => void order.push(name) };
  }

  it('children are stopped when the parent stops, before the parent postStop', async () => {
    const order: string[] = [];
    const parent = system.spawn<null, 'spawn'>('p', {
      kind: 'parent',
      init: () => null,
      receive: (s, _m, ctx) => {
        ctx.spawn('c1', recorder(order, 'c1'));
        const c2 = ctx.spawn('c2', recorder(order, 'c2'));
        assert.ok(c2 !== undefined);
        ctx.reply(ctx.children.map((c) => c.address.path));
        return s;
      },
      postStop: () => void order.push('p'),
    });
    assert.deepEqual(await parent.ask('spawn'), ['/p/c1', '/p/c2']);
    assert.equal(system.snapshot().length, 3);
    await parent.stop();
    assert.deepEqual(order.slice(-1), ['p']);
    assert.deepEqual([...order].sort(), ['c1', 'c2', 'p']);
    assert.equal(system.snapshot().length, 0);
  });

  it('children are stopped when the parent restarts', async () => {
    const order: string[] = [];
    let child: ActorRef<string> | undefined;
    const parent = system.spawn<null, 'spawn' | 'fail'>('p', {
      kind: 'parent',
      supervision: { backoff: { initialMs: 1, maxMs: 1, factor: 1 } },
      init: () => null,
      receive: (s, m, ctx) => {
        if (m === 'fail') throw new Error('boom');
        child = ctx.spawn('c', recorder(order, 'c'));
        return s;
      },
    });
    parent.tell('spawn');
    await waitFor(() => child !== undefined, 'child spawned');
    parent.tell('fail');
    await waitFor(() => order.includes('c'), 'child stopped');
    assert.equal(child?.tell('x'), false);
    await waitFor(() => system.snapshot()[0]?.restarts === 1, 'parent restarted');
    assert.equal(system.snapshot().length, 1);
  });

  it('stop({ drain: true }) processes what is queued, then runs postStop', async () => {
    const hold = gate();
    const seen: number[] = [];
    let finalState: number[] | undefined;
    const ref = system.spawn<number[], number>('drainer', {
      kind: 'drainer',
      init: () => [],
      receive: async (s, n) => {
        if (n === 0) await hold.promise;
        seen.push(n);
        return [...s, n];
      },
      postStop: (s) => void (finalState = s),
    });
    for (let i = 0; i < 5; i++) ref.tell(i);
    const stopping = ref.stop({ drain: true });
    assert.equal(ref.tell(99), false, 'no new messages once stopping');
    hold.open();
    await stopping;
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
    assert.deepEqual(finalState, [0, 1, 2, 3, 4]);
  });

  it('stop({ drain: false }) drops what is queued and rejects pending asks', async () => {
    const hold = gate();
    const seen: number[] = [];
    const ref = system.spawn<null, number>('dropper', {
      kind: 'dropper',
      init: () => null,
      receive: async (s, n, ctx) => {
        if (n === 0) await hold.promise;
        seen.push(n);
        ctx.reply(n);
        return s;
      },
    });
    const inFlight = ref.ask<number>(0);
    await waitFor(() => system.snapshot()[0]?.mailboxDepth === 0, 'first message taken');
    const queued = [ref.ask<number>(1), ref.ask<number>(2)];
    ref.tell(3);
    const stopping = ref.stop({ drain: false });
    hold.open();
    await stopping;
    assert.equal(await inFlight, 0, 'the message in flight completes');
    for (const ask of queued) await assert.rejects(ask, ActorStoppedError);
    assert.deepEqual(seen, [0]);
  });

  it('ctx.stopSelf stops after the current message', async () => {
    const seen: string[] = [];
    const ref = system.spawn<null, string>('quitter', {
      kind: 'quitter',
      init: () => null,
      receive: (s, m, ctx) => {
        seen.push(m);
        if (m === 'quit') ctx.stopSelf();
        return s;
      },
    });
    ref.tell('a');
    ref.tell('quit');
    ref.tell('b');
    await waitFor(() => system.snapshot().length === 0, 'stopped');
    assert.deepEqual(seen, ['a', 'quit']);
  });

  it('shutdown stops every actor, children before parents, and refuses new spawns', async () => {
    const order: string[] = [];
    const parent = system.spawn<null, 'spawn'>('p', {
      kind: 'parent',
      init: () => null,
      receive: (s, _m, ctx) => {
        ctx.spawn('c', recorder(order, 'c'));
        ctx.reply(null);
        return s;
      },
      postStop: () => void order.push('p'),
    });
    system.spawn('other', recorder(order, 'other'));
    await parent.ask('spawn');
    await system.shutdown({ drain: true });
    assert.equal(system.status, 'stopped');
    assert.equal(system.snapshot().length, 0);
    assert.ok(order.indexOf('c') < order.indexOf('p'), `child before parent: ${order.join(',')}`);
    assert.equal(order.length, 3);
    assert.throws(() => system.spawn('late', recorder(order, 'late')), ActorSystemStoppedError);
  });

  it('shutdown({ drain: true }) processes queued messages first', async () => {
    const seen: number[] = [];
    const ref = system.spawn<null, number>('busy', {
      kind: 'busy',
      init: () => null,
      receive: (s, n) => {
        seen.push(n);
        return s;
      },
    });
    for (let i = 0; i < 20; i++) ref.tell(i);
    await system.shutdown({ drain: true });
    assert.equal(seen.length, 20);
  });
});
