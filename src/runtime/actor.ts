/**
 * The contract between actor code and the runtime: what an actor is (`ActorSpec`), how others
 * reach it (`ActorRef`), what it sees while running (`ActorContext`) and of its system
 * (`SystemHandle`). Implementations live in cell.ts, ref.ts, context.ts and system.ts.
 *
 * This module imports only leaves (types from address, supervision, reply, timers, stats,
 * events), never the modules that implement it: the interfaces name each other, so they live
 * together here, and every implementation can import them without closing a cycle.
 */
import type { Logger } from '../log.js';
import type { Address } from './address.js';
import type { SystemEventListener, SystemEventName } from './events.js';
import type { ReplyHandle } from './reply.js';
import type { ActorStats, GaugeValue } from './stats.js';
import type { Directive, SupervisorStrategy } from './supervision.js';
import type { TimerScheduler } from './timers.js';

export interface StopOptions {
  /** true: process what is already queued first; false: drop it and reject pending asks. */
  readonly drain: boolean;
}

/**
 * The behaviour's functions are declared as methods so that a spec's state type can be hidden
 * (`ActorSpec<unknown, M>`) by whoever only spawns it: the state never leaves its cell, so no
 * caller can hand a receive a state of another type.
 */
export interface ActorSpec<S, M> {
  /** Names the behaviour in stats and logs ("assembler", "supplier"...). */
  readonly kind: string;
  /** Builds the state; runs at start and again on every restart. */
  init(ctx: ActorContext<M>): S | Promise<S>;
  /** Handles one message; the returned state replaces the old one. Never called concurrently. */
  receive(state: S, message: M, ctx: ActorContext<M>): S | Promise<S>;
  readonly mailboxCapacity?: number;
  readonly supervision?: Partial<SupervisorStrategy>;
  /**
   * Releases what the state holds. Runs when the actor stops, and for the discarded state
   * when it restarts, so sockets or handles kept in state are not leaked by a restart.
   */
  postStop?(state: S, ctx: ActorContext<M>): void | Promise<void>;
  /**
   * Called when receive throws, with the directive about to be applied. A Kafka-backed
   * mailbox uses it to leave that message's offset uncommitted instead of treating it as done.
   */
  onFailure?(message: M, error: unknown, directive: Directive): void;
}

export interface ActorRef<M> {
  readonly address: Address;
  /** Enqueues without waiting. false when the mailbox is full or the actor is stopping; never throws. */
  tell(message: M): boolean;
  /** Enqueues, waiting for room first; rejects with ActorStoppedError if the actor stops. */
  send(message: M): Promise<void>;
  /**
   * Enqueues (waiting for room) and resolves with what receive passes to `ctx.reply`. Rejects
   * with receive's error if it throws, NoReplyError if it finishes without replying,
   * TimeoutError after `timeoutMs` (covering the wait for room too), ActorStoppedError if the
   * actor stops first.
   */
  ask<R>(message: M, timeoutMs?: number): Promise<R>;
  /** Resolves when the mailbox has room; rejects with ActorStoppedError once stopping. */
  whenWritable(): Promise<void>;
  /**
   * Resolves once the actor and its children are stopped and postStop has run. Default: drain.
   * From inside the actor's own receive use `ctx.stopSelf()`: awaiting this there would wait
   * for the very message being processed.
   */
  stop(options?: StopOptions): Promise<void>;
  /** A ref serializes as its address, so it can travel in messages that cross threads. */
  toJSON(): Address;
}

/**
 * What receive, init and postStop see of the runtime; built over the actor's cell by
 * context.ts, which gives actor code exactly these capabilities and none of the cell's internals.
 */
export interface ActorContext<M> {
  readonly self: ActorRef<M>;
  readonly system: SystemHandle;
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
  /**
   * Work that finishes after receive returns comes back as a message: when `work` settles,
   * `toMessage` of its outcome is put in this actor's own mailbox (waiting for room). An
   * outcome that arrives after a restart or stop is dropped: it belonged to state that is gone.
   */
  pipeToSelf<T>(work: Promise<T>, toMessage: (outcome: PipedOutcome<T>) => M): void;
  /** Spawns a child, stopped when this actor stops or restarts. */
  spawn<CS, CM>(name: string, spec: ActorSpec<CS, CM>): ActorRef<CM>;
  child(name: string): ActorRef<unknown> | undefined;
  /** Stops after the current message; what is still queued is dropped. */
  stopSelf(): void;
  /** Attaches a value to this actor's stats (Kafka partition, lag...). */
  setGauge(name: string, value: GaugeValue): void;
}

export type PipedOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export type SystemStatus = 'running' | 'shuttingDown' | 'stopped';

/**
 * The ActorSystem as its actors and cells name it. system.ts builds the cells, so they cannot
 * import the class without closing a cycle; the class implements this, and the two cannot drift.
 * See ActorSystem in system.ts for what each member does.
 */
export interface SystemHandle {
  readonly name: string;
  readonly log: Logger;
  readonly status: SystemStatus;
  spawn<S, M>(name: string, spec: ActorSpec<S, M>, parent?: ActorRef<unknown> | Address): ActorRef<M>;
  lookup(address: Address | string): ActorRef<unknown> | undefined;
  watch(ref: ActorRef<unknown> | Address): Promise<unknown>;
  snapshot(): ActorStats[];
  on<K extends SystemEventName>(event: K, listener: SystemEventListener<K>): () => void;
  off<K extends SystemEventName>(event: K, listener: SystemEventListener<K>): void;
  shutdown(options?: StopOptions): Promise<void>;
}
