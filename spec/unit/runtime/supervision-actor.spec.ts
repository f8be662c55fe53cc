import { strict as assert } from 'node:assert';
import {
  ActorStoppedError,
  EscalatedError,
  type ActorFailedEvent,
  type ActorSystem,
  type Directive,
  type EscalatedEvent,
} from '../../../src/runtime/index.js';
import { fastRestart, testSystem, waitFor } from './support.js';

type Msg = { add: number } | 'fail' | 'get';

/** A counter that throws on 'fail'; counts its inits so restarts are visible. */
function counter(directive: Directive, extra: object = {}) {
  const calls = { init: 0, postStop: [] as number[], failures: [] as [Msg, Directive][] };
  const spec = {
    kind: 'counter',
    supervision: { ...fastRestart, decider: () => directive, ...extra },
    init: () => {
      calls.init += 1;
      return 0;
    },
    receive: (n: number, m: Msg, ctx: { reply(v: unknown): void }) => {
      if (m === 'fail') throw new Error('boom');
      if (m === 'get') {
        ctx.reply(n);
        return n;
      }
      return n + m.add;
    },
    postStop: (n: number) => void calls.postStop.push(n),
    onFailure: (m: Msg, _e: unknown, d: Directive) => void calls.failures.push([m, d]),
  };
  return { spec, calls };
}

describe('runtime/actor supervision', () => {
  let system: ActorSystem;
  beforeEach(() => (system = testSystem()));
  afterEach(() => system.shutdown({ drain: false }));

  it('resume keeps the state and continues with the next message', async () => {
    const { spec, calls } = counter('resume');
    const ref = system.spawn('r', spec);
    ref.tell({ add: 5 });
    ref.tell('fail');
    ref.tell({ add: 1 });
    assert.equal(await ref.ask<number>('get'), 6);
    assert.equal(calls.init, 1);
    assert.deepEqual(calls.failures, [['fail', 'resume']]);
    const [stats] = system.snapshot();
    assert.equal(stats?.restarts, 0);
    assert.equal(stats?.failed, 1);
  });

  it('restart resets the state via init, releases the old state and counts the restart', async () => {
    const { spec, calls } = counter('restart');
    const ref = system.spawn('r', spec);
    ref.tell({ add: 5 });
    ref.tell('fail');
    ref.tell({ add: 1 });
    assert.equal(await ref.ask<number>('get'), 1);
    assert.equal(calls.init, 2);
    assert.deepEqual(calls.postStop, [5], 'postStop runs for the discarded state');
    assert.deepEqual(calls.failures, [['fail', 'restart']], 'onFailure tells the mailbox the message failed');
    const [stats] = system.snapshot();
    assert.equal(stats?.restarts, 1);
    assert.equal(stats?.status, 'running');
  });

  it('stop runs postStop and rejects pending asks with an error carrying the cause', async () => {
    const { spec, calls } = counter('stop');
    const ref = system.spawn('s', spec);
    const stopped: unknown[] = [];
    system.on('actorStopped', (e) => stopped.push(e.cause));
    ref.tell({ add: 2 });
    const failing = ref.ask('fail');
    const queued = ref.ask('get');
    await assert.rejects(failing, (err: unknown) => err instanceof Error && err.message === 'boom');
    await assert.rejects(queued, (err: unknown) => {
      assert.ok(err instanceof ActorStoppedError);
      assert.ok(err.cause instanceof Error && err.cause.message === 'boom');
      return true;
    });
    await waitFor(() => stopped.length === 1, 'actorStopped event');
    assert.deepEqual(calls.postStop, [2]);
    assert.equal(ref.tell({ add: 1 }), false);
    assert.equal(system.snapshot().length, 0);
  });

  it('escalate stops the child and lets the parent strategy decide for the parent', async () => {
    const parentDecisions: unknown[] = [];
    let parentInits = 0;
    const escalations: EscalatedEvent[] = [];
    system.on('escalated', (e) => escalations.push(e));
    const { spec: childSpec } = counter('escalate');
    const parent = system.spawn<number, 'spawn'>('parent', {
      kind: 'parent',
      supervision: {
        ...fastRestart,
        decider: (err) => {
          parentDecisions.push(err);
          return 'restart';
        },
      },
      init: () => ++parentInits,
      receive: (s, _m, ctx) => {
        ctx.spawn('child', childSpec);
        ctx.reply(null);
        return s;
      },
    });
    await parent.ask('spawn');
    const child = system.lookup('actor://test/parent/child');
    assert.ok(child !== undefined);
    child.tell('fail');
    await waitFor(() => parentInits === 2, 'parent restarted');
    assert.equal(parentDecisions.length, 1);
    const decided = parentDecisions[0];
    assert.ok(decided instanceof EscalatedError);
    assert.equal(decided.child.path, '/parent/child');
    assert.ok(decided.cause instanceof Error && decided.cause.message === 'boom');
    assert.deepEqual(escalations.map((e) => [e.from.path, e.to?.path]), [['/parent/child', '/parent']]);
    await waitFor(() => system.lookup('actor://test/parent/child') === undefined, 'child gone');
    const [parentStats] = system.snapshot();
    assert.equal(parentStats?.restarts, 1);
  });

  it('a top-level escalate stops the actor and emits an escalated event', async () => {
    const { spec } = counter('escalate');
    const events: EscalatedEvent[] = [];
    system.on('escalated', (e) => events.push(e));
    const ref = system.spawn('top', spec);
    ref.tell('fail');
    await waitFor(() => events.length === 1 && system.snapshot().length === 0, 'escalated and stopped');
    assert.equal(events[0]?.to, null);
    assert.equal(events[0]?.from.path, '/top');
    assert.equal(ref.tell('get'), false);
  });

  it('stops after maxRestarts within the window, with a growing backoff', async () => {
    const { spec, calls } = counter('restart', { budget: { maxRestarts: 3, withinMs: 60_000 } });
    const failed: ActorFailedEvent[] = [];
    system.on('actorFailed', (e) => failed.push(e));
    const ref = system.spawn('budget', spec);
    for (let i = 0; i < 4; i++) ref.tell('fail');
    await waitFor(() => system.snapshot().length === 0, 'stopped after the budget');
    assert.deepEqual(failed.map((e) => e.directive), ['restart', 'restart', 'restart', 'stop']);
    assert.deepEqual(failed.map((e) => e.restartDelayMs), [1, 2, 4, null]);
    assert.equal(calls.init, 4);
  });

  it('escalates once the budget is spent when configured to', async () => {
    const { spec } = counter('restart', { budget: { maxRestarts: 1, withinMs: 60_000 }, whenBudgetExceeded: 'escalate' });
    const escalated: EscalatedEvent[] = [];
    system.on('escalated', (e) => escalated.push(e));
    const ref = system.spawn('budget-esc', spec);
    ref.tell('fail');
    ref.tell('fail');
    await waitFor(() => escalated.length === 1, 'escalated');
    assert.equal(escalated[0]?.from.path, '/budget-esc');
  });

  it('a failing init is retried by restart and the actor then runs', async () => {
    let attempts = 0;
    const ref = system.spawn<string, 'get'>('flaky-init', {
      kind: 'flaky',
      supervision: fastRestart,
      init: () => {
        attempts += 1;
        if (attempts < 3) throw new Error('not yet');
        return 'ready';
      },
      receive: (s, _m, ctx) => {
        ctx.reply(s);
        return s;
      },
    });
    assert.equal(await ref.ask<string>('get'), 'ready');
    assert.equal(attempts, 3);
    assert.equal(system.snapshot()[0]?.restarts, 2);
  });
});
