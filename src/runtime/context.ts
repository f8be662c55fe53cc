/**
 * Builds what receive, init and postStop see of the runtime (`ActorContext`). The context is a
 * thin face over the actor's cell: actor code gets exactly these capabilities and nothing of
 * the cell's internals.
 */
import type { Logger } from '../log.js';
import type { ActorContext, ActorRef, ActorSpec, PipedOutcome, SystemHandle } from './actor.js';
import type { PendingReply, ReplyHandle } from './reply.js';
import type { GaugeValue } from './stats.js';
import type { TimerScheduler } from './timers.js';

// Declared in actor.ts with the interfaces they name; actor modules still import them from here.
export type { ActorContext, PipedOutcome } from './actor.js';

/** The cell's side of the context. */
export interface ContextPort<M> {
  readonly self: ActorRef<M>;
  readonly system: SystemHandle;
  readonly kind: string;
  readonly log: Logger;
  readonly parent: ActorRef<unknown> | null;
  readonly timers: TimerScheduler<M>;
  currentReply(): PendingReply | undefined;
  /** Keeps a deferred answer with this incarnation: a restart or stop rejects what is still open. */
  adoptDeferred(reply: PendingReply): void;
  pipeToSelf<T>(work: Promise<T>, toMessage: (outcome: PipedOutcome<T>) => M): void;
  spawnChild<CS, CM>(name: string, spec: ActorSpec<CS, CM>): ActorRef<CM>;
  childRefs(): ActorRef<unknown>[];
  childRef(name: string): ActorRef<unknown> | undefined;
  stopSelf(): void;
  setGauge(name: string, value: GaugeValue): void;
}

const noReply: ReplyHandle<never> = Object.freeze({ resolve: () => undefined, reject: () => undefined });

export function createContext<M>(port: ContextPort<M>): ActorContext<M> {
  return {
    self: port.self,
    system: port.system,
    kind: port.kind,
    log: port.log,
    parent: port.parent,
    get children() {
      return port.childRefs();
    },
    timers: port.timers,
    reply(value) {
      const pending = port.currentReply();
      if (pending === undefined) port.log.debug('reply ignored: the current message was not asked');
      else pending.resolve(value);
    },
    deferReply<R>(): ReplyHandle<R> {
      const pending = port.currentReply();
      if (pending === undefined) return noReply;
      pending.deferred = true;
      port.adoptDeferred(pending);
      return { resolve: (value: R) => void pending.resolve(value), reject: (error: unknown) => void pending.reject(error) };
    },
    pipeToSelf: (work, toMessage) => port.pipeToSelf(work, toMessage),
    spawn: (name, spec) => port.spawnChild(name, spec),
    child: (name) => port.childRef(name),
    stopSelf: () => port.stopSelf(),
    setGauge: (name, value) => port.setGauge(name, value),
  };
}
