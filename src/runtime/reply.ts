/**
 * The answer channel of one ask: settles once, whoever gets there first (reply, failure,
 * timeout, stop), and clears its timer when it does.
 */
import { TimeoutError } from '../errors.js';

export class PendingReply {
  private done = false;
  /** Set when receive took responsibility for answering later (`ctx.deferReply`). */
  deferred = false;
  private timer: NodeJS.Timeout | undefined;
  private settledListeners: (() => void)[] | undefined;

  constructor(
    private readonly onResolve: (value: unknown) => void,
    private readonly onReject: (error: unknown) => void,
    timeoutMs: number,
    what: string,
  ) {
    this.timer = setTimeout(() => this.reject(new TimeoutError(`${what} timed out after ${timeoutMs} ms`)), timeoutMs);
  }

  get settled(): boolean {
    return this.done;
  }

  resolve(value: unknown): boolean {
    if (this.done) return false;
    this.finish();
    this.onResolve(value);
    return true;
  }

  reject(error: unknown): boolean {
    if (this.done) return false;
    this.finish();
    this.onReject(error);
    return true;
  }

  /** Runs `listener` once this reply settles, however it does (at once if it already has). */
  onSettled(listener: () => void): void {
    if (this.done) listener();
    else (this.settledListeners ??= []).push(listener);
  }

  private finish(): void {
    this.done = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const listeners = this.settledListeners;
    this.settledListeners = undefined;
    for (const l of listeners ?? []) l();
  }
}

/** Lets receive answer an ask after it returns (e.g. when an SMSC's response arrives). */
export interface ReplyHandle<R = unknown> {
  resolve(value: R): void;
  reject(error: unknown): void;
}
