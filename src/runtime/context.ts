/**
 * What receive, init and postStop see of the runtime. The context is a thin face over the
 * actor's cell: actor code gets exactly these capabilities and nothing of the cell's internals.
 */
import type { Logger } from '../log.js';
import type { ActorRef, ActorSpec } from './actor.js';
import type { PendingReply, ReplyHandle } from './reply.js';
import type { GaugeValue } from './stats.js';
import type { ActorSystem } from './system.js';
import type { TimerScheduler } from './timers.js';

export interface ActorContext<M> {
  readonly self: ActorRef<M>;
  readonly system: ActorSystem;
  readonly kind: string;
  /** A child logger carrying this actor's address and kind. */
  readonly log: Logger;
  readonly parent: ActorRef<unknown> | null;
  /** Live children, in spawn order. */
  readonly children: readonly ActorRef<unknown>[];
  readonly timers: TimerScheduler<M>;
  /** Answers the message being processed if it was asked; ignored otherwise and after the first answer. */
  reply(value: unknown): void;
  /**
   * Takes over answering the current ask after receive returns (so no NoReplyError); the
   * asker's timeout still applies.
   */
  deferReply<R = unknown>(): ReplyHandle<R>;
  /** Spawns a child, stopped when this actor stops or restarts. */
  spawn<CS, CM>(name: string, spec: ActorSpec<CS, CM>): ActorRef<CM>;
  child(name: string): ActorRef<unknown> | undefined;
  /** Stops after the current message; what is still queued is dropped. */
  stopSelf(): void;
  /** Attaches a value to this actor's stats (Kafka partition, lag...). */
  setGauge(name: string, value: GaugeValue): void;
}

/** The cell's side of the context. */
export interface ContextPort<M> {
  readonly self: ActorRef<M>;
  readonly system: ActorSystem;
  readonly kind: string;
  readonly log: Logger;
  readonly parent: ActorRef<unknown> | null;
  readonly timers: TimerScheduler<M>;
  currentReply(): PendingReply | undefined;
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
      return { resolve: (value: R) => void pending.resolve(value), reject: (error: unknown) => void pending.reject(error) };
    },
    spawn: (name, spec) => port.spawnChild(name, spec),
    child: (name) => port.childRef(name),
    stopSelf: () => port.stopSelf(),
    setGauge: (name, value) => port.setGauge(name, value),
  };
}
