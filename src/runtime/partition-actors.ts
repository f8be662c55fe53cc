/**
 * The set of partition actors of one stage on one thread: an actor per assigned partition,
 * spawned when the partition is assigned (or when its first record arrives, whichever comes
 * first) and stopped, after draining what it already took, when the partition is revoked.
 *
 * Death-watch: an actor that stops on its own (its restart budget spent) is never handed out
 * again. Its partition gets a fresh actor after a backoff that grows while deaths repeat, so a
 * partition reported as owned here always has a live actor behind it, or one about to start.
 */
import type { ActorRef, ActorSpec } from './actor.js';
import type { ActorSystem } from './system.js';
import type { Logger } from '../log.js';
import { UnavailableError, errorMessage } from '../errors.js';
import { backoffDelay } from '../backoff.js';

export interface RespawnBackoff {
  readonly initialMs: number;
  readonly maxMs: number;
  /** An actor that lived this long before dying starts the backoff afresh. */
  readonly resetAfterMs: number;
}

export const defaultRespawnBackoff: RespawnBackoff = Object.freeze({ initialMs: 1000, maxMs: 30000, resetAfterMs: 60000 });

interface Death {
  readonly at: number;
  readonly deaths: number;
  readonly respawnAt: number;
}

export class PartitionActors<M> {
  private readonly live = new Map<number, ActorRef<M>>();
  private readonly stopping = new Map<number, Promise<void>>();
  /** Partitions whose actor died by itself: when its successor may start. */
  private readonly deaths = new Map<number, Death>();
  private readonly bornAt = new Map<number, number>();
  /** Counts every actor that stopped on its own (for stats). */
  diedOnTheirOwn = 0;
  private generation = 0;
  /** null until the first assignment is known. */
  private assigned: Set<number> | null = null;

  constructor(
    private readonly system: ActorSystem,
    private readonly stage: string,
    private readonly specFor: (partition: number) => ActorSpec<unknown, M>,
    private readonly logger: Logger,
    /** Told to an actor whose partition is revoked, before it drains (see AtLeastOnceStage.revoked). */
    private readonly revokedMessage?: M,
    private readonly respawn: RespawnBackoff = defaultRespawnBackoff,
  ) {}

  /** The actor of `partition`, started if needed (after an earlier one finished stopping). */
  async get(partition: number): Promise<ActorRef<M>> {
    const existing = this.live.get(partition);
    if (existing) return existing;
    // A partition taken away must not come back to life here: its new owner has it, and an
    // exactly-once actor starting again would fence that owner.
    if (this.assigned && !this.assigned.has(partition)) {
      throw new UnavailableError('PARTITION_NOT_ASSIGNED', `${this.stage} partition ${partition} is not assigned here`);
    }
    const previous = this.stopping.get(partition);
    if (previous) await previous;
    const death = this.deaths.get(partition);
    if (death && death.respawnAt > Date.now()) await sleep(death.respawnAt - Date.now());
    const again = this.live.get(partition);
    if (again) return again;
    if (this.assigned && !this.assigned.has(partition)) {
      throw new UnavailableError('PARTITION_NOT_ASSIGNED', `${this.stage} partition ${partition} is not assigned here`);
    }
    const spec = this.specFor(partition);
    const ref = this.system.spawn(`${this.stage}-p${partition}-g${++this.generation}`, {
      ...spec,
      init: (ctx) => {
        ctx.setGauge('partition', partition);
        return spec.init(ctx);
      },
    });
    this.live.set(partition, ref);
    this.bornAt.set(partition, Date.now());
    void this.system.watch(ref).then((cause) => this.died(partition, ref, cause));
    return ref;
  }

  /** Ends of actors nobody asked to stop: the partition gets a fresh actor after a backoff. */
  private died(partition: number, ref: ActorRef<M>, cause: unknown): void {
    if (this.live.get(partition) !== ref) return; // stopped by reconcile: a revocation, not a death
    this.live.delete(partition);
    this.diedOnTheirOwn += 1;
    const now = Date.now();
    const previous = this.deaths.get(partition);
    const lived = now - (this.bornAt.get(partition) ?? now);
    const deaths = previous && lived < this.respawn.resetAfterMs ? previous.deaths + 1 : 1;
    const delay = backoffDelay(deaths - 1, this.respawn);
    this.deaths.set(partition, { at: now, deaths, respawnAt: now + delay });
    this.logger.error('partition actor stopped for good; a fresh one takes the partition', {
      stage: this.stage, partition, error: errorMessage(cause), deaths, respawnInMs: delay,
    });
    // Started now (it waits out the backoff itself) rather than on the next record, so a
    // partition with nothing to read still shows a live actor once the backoff is over.
    if (this.assigned === null || this.assigned.has(partition)) {
      this.get(partition).catch((err: unknown) =>
        this.logger.debug('partition actor not restarted', { stage: this.stage, partition, error: errorMessage(err) }));
    }
  }

  /** Tells every live actor `message`; returns how many took it. */
  tellAll(message: M): number {
    let n = 0;
    for (const ref of this.live.values()) if (ref.tell(message)) n++;
    return n;
  }

  peek(partition: number): ActorRef<M> | undefined {
    return this.live.get(partition);
  }

  /** Brings the live set in line with the partitions this thread now holds. */
  async reconcile(assigned: readonly number[]): Promise<void> {
    const keep = new Set(assigned);
    this.assigned = keep;
    const stops: Promise<void>[] = [];
    for (const [p, ref] of this.live) {
      if (keep.has(p)) continue;
      this.live.delete(p);
      if (this.revokedMessage !== undefined) ref.tell(this.revokedMessage);
      const stop = ref.stop({ drain: true }).catch((err: unknown) =>
        this.logger.warn('partition actor stop failed', { stage: this.stage, partition: p, error: errorMessage(err) }));
      const tracked = stop.finally(() => {
        if (this.stopping.get(p) === tracked) this.stopping.delete(p);
      });
      this.stopping.set(p, tracked);
      stops.push(tracked);
      this.logger.info('partition revoked', { stage: this.stage, partition: p });
    }
    for (const p of assigned) {
      if (!this.live.has(p)) {
        this.logger.info('partition assigned', { stage: this.stage, partition: p });
        await this.get(p);
      }
    }
    await Promise.all(stops);
  }

  async stopAll(): Promise<void> {
    await this.reconcile([]);
  }

  partitions(): number[] {
    return [...this.live.keys()].sort((a, b) => a - b);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
