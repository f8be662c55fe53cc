/**
 * Exponential backoff, capped: the one formula behind every growing wait in the gateway
 * (actor restarts, SMPP reconnects, provider retries and throttle pauses, failed-bind delays).
 * Pure; the random source comes in, so tests need no clock and no luck.
 */

export interface BackoffOptions {
  /** The wait before the first retry (attempt 0). */
  readonly initialMs: number;
  /** No wait is longer. */
  readonly maxMs: number;
  /** Growth per attempt; 2 (doubling) unless given. */
  readonly factor?: number;
  /**
   * 'equal': half the wait fixed, half random, rounded to whole milliseconds ("equal jitter"),
   * so a fleet of clients dropped together does not come back together. 'none' unless given.
   */
  readonly jitter?: 'none' | 'equal';
}

/**
 * The wait before retry `attempt` (0-based; a negative attempt counts as 0):
 * `min(maxMs, initialMs * factor ** attempt)`, then jittered if asked.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const { initialMs, maxMs, factor = 2, jitter = 'none' } = options;
  // initialMs 0 stays 0 however many attempts (0 * Infinity would be NaN).
  const base = initialMs === 0 ? 0 : Math.min(maxMs, initialMs * factor ** Math.max(0, attempt));
  return jitter === 'equal' ? Math.round(base / 2 + random() * (base / 2)) : base;
}
