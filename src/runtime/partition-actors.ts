/**
 * The set of partition actors of one stage on one thread: an actor per assigned partition,
 * spawned when the partition is assigned (or when its first record arrives, whichever comes
 * first) and stopped, after draining what it already took, when the partition is revoked.
 */
import type { ActorRef, ActorSpec } from './actor.js';
import type { ActorSystem } from './system.js';
import type { Logger } from '../log.js';
import { UnavailableError, errorMessage } from '../errors.js';

export class PartitionActors<M> {
  private readonly live = new Map<number, ActorRef<M>>();
  private readonly stopping = new Map<number, Promise<void>>();
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
    const again = this.live.get(partition);
    if (again) return again;
    const spec = this.specFor(partition);
    const ref = this.system.spawn(`${this.stage}-p${partition}-g${++this.generation}`, {
      ...spec,
      init: (ctx) => {
        ctx.setGauge('partition', partition);
        return spec.init(ctx);
      },
    });
    this.live.set(partition, ref);
    return ref;
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
