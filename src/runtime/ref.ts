/**
 * The in-process ActorRef: an address plus a way into the cell's mailbox. Only the address
 * is data; when actors move to worker threads a remote ref implements the same interface.
 */
import type { ActorRef, StopOptions } from './actor.js';
import type { Address } from './address.js';
import { formatAddress } from './address.js';
import { PendingReply } from './reply.js';
import { ActorUsageError } from './errors.js';

export interface Envelope<M> {
  readonly message: M;
  readonly reply: PendingReply | undefined;
}

/** The cell's side of a ref. */
export interface RefPort<M> {
  offer(envelope: Envelope<M>): boolean;
  /** Waits for room; gives up quietly once `abandoned()` (the ask already timed out). */
  put(envelope: Envelope<M>, abandoned?: () => boolean): Promise<void>;
  whenWritable(): Promise<void>;
  stop(options: StopOptions): Promise<void>;
  readonly askTimeoutMs: number;
}

export class LocalActorRef<M> implements ActorRef<M> {
  constructor(
    readonly address: Address,
    private readonly port: RefPort<M>,
  ) {}

  tell(message: M): boolean {
    return this.port.offer({ message, reply: undefined });
  }

  send(message: M): Promise<void> {
    return this.port.put({ message, reply: undefined });
  }

  ask<R>(message: M, timeoutMs: number = this.port.askTimeoutMs): Promise<R> {
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      return Promise.reject(new ActorUsageError(`ask timeout must be a finite number > 0 (got ${String(timeoutMs)})`));
    }
    return new Promise<R>((resolve, reject) => {
      const reply = new PendingReply(
        (value) => resolve(value as R),
        reject,
        timeoutMs,
        `ask to ${formatAddress(this.address)}`,
      );
      this.port.put({ message, reply }, () => reply.settled).catch((err: unknown) => reply.reject(err));
    });
  }

  whenWritable(): Promise<void> {
    return this.port.whenWritable();
  }

  stop(options: StopOptions = { drain: true }): Promise<void> {
    return this.port.stop(options);
  }

  toJSON(): Address {
    return { system: this.address.system, path: this.address.path };
  }
}
