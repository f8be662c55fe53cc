import { strict as assert } from 'node:assert';
import { TimeoutError } from '../../../src/errors.js';
import {
  ActorNameTakenError,
  ActorStoppedError,
  NoReplyError,
  type ActorSpec,
  type ActorSystem,
} from '../../../src/runtime/index.js';
import { delay, gate, testSystem, track, waitFor } from './support.js';

describe('runtime/actor messaging', () => {
  let system: ActorSystem;
  beforeEach(() => (system = testSystem()));
  afterEach(() => system.shutdown({ drain: false }));

  it('processes messages strictly one at a time, in order, even with async receive', async () => {
    const log: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const ref = system.spawn<null, number>('seq', {
      kind: 'seq',
      init: () => null,
      receive: async (state, n) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        log.push(`start ${n}`);
        // Later messages sleep less, so any overlap would reorder the log.
        await delay(n % 2 === 0 ? 6 : 1);
        log.push(`end ${n}`);
        inFlight -= 1;
        return state;
      },
    });
    for (let i = 0; i < 6; i++) assert.equal(ref.tell(i), true);
    await waitFor(() => log.length === 12, 'all processed');
    assert.equal(maxInFlight, 1);
    assert.deepEqual(log, [0, 1, 2, 3, 4, 5].flatMap((n) => [`start ${n}`, `end ${n}`]));
  });

  it('replaces the state with what receive returns', async () => {
    const ref = system.spawn<number, 'inc' | 'get'>('counter', {
      kind: 'counter',
      init: () => 0,
      receive: (n, m, ctx) => {
        if (m === 'get') ctx.reply(n);
        return m === 'inc' ? n + 1 : n;
      },
    });
    ref.tell('inc');
    ref.tell('inc');
    ref.tell('inc');
    assert.equal(await ref.ask<number>('get'), 3);
  });

  it('tell returns false when the mailbox is full; send waits and proceeds when room appears', async () => {
    const hold = gate();
    const seen: string[] = [];
    const ref = system.spawn<null, string>('bounded', {
      kind: 'bounded',
      mailboxCapacity: 1,
      init: () => null,
      receive: async (state, m) => {
        seen.push(m);
        if (m === 'a') await hold.promise;
        return state;
      },
    });
    assert.equal(ref.tell('a'), true);
    await waitFor(() => seen.length === 1, 'a in flight');
    assert.equal(ref.tell('b'), true); // fills the single slot
    assert.equal(ref.tell('c'), false);
    const sent = track(ref.send('c'));
    const writable = track(ref.whenWritable());
    await delay(10);
    assert.equal(sent.settled, false, 'send must wait while the mailbox is full');
    assert.equal(writable.settled, false);
    hold.open();
    await sent.result;
    await writable.result;
    await waitFor(() => seen.length === 3, 'all processed');
    assert.deepEqual(seen, ['a', 'b', 'c']);
  });

  it('ask resolves with the reply', async () => {
    const ref = system.spawn<null, { double: number }>('doubler', {
      kind: 'doubler',
      init: () => null,
      receive: async (state, m, ctx) => {
        await delay(1);
        ctx.reply(m.double * 2);
        return state;
      },
    });
    assert.equal(await ref.ask<number>({ double: 21 }), 42);
  });

  it('ask rejects with the error receive threw', async () => {
    const boom = new Error('boom');
    const ref = system.spawn<null, string>('thrower', {
      kind: 'thrower',
      supervision: { decider: () => 'resume' },
      init: () => null,
      receive: () => {
        throw boom;
      },
    });
    await assert.rejects(ref.ask('x'), (err: unknown) => err === boom);
  });

  it('ask rejects with TimeoutError when no reply comes in time', async () => {
    const ref = system.spawn<null, string>('slow', {
      kind: 'slow',
      init: () => null,
      receive: (state, _m, ctx) => {
        ctx.deferReply(); // never answered
        return state;
      },
    });
    await assert.rejects(ref.ask('x', 20), (err: unknown) => err instanceof TimeoutError && err.code === 'TIMEOUT');
  });

  it('a deferred reply answers after receive returned', async () => {
    const ref = system.spawn<null, string>('deferrer', {
      kind: 'deferrer',
      init: () => null,
      receive: (state, m, ctx) => {
        const handle = ctx.deferReply<string>();
        setTimeout(() => handle.resolve(`later ${m}`), 5);
        return state;
      },
    });
    assert.equal(await ref.ask<string>('x'), 'later x');
  });

  it('ask rejects with NoReplyError when receive finishes without replying', async () => {
    const ref = system.spawn<null, string>('mute', { kind: 'mute', init: () => null, receive: (s) => s });
    await assert.rejects(ref.ask('x'), NoReplyError);
  });

  it('refuses messages and rejects send once the actor is stopped', async () => {
    const ref = system.spawn<null, string>('gone', { kind: 'gone', init: () => null, receive: (s) => s });
    await ref.stop({ drain: false });
    assert.equal(ref.tell('x'), false);
    await assert.rejects(ref.send('x'), ActorStoppedError);
    await assert.rejects(ref.ask('x'), ActorStoppedError);
    await assert.rejects(ref.whenWritable(), ActorStoppedError);
  });

  it('refuses a taken name and frees it once the actor has stopped', async () => {
    const spec: ActorSpec<null, string> = { kind: 'k', init: () => null, receive: (s) => s };
    const first = system.spawn('dup', spec);
    assert.throws(() => system.spawn('dup', spec), ActorNameTakenError);
    await first.stop();
    const second = system.spawn('dup', spec);
    assert.equal(system.lookup(second.address), second);
  });

  it('a ref serializes as its address and can be looked up again', () => {
    const ref = system.spawn<null, string>('addr', { kind: 'k', init: () => null, receive: (s) => s });
    const data: unknown = JSON.parse(JSON.stringify({ to: ref }));
    assert.deepEqual(data, { to: { system: 'test', path: '/addr' } });
    assert.equal(system.lookup('actor://test/addr'), ref);
    assert.equal(system.lookup({ system: 'other', path: '/addr' }), undefined);
  });
});
