import { strict as assert } from 'node:assert';
import {
  ActorRestartedError,
  type ActorContext,
  type ActorSpec,
  type ActorSystem,
  type PipedOutcome,
  type ReplyHandle,
} from '../../../src/runtime/index.js';
import { delay, fastRestart, testSystem, track } from './support.js';

/** A promise settled from outside, to stand for work that ends after receive returned. */
interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

type Msg =
  | { type: 'start'; work: Promise<number> }
  | { type: 'done'; outcome: PipedOutcome<number>; incarnation: number }
  | { type: 'boom' }
  | { type: 'ping' };

/**
 * An actor that starts work, answers the asker when the work's outcome comes back piped to
 * itself, and throws on 'boom'. Every message that reaches receive is logged with the
 * incarnation (init count) that saw it.
 */
function worker() {
  const seen: { message: Msg; incarnation: number }[] = [];
  let inits = 0;
  interface State {
    readonly incarnation: number;
    readonly open: ReplyHandle<number>[];
  }
  const spec: ActorSpec<State, Msg> = {
    kind: 'worker',
    supervision: fastRestart,
    init: () => ({ incarnation: ++inits, open: [] }),
    receive: (s: State, m: Msg, ctx: ActorContext<Msg>) => {
      seen.push({ message: m, incarnation: s.incarnation });
      switch (m.type) {
        case 'start':
          s.open.push(ctx.deferReply<number>());
          ctx.pipeToSelf(m.work, (outcome) => ({ type: 'done', outcome, incarnation: s.incarnation }));
          return s;
        case 'done': {
          const reply = s.open.shift();
          if (m.outcome.ok) reply?.resolve(m.outcome.value);
          else reply?.reject(m.outcome.error);
          return s;
        }
        case 'boom':
          throw new Error('boom');
        case 'ping':
          ctx.reply(s.incarnation);
          return s;
      }
    },
  };
  return { spec, seen, inits: () => inits };
}

const doneMessages = (seen: { message: Msg }[]) => seen.flatMap((e) => (e.message.type === 'done' ? [e.message] : []));

