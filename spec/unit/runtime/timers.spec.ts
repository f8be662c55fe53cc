import { strict as assert } from 'node:assert';
import { ActorUsageError, type ActorContext, type ActorSystem } from '../../../src/runtime/index.js';
import { delay, testSystem, waitFor } from './support.js';

type Msg = { single: number } | { periodic: number } | { cancel: string } | 'tick' | 'once' | 'fail';

function ticker(system: ActorSystem, name = 'ticker') {
  const seen: string[] = [];
  let context: ActorContext<Msg> | undefined;
  const ref = system.spawn<null, Msg>(name, {
    kind: 'ticker',
    supervision: { backoff: { initialMs: 1, maxMs: 1, factor: 1 } },
    init: (ctx) => {
      context = ctx;
      return null;
    },
    receive: (state, m, ctx) => {
      if (m === 'tick' || m === 'once') seen.push(m);
      else if (m === 'fail') throw new Error('boom');
      else if ('single' in m) ctx.timers.startSingle('once', m.single, 'once');
      else if ('periodic' in m) ctx.timers.startPeriodic('tick', m.periodic, 'tick');
      else ctx.reply(ctx.timers.cancel(m.cancel));
      return state;
    },
  });
  return { ref, seen, timers: () => context?.timers };
}

describe('runtime/actor timers', () => {
  let system: ActorSystem;
  beforeEach(() => (system = testSystem()));
  afterEach(() => system.shutdown({ drain: false }));

  it('a single timer fires once', async () => {
    const { ref, seen, timers } = ticker(system);
    ref.tell({ single: 5 });
    await waitFor(() => seen.length === 1, 'timer fired');
    await delay(25);
    assert.deepEqual(seen, ['once']);
    assert.equal(timers()?.isActive('once'), false);
  });

  it('a periodic timer fires repeatedly until cancelled', async () => {
    const { ref, seen } = ticker(system);
    ref.tell({ periodic: 3 });
    await waitFor(() => seen.length >= 3, 'three ticks');
    assert.equal(await ref.ask<boolean>({ cancel: 'tick' }), true);
    // Ticks that fired before the cancel was processed may still be queued; let them through.
    await waitFor(() => system.snapshot()[0]?.mailboxDepth === 0, 'queued ticks processed');
    const count = seen.length;
    await delay(25);
    assert.equal(seen.length, count, 'no ticks after cancel');
  });

  it('cancel prevents a pending single timer from firing', async () => {
    const { ref, seen } = ticker(system);
    ref.tell({ single: 15 });
    ref.tell({ cancel: 'once' });
    await delay(40);
    assert.deepEqual(seen, []);
  });

  it('timers are cancelled when the actor stops', async () => {
    const { ref, timers } = ticker(system);
    ref.tell({ periodic: 2 });
    await waitFor(() => timers()?.isActive('tick') === true, 'timer started');
    await ref.stop({ drain: false });
    assert.equal(timers()?.isActive('tick'), false);
  });

  it('timers are cancelled when the actor restarts', async () => {
    const { ref, seen, timers } = ticker(system);
    ref.tell({ single: 20 });
    ref.tell('fail');
    await waitFor(() => system.snapshot()[0]?.restarts === 1, 'restarted');
    assert.equal(timers()?.isActive('once'), false);
    await delay(40);
    assert.deepEqual(seen, []);
  });

  it('rejects a non-positive periodic interval', async () => {
    const { timers } = ticker(system);
    await waitFor(() => timers() !== undefined, 'init ran');
    assert.throws(() => timers()?.startPeriodic('bad', 0, 'tick'), ActorUsageError);
  });
});
