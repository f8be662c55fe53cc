/**
 * When a bind pauses after ESME_RTHROTTLED, and for how long. Pure. The first throttled answer
 * pauses the whole bind; answers to submits sent before that pause began belong to the same
 * burst and do not extend it. A throttled answer to a submit sent after the bind resumed means
 * throttling persists, so the next pause is twice as long (up to the maximum); an accepted
 * submit sent after the resume means it stopped, and the pause length starts over.
 */
import { backoffDelay, type BackoffOptions } from '../../backoff.js';

export class ThrottlePause {
  private readonly backoff: BackoffOptions;
  /** Pauses since throttling last stopped. */
  private pauses = 0;
  private pausedAt = Number.NEGATIVE_INFINITY;
  private pausedUntil = Number.NEGATIVE_INFINITY;

  constructor(initialMs: number, maxMs: number) {
    if (!(initialMs > 0) || !(maxMs >= initialMs)) throw new RangeError(`need 0 < initialMs <= maxMs, got ${initialMs}, ${maxMs}`);
    this.backoff = { initialMs, maxMs };
  }

  /** A submit sent at `sentAt` was answered ESME_RTHROTTLED at `now`: milliseconds to pause from now, 0 for none. */
  throttled(sentAt: number, now: number): number {
    if (now < this.pausedUntil || sentAt < this.pausedAt) return 0;
    const pause = this.nextPauseMs;
    this.pauses++;
    this.pausedAt = now;
    this.pausedUntil = now + pause;
    return pause;
  }

  /** A submit sent at `sentAt` was accepted. */
  accepted(sentAt: number): void {
    if (sentAt >= this.pausedUntil) this.pauses = 0;
  }

  /** The pause the next throttled answer would start. */
  get nextPauseMs(): number {
    return backoffDelay(this.pauses, this.backoff);
  }
}