describe('runtime/pipeToSelf and deferred replies', () => {
  let system: ActorSystem;
  beforeEach(() => (system = testSystem()));
  afterEach(() => system.shutdown({ drain: false }));

  it('brings a successful outcome back as a message once the work ends, not before', async () => {
    const { spec, seen } = worker();
    const ref = system.spawn('w', spec);
    const work = deferred<number>();
    const asked = track(ref.ask<number>({ type: 'start', work: work.promise }));
    await ref.ask({ type: 'ping' });
    await delay(10);
    assert.equal(doneMessages(seen).length, 0, 'nothing is piped while the work runs');
    assert.equal(asked.settled, false);
    work.resolve(42);
    assert.equal(await asked.result, 42);
    const done = doneMessages(seen);
    assert.equal(done.length, 1);
    assert.deepEqual(done[0]?.outcome, { ok: true, value: 42 });
  });

  it('brings a failure back as a message carrying the very error', async () => {
    const { spec, seen } = worker();
    const ref = system.spawn('w', spec);
    const work = deferred<number>();
    const failure = new Error('work failed');
    const asked = ref.ask<number>({ type: 'start', work: work.promise });
    work.reject(failure);
    await assert.rejects(asked, (err: unknown) => err === failure);
    const done = doneMessages(seen);
    assert.equal(done.length, 1);
    assert.equal(done[0]?.outcome.ok, false);
    assert.equal(done[0]?.outcome.ok === false ? done[0].outcome.error : undefined, failure);
  });

  it('rejects a deferred answer with ActorRestartedError when the actor restarts before the work ends, and drops the late outcome', async () => {
    const { spec, seen, inits } = worker();
    const ref = system.spawn('w', spec);
    const work = deferred<number>();
    const asked = ref.ask<number>({ type: 'start', work: work.promise });
    ref.tell({ type: 'boom' });
    await assert.rejects(asked, (err: unknown) => {
      assert.ok(err instanceof ActorRestartedError, `got ${String(err)}`);
      assert.equal(err.code, 'ACTOR_RESTARTED');
      assert.equal(err.address.path, '/w');
      assert.equal(err.retriable, true);
      return true;
    });
    assert.equal(await ref.ask<number>({ type: 'ping' }), 2, 'the actor runs again, in its second incarnation');
    work.resolve(7);
    await delay(10);
    // Asked after the old work ended: any message piped from it would have been queued before this one.
    assert.equal(await ref.ask<number>({ type: 'ping' }), 2);
    assert.deepEqual(doneMessages(seen), [], 'the outcome of the old incarnation never reaches receive');
    assert.equal(inits(), 2);

    // The new incarnation's own work still comes back.
    const again = deferred<number>();
    const second = ref.ask<number>({ type: 'start', work: again.promise });
    again.resolve(8);
    assert.equal(await second, 8);
    assert.deepEqual(doneMessages(seen).map((d) => [d.incarnation, d.outcome]), [[2, { ok: true, value: 8 }]]);
  });

  it('rejects a deferred answer with ActorRestartedError when the actor is stopped before the work ends', async () => {
    const { spec, seen } = worker();
    const ref = system.spawn('w', spec);
    const work = deferred<number>();
    const asked = ref.ask<number>({ type: 'start', work: work.promise });
    await ref.ask({ type: 'ping' });
    await ref.stop({ drain: false });
    await assert.rejects(asked, (err: unknown) => err instanceof ActorRestartedError && err.address.path === '/w');
    work.resolve(1);
    await delay(10);
    assert.deepEqual(doneMessages(seen), []);
  });

  describe('system.watch', () => {
    it('resolves with the failure once the restart budget is spent (maxRestarts 0: the first failure stops it)', async () => {
      const { spec, inits } = worker();
      const ref = system.spawn('w', { ...spec, supervision: { ...fastRestart, budget: { maxRestarts: 0, withinMs: 60_000 } } });
      const watched = track(system.watch(ref));
      await ref.ask({ type: 'ping' });
      await delay(5);
      assert.equal(watched.settled, false, 'a live actor is not reported stopped');
      const failing = ref.ask({ type: 'boom' });
      await assert.rejects(failing, /boom/);
      const cause = await watched.result;
      assert.ok(cause instanceof Error);
      assert.equal(cause.message, 'boom');
      assert.equal(inits(), 1, 'never restarted');
      assert.equal(system.lookup(ref.address), undefined);
    });

    it('stays pending through restarts within the budget and resolves when it is spent', async () => {
      const { spec, inits } = worker();
      const ref = system.spawn('w', { ...spec, supervision: { ...fastRestart, budget: { maxRestarts: 1, withinMs: 60_000 } } });
      const watched = track(system.watch(ref));
      ref.tell({ type: 'boom' });
      assert.equal(await ref.ask<number>({ type: 'ping' }), 2, 'restarted once');
      assert.equal(watched.settled, false);
      const second = new Error('second');
      const work = deferred<number>();
      const last = ref.ask({ type: 'start', work: work.promise });
      work.reject(second);
      // 'done' carrying a failure rejects only the asker; it is 'boom' that spends the budget.
      await assert.rejects(last, (err: unknown) => err === second);
      assert.equal(watched.settled, false);
      ref.tell({ type: 'boom' });
      const cause = await watched.result;
      assert.ok(cause instanceof Error && cause.message === 'boom');
      assert.equal(inits(), 2);
    });

    it('resolves with undefined for a requested stop', async () => {
      const { spec } = worker();
      const ref = system.spawn('w', spec);
      const watched = track(system.watch(ref));
      await ref.ask({ type: 'ping' });
      assert.equal(watched.settled, false);
      await ref.stop();
      assert.equal(await watched.result, undefined);
      assert.equal(watched.settled, true);
    });

    it('resolves with undefined at once for an address where no actor lives', async () => {
      const { spec } = worker();
      const ref = system.spawn('w', spec);
      await ref.stop();
      const watched = track(system.watch(ref));
      await delay(1);
      assert.equal(watched.settled, true);
      assert.equal(await watched.result, undefined);
    });
  });
});
