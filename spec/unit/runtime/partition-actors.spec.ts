import { strict as assert } from 'node:assert';
import { UnavailableError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { formatAddress, type ActorRef, type ActorSpec, type ActorSystem } from '../../../src/runtime/index.js';
import { PartitionActors, type RespawnBackoff } from '../../../src/runtime/partition-actors.js';
import { delay, testSystem, track, waitFor } from './support.js';

type Msg = 'die' | 'ping' | 'revoked';

/** Dies for good on 'die': no restart budget at all. Answers 'ping' with the partition it serves. */
function mortal(partition: number, revokedSeen: number[]): ActorSpec<unknown, Msg> {
  const spec: ActorSpec<number, Msg> = {
    kind: 'mortal',
    supervision: { budget: { maxRestarts: 0, withinMs: 60_000 } },
    init: () => partition,
    receive: (p, m, ctx) => {
      if (m === 'die') throw new Error(`partition ${p} actor died`);
      if (m === 'revoked') revokedSeen.push(p);
      else ctx.reply(p);
      return p;
    },
  };
  return spec as ActorSpec<unknown, Msg>;
}

const BACKOFF: RespawnBackoff = { initialMs: 40, maxMs: 160, resetAfterMs: 60_000 };
/** Timers may fire a millisecond or so early as Date.now sees it. */
const SLACK = 3;

describe('runtime/PartitionActors death-watch', () => {
  let system: ActorSystem;
  let revokedSeen: number[];
  const actorsWith = (backoff: RespawnBackoff = BACKOFF) =>
    new PartitionActors<Msg>(system, 'st', (p) => mortal(p, revokedSeen), silentLogger, 'revoked', backoff);

  beforeEach(() => {
    system = testSystem();
    revokedSeen = [];
  });
  afterEach(() => system.shutdown({ drain: false }));

  /** Kills the partition's actor; resolves with the dead ref and when its death was seen. */
  async function kill(actors: PartitionActors<Msg>, p: number): Promise<{ dead: ActorRef<Msg>; diedAt: number }> {
    const dead = await actors.get(p);
    assert.equal(await dead.ask<number>('ping'), p);
    const cause = system.watch(dead);
    dead.tell('die');
    const why = await cause;
    assert.ok(why instanceof Error && why.message === `partition ${p} actor died`, 'stopped for good by its failure');
    return { dead, diedAt: Date.now() };
  }

  /** Waits until a live actor other than `dead` serves the partition; returns it and how long that took. */
  async function successor(actors: PartitionActors<Msg>, p: number, dead: ActorRef<Msg>, diedAt: number) {
    await waitFor(() => {
      const live = actors.peek(p);
      return live !== undefined && live !== dead && system.lookup(live.address) !== undefined;
    }, `a fresh actor for partition ${p}`, 3_000);
    const waitedMs = Date.now() - diedAt;
    const fresh = actors.peek(p)!;
    return { fresh, waitedMs };
  }

  it('replaces an actor that died for good with a fresh one after the backoff; the dead ref is never handed out again', async () => {
    const actors = actorsWith();
    await actors.reconcile([0, 1]);
    const { dead, diedAt } = await kill(actors, 0);

    assert.notEqual(actors.peek(0), dead, 'the dead actor is no longer listed');
    assert.deepEqual(actors.partitions(), [1], 'during the backoff only live actors are listed');
    assert.equal(actors.diedOnTheirOwn, 1);

    // A record arriving during the backoff waits for the successor rather than getting the dead ref.
    const got = await actors.get(0);
    assert.ok(Date.now() - diedAt >= BACKOFF.initialMs - SLACK, 'not respawned before the backoff');
    assert.notEqual(got, dead);
    assert.notEqual(formatAddress(got.address), formatAddress(dead.address), 'a different address');
    assert.equal(await got.ask<number>('ping'), 0, 'the successor serves the partition');
    assert.deepEqual(actors.partitions(), [0, 1]);
    assert.equal(actors.peek(0), got);
    assert.equal(actors.diedOnTheirOwn, 1);
  });

  it('respawns the partition by itself, with no record arriving, once the backoff is over', async () => {
    const actors = actorsWith();
    await actors.reconcile([3]);
    const { dead, diedAt } = await kill(actors, 3);
    const { fresh, waitedMs } = await successor(actors, 3, dead, diedAt);
    assert.ok(waitedMs >= BACKOFF.initialMs - SLACK, `respawned after ${waitedMs} ms`);
    assert.deepEqual(actors.partitions(), [3]);
    assert.equal(await fresh.ask<number>('ping'), 3);
    assert.equal(system.snapshot().filter((s) => s.kind === 'mortal').length, 1, 'exactly one actor for the partition');
  });

  it('grows the backoff while deaths repeat', async () => {
    const actors = actorsWith();
    await actors.reconcile([0]);
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { dead, diedAt } = await kill(actors, 0);
      const { waitedMs } = await successor(actors, 0, dead, diedAt);
      waits.push(waitedMs);
    }
    // 40, 80, 160, then capped at 160.
    const expected = [40, 80, 160, 160];
    waits.forEach((w, i) => assert.ok(w >= expected[i]! - SLACK, `death ${i + 1}: respawned after ${w} ms, expected at least ${expected[i]} (all: ${waits.join(', ')})`));
    assert.equal(actors.diedOnTheirOwn, 4);
  });

  it('starts the backoff afresh for an actor that lived longer than resetAfterMs', async () => {
    const actors = actorsWith({ initialMs: 50, maxMs: 1_000, resetAfterMs: 150 });
    await actors.reconcile([0]);
    const first = await kill(actors, 0);
    await successor(actors, 0, first.dead, first.diedAt);
    await delay(200); // the successor outlives resetAfterMs
    const second = await kill(actors, 0);
    const { waitedMs } = await successor(actors, 0, second.dead, second.diedAt);
    assert.ok(waitedMs >= 50 - SLACK, `respawned after ${waitedMs} ms`);
    // A backoff grown by this second death would wait 100 ms.
    assert.ok(waitedMs < 95, `respawned after ${waitedMs} ms: the backoff was not started afresh`);
    assert.equal(actors.diedOnTheirOwn, 2);
  });

  it('does not respawn a partition revoked during the backoff, and get rejects with PARTITION_NOT_ASSIGNED', async () => {
    const actors = actorsWith();
    await actors.reconcile([0]);
    await kill(actors, 0);
    await actors.reconcile([]);
    await delay(BACKOFF.initialMs * 3);
    assert.deepEqual(actors.partitions(), []);
    assert.equal(actors.peek(0), undefined);
    assert.deepEqual(system.snapshot().map((s) => s.kind), [], 'no actor started for the revoked partition');
    await assert.rejects(actors.get(0), (err: unknown) => err instanceof UnavailableError && err.code === 'PARTITION_NOT_ASSIGNED');
  });

  it('a get waiting out the backoff rejects when the partition is revoked meanwhile', async () => {
    const actors = actorsWith();
    await actors.reconcile([0]);
    await kill(actors, 0);
    const waiting = track(actors.get(0));
    await delay(5);
    assert.equal(waiting.settled, false, 'waits for the backoff');
    await actors.reconcile([]);
    await assert.rejects(waiting.result, (err: unknown) => err instanceof UnavailableError && err.code === 'PARTITION_NOT_ASSIGNED');
    assert.deepEqual(system.snapshot(), []);
  });

  it('an actor stopped by a revocation is a revocation, not a death: told revoked, drained, never respawned', async () => {
    const actors = actorsWith();
    await actors.reconcile([0, 1]);
    const ref = await actors.get(0);
    const watched = system.watch(ref);
    await actors.reconcile([1]);
    assert.equal(await watched, undefined, 'a requested stop');
    assert.deepEqual(revokedSeen, [0], 'told before it drained');
    await delay(BACKOFF.initialMs * 3);
    assert.equal(actors.diedOnTheirOwn, 0);
    assert.deepEqual(actors.partitions(), [1]);
    assert.deepEqual(system.snapshot().map((s) => s.gauges.partition), [1]);
    await assert.rejects(actors.get(0), (err: unknown) => err instanceof UnavailableError && err.code === 'PARTITION_NOT_ASSIGNED');
  });
});
