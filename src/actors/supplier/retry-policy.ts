/**
 * Whether a part refused with a temporary error (or left unanswered) is sent again, and after
 * how long. Pure. Limits: `maxAttempts` failed sends of the part, and the message's age
 * (since the customer's submit was accepted) must stay under `maxRetryAgeMs` when the retry
 * would go out.
 */
import { backoffDelay } from '../../backoff.js';

export const MAX_RETRY_DELAY_MS = 30000;

export interface RetryLimits {
  maxAttempts: number;
  maxRetryAgeMs: number;
  retryDelayMs: number;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; why: 'attempts' | 'age' };

/** `failures`: failed sends of this part so far (this one included); `ageMs`: the message's age now. */
export function retryDecision(failures: number, ageMs: number, limits: RetryLimits): RetryDecision {
  if (failures >= limits.maxAttempts) return { retry: false, why: 'attempts' };
  const delayMs = backoffDelay(failures - 1, { initialMs: limits.retryDelayMs, maxMs: MAX_RETRY_DELAY_MS });
  if (ageMs + delayMs >= limits.maxRetryAgeMs) return { retry: false, why: 'age' };
  return { retry: true, delayMs };
}
