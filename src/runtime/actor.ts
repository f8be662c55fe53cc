/**
 * The contract between actor code and the runtime: what an actor is (`ActorSpec`) and how
 * others reach it (`ActorRef`). Implementations live in cell.ts and ref.ts.
 */
import type { Address } from './address.js';
import type { ActorContext } from './context.js';
import type { Directive, SupervisorStrategy } from './supervision.js';

export type ActorStatus = 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped';

export interface StopOptions {
  /** true: process what is already queued first; false: drop it and reject pending asks. */
  readonly drain: boolean;
}

export interface ActorSpec<S, M> {
  /** Names the behaviour in stats and logs ("assembler", "supplier"...). */
  readonly kind: string;
  /** Builds the state; runs at start and again on every restart. */
  readonly init: (ctx: ActorContext<M>) => S | Promise<S>;
  /** Handles one message; the returned state replaces the old one. Never called concurrently. */
  readonly receive: (state: S, message: M, ctx: ActorContext<M>) => S | Promise<S>;
  readonly mailboxCapacity?: number;
  readonly supervision?: Partial<SupervisorStrategy>;
  /**
   * Releases what the state holds. Runs when the actor stops, and for the discarded state
   * when it restarts, so sockets or handles kept in state are not leaked by a restart.
   */
  readonly postStop?: (state: S, ctx: ActorContext<M>) => void | Promise<void>;
  /**
   * Called when receive throws, with the directive about to be applied. A Kafka-backed
   * mailbox uses it to leave that message's offset uncommitted instead of treating it as done.
   */
  readonly onFailure?: (message: M, error: unknown, directive: Directive) => void;
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
