/**
 * Per-actor counters for the inspector. A snapshot is plain JSON-safe data (epoch-ms numbers,
 * null rather than undefined) so it can be posted across threads or written to Redis as is.
 */
import { GatewayError, errorMessage } from '../errors.js';
import type { Address } from './address.js';
import { ActorUsageError } from './errors.js';

// Here rather than in actor.ts, which names ActorStats: stats.ts stays a leaf of it.
export type ActorStatus = 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped';

export type GaugeValue = number | string;

export interface ActorErrorInfo {
  readonly message: string;
  readonly code: string | null;
  /** epoch ms */
  readonly at: number;
}

export interface ActorStats {
  readonly address: Address;
  readonly kind: string;
  readonly parent: Address | null;
  readonly status: ActorStatus;
  /** Messages accepted into the mailbox. */
  readonly received: number;
  /** Messages whose receive completed without throwing. */
  readonly processed: number;
  /** Failures of receive or init. */
  readonly failed: number;
  readonly restarts: number;
  /** Messages discarded unprocessed by a stop without drain. */
  readonly dropped: number;
  readonly mailboxDepth: number;
  readonly mailboxCapacity: number;
  readonly children: number;
  readonly lastError: ActorErrorInfo | null;
  /** epoch ms when the current incarnation started (spawn, or the latest restart). */
  readonly startedAt: number;
  readonly gauges: Readonly<Record<string, GaugeValue>>;
}

export class ActorCounters {
  received = 0;
  processed = 0;
  failed = 0;
  restarts = 0;
  dropped = 0;
  startedAt = Date.now();
  lastError: ActorErrorInfo | null = null;
  readonly gauges = new Map<string, GaugeValue>();

  recordFailure(error: unknown): void {
    this.failed += 1;
    this.lastError = { message: errorMessage(error), code: errorCode(error), at: Date.now() };
  }

  setGauge(name: string, value: GaugeValue): void {
    // NaN and Infinity do not survive JSON; refuse them where the bug is, not in the inspector.
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new ActorUsageError(`gauge ${name} must be a finite number or a string (got ${String(value)})`);
    }
    this.gauges.set(name, value);
  }
}

function errorCode(error: unknown): string | null {
  if (error instanceof GatewayError) return error.code;
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : null;
}
