/**
 * A bounded FIFO with explicit backpressure. Producers learn "full" from `offer` returning
 * false and wait with `whenWritable`; a Kafka fetch loop awaits `whenWritable` before fetching
 * more, so nothing is ever fetched that the actor cannot hold.
 */
import { ActorUsageError, MailboxClosedError } from './errors.js';

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class Mailbox<T> {
  readonly capacity: number;
  // Array plus head index: take() is O(1) without shifting; compacted once half is dead.
  private items: (T | undefined)[] = [];
  private head = 0;
  private waiters: Waiter[] = [];
  private closedWith: Error | undefined;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new ActorUsageError(`mailbox capacity must be an integer >= 1 (got ${String(capacity)})`);
    }
    this.capacity = capacity;
  }

  get depth(): number {
    return this.items.length - this.head;
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Enqueues unless full or closed; never throws, so hot paths can branch on the result. */
  offer(item: T): boolean {
    if (this.closedWith !== undefined || this.depth >= this.capacity) return false;
    this.items.push(item);
    return true;
  }

  take(): T | undefined {
    if (this.depth === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head += 1;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.releaseWaiters();
    return item;
  }

  /** Removes and returns everything queued (to reject pending asks when dropping). */
  takeAll(): T[] {
    const out = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    this.releaseWaiters();
    return out;
  }

  /**
   * Resolves once depth < capacity. Every waiter is woken when room appears and must re-offer
   * (another producer may take the slot first); rejects with the close reason once closed.
   */
  whenWritable(): Promise<void> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    if (this.depth < this.capacity) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Refuses further offers; queued items stay so the owner can drain or reject them. */
  close(reason: Error = new MailboxClosedError()): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = reason;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(reason);
  }

  private releaseWaiters(): void {
    if (this.waiters.length === 0 || this.depth >= this.capacity || this.closedWith !== undefined) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve();
  }
}
