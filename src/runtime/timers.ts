/**
 * Per-actor timers keyed by name. A timer delivers its message to the actor's own mailbox,
 * so timer work is ordered with every other message and never runs concurrently with receive.
 * Starting a key that is already active replaces it.
 */
import type { Logger } from '../log.js';
import { ActorUsageError } from './errors.js';

export interface TimerScheduler<M> {
  startSingle(key: string, delayMs: number, message: M): void;
  startPeriodic(key: string, intervalMs: number, message: M): void;
  /** true if a timer with that key was active. */
  cancel(key: string): boolean;
  isActive(key: string): boolean;
}

interface TimerEntry {
  readonly handle: NodeJS.Timeout;
  readonly periodic: boolean;
  cancelled: boolean;
}

export interface TimerTarget<M> {
  offer(message: M): boolean;
  whenWritable(): Promise<void>;
  readonly log: Logger;
}

export class ActorTimers<M> implements TimerScheduler<M> {
  private readonly entries = new Map<string, TimerEntry>();
  // Fired one-shot timers still waiting for mailbox room; cancelAll must reach them too.
  private readonly delivering = new Set<TimerEntry>();
  private closed = false;

  constructor(private readonly target: TimerTarget<M>) {}

  startSingle(key: string, delayMs: number, message: M): void {
    checkMs(delayMs, 0, 'single timer delay');
    if (this.closed) return;
    this.cancel(key);
    const entry: TimerEntry = {
      periodic: false,
      cancelled: false,
      handle: setTimeout(() => {
        this.entries.delete(key);
        void this.deliverSingle(entry, message);
      }, delayMs),
    };
    this.entries.set(key, entry);
  }

  startPeriodic(key: string, intervalMs: number, message: M): void {
    checkMs(intervalMs, 1, 'periodic timer interval');
    if (this.closed) return;
    this.cancel(key);
    const entry: TimerEntry = {
      periodic: true,
      cancelled: false,
      handle: setInterval(() => {
        // A tick that finds the mailbox full is skipped: the next tick carries the same news,
        // and queueing ticks behind a backlog would only deepen it.
        if (!this.target.offer(message)) this.target.log.debug('timer tick skipped: mailbox full', { timer: key });
      }, intervalMs),
    };
    this.entries.set(key, entry);
  }

  cancel(key: string): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    entry.cancelled = true;
    if (entry.periodic) clearInterval(entry.handle);
    else clearTimeout(entry.handle);
    this.entries.delete(key);
    return true;
  }

  isActive(key: string): boolean {
    return this.entries.has(key);
  }

  cancelAll(): void {
    for (const key of [...this.entries.keys()]) this.cancel(key);
    for (const entry of this.delivering) entry.cancelled = true;
    this.delivering.clear();
  }

  /** Cancels everything and ignores later starts (the actor is stopping). */
  close(): void {
    this.closed = true;
    this.cancelAll();
  }

  // A one-shot timer is usually a deadline (an assembly timeout); losing it to a full mailbox
  // would lose the deadline, so it waits for room instead.
  private async deliverSingle(entry: TimerEntry, message: M): Promise<void> {
    if (this.target.offer(message)) return;
    this.delivering.add(entry);
    try {
      while (!entry.cancelled) {
        try {
          await this.target.whenWritable();
        } catch {
          return; // the actor stopped
        }
        if (!entry.cancelled && this.target.offer(message)) return;
      }
    } finally {
      this.delivering.delete(entry);
    }
  }
}

function checkMs(ms: number, min: number, what: string): void {
  if (!Number.isFinite(ms) || ms < min) throw new ActorUsageError(`${what} must be a finite number >= ${min} (got ${String(ms)})`);
}
