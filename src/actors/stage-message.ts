/**
 * How a stage actor owns the records it is working on (Akka's pipeToSelf): a record's work
 * starts in receive, is kept in the actor's state with the ask it will answer, and its end
 * comes back to the actor as a `workDone` message, which answers the ask. So the actor keeps
 * as many records in flight as its mailbox window allows, a restart drops them all (their
 * asks are answered with ActorRestartedError and the records are consumed again), and an
 * unexpected error of the work is thrown in the actor's own receive as a WorkFailedError,
 * where its supervisor sees it (counted, logged, the inspector's last error). Stage actors
 * resume on it (`stageSupervision`): the record was already answered and will be tried again,
 * and a restart would drop every other record in flight, some already sent to a provider.
 */
import type { ActorContext, PipedOutcome } from '../runtime/context.js';
import type { ReplyHandle } from '../runtime/reply.js';
import { isRecordFault, GatewayError, errorMessage } from '../errors.js';
import type { SupervisorStrategy } from '../runtime/supervision.js';

/** In-flight work failed for a reason that is neither the record's nor a known retriable one. */
export class WorkFailedError extends GatewayError {
  constructor(what: string, cause: unknown) {
    super('WORK_FAILED', `work on ${what} failed: ${errorMessage(cause)}`, { cause });
  }
}

/** Supervision of the stage actors: a failure of in-flight work is seen, not restarted for. */
export const stageSupervision: Partial<SupervisorStrategy> = {
  decider: (err) => (err instanceof WorkFailedError ? 'resume' : 'restart'),
};

export type { RecordMessage } from '../host/stage.js';

/** The end of one piece of in-flight work, told by the actor to itself. */
export interface WorkDone {
  type: 'workDone';
  id: number;
  outcome: PipedOutcome<unknown>;
}

interface OpenWork {
  readonly reply: ReplyHandle<void>;
  readonly what: string;
  readonly startedAt: number;
}

/** The records an actor is working on: part of its state, new with every (re)start. */
export class InFlight {
  private nextId = 1;
  private readonly open = new Map<number, OpenWork>();
  private readonly abandon = new AbortController();

  /**
   * Aborted when the actor that owns this work stops or restarts (its postStop calls
   * `abandonAll`): work still running then must not act on what it was doing, since the
   * record is consumed again (here or by the partition's new owner).
   */
  get signal(): AbortSignal {
    return this.abandon.signal;
  }

  abandonAll(): void {
    this.abandon.abort();
  }

  /**
   * Refuses the current ask with `error` without throwing from receive: a record the actor
   * cannot take (unreadable, not for this partition) must not restart the actor and void the
   * records in flight beside it.
   */
  refuse<M>(ctx: ActorContext<M>, error: unknown): void {
    ctx.deferReply<void>().reject(error);
  }

  /** What `decode` reads of the current record; undefined when it cannot, the ask refused with why. */
  read<M, T>(ctx: ActorContext<M>, decode: () => T): T | undefined {
    try {
      return decode();
    } catch (err) {
      this.refuse(ctx, err);
      return undefined;
    }
  }

  get size(): number {
    return this.open.size;
  }

  /** Oldest work first: what the inspector shows as stuck. */
  oldest(): { what: string; startedAt: number } | undefined {
    const first = this.open.values().next();
    return first.done ? undefined : { what: first.value.what, startedAt: first.value.startedAt };
  }

  /** Starts answering the current ask with `work`'s end, which comes back as a WorkDone message. */
  start<M>(ctx: ActorContext<M>, work: Promise<unknown>, what: string, toMessage: (done: WorkDone) => M): void {
    const id = this.nextId++;
    this.open.set(id, { reply: ctx.deferReply<void>(), what, startedAt: Date.now() });
    ctx.pipeToSelf(work, (outcome) => toMessage({ type: 'workDone', id, outcome }));
  }

  /**
   * Answers the ask of the finished work. A failure goes to the asker (the stage consumer
   * retries the record, or dead-letters it); one that is neither the record's fault nor a
   * retriable fault of the infrastructure is a defect, thrown for the supervisor as well.
   */
  finish(done: WorkDone): void {
    const work = this.open.get(done.id);
    if (work === undefined) return;
    this.open.delete(done.id);
    if (done.outcome.ok) {
      work.reply.resolve(undefined);
      return;
    }
    const error = done.outcome.error;
    work.reply.reject(error);
    if (!isRecordFault(error) && !(error instanceof GatewayError && error.retriable) && !isKafkaRetriable(error)) throw new WorkFailedError(work.what, error);
  }
}

/** kafkajs marks its own errors `retriable`; they come through a stage's writer untouched. */
function isKafkaRetriable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}
