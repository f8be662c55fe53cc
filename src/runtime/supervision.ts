/**
 * What happens when an actor fails. Modelled on Proto.Actor's one-for-one strategy: a decider
 * picks a directive; restarts are allowed while `maxRestarts within withinMs` holds, each
 * after an exponentially growing delay, and beyond the budget the actor stops (or escalates).
 * The arithmetic is pure so it is tested without actors or clocks.
 */
import { backoffDelay } from '../backoff.js';
import { ConfigError } from '../errors.js';
import type { Address } from './address.js';

export type Directive = 'resume' | 'restart' | 'stop' | 'escalate';

/** Where the failure happened: in receive, in init, or reported by a child via escalation. */
export type FailurePhase = 'receive' | 'init' | 'child';

/** Plain data about the failure, so deciders stay pure functions. */
export interface FailureInfo {
  readonly address: Address;
  readonly kind: string;
  readonly phase: FailurePhase;
  /** Restarts of this actor so far (all time). */
  readonly restarts: number;
}

export type Decider = (error: unknown, info: FailureInfo) => Directive;

export interface RestartBudget {
  readonly maxRestarts: number;
  readonly withinMs: number;
}

export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

export interface SupervisorStrategy {
  readonly decider: Decider;
  readonly budget: RestartBudget;
  readonly backoff: Backoff;
  /** What a restart becomes once the budget is spent. */
  readonly whenBudgetExceeded: 'stop' | 'escalate';
}

export const defaultStrategy: SupervisorStrategy = Object.freeze({
  decider: () => 'restart' as const,
  budget: Object.freeze({ maxRestarts: 10, withinMs: 60_000 }),
  backoff: Object.freeze({ initialMs: 100, maxMs: 10_000, factor: 2 }),
  whenBudgetExceeded: 'stop' as const,
});

/** Layers partial strategies (later wins) over the default, validated once and frozen. */
export function resolveStrategy(...layers: (Partial<SupervisorStrategy> | undefined)[]): SupervisorStrategy {
  let merged: SupervisorStrategy = defaultStrategy;
  for (const layer of layers) if (layer) merged = { ...merged, ...definedOnly(layer) };
  validateStrategy(merged);
  return Object.freeze({
    ...merged,
    budget: Object.freeze({ ...merged.budget }),
    backoff: Object.freeze({ ...merged.backoff }),
  });
}

function definedOnly(layer: Partial<SupervisorStrategy>): Partial<SupervisorStrategy> {
  const out: { -readonly [K in keyof SupervisorStrategy]?: SupervisorStrategy[K] } = {};
  if (layer.decider !== undefined) out.decider = layer.decider;
  if (layer.budget !== undefined) out.budget = layer.budget;
  if (layer.backoff !== undefined) out.backoff = layer.backoff;
  if (layer.whenBudgetExceeded !== undefined) out.whenBudgetExceeded = layer.whenBudgetExceeded;
  return out;
}

export function validateStrategy(s: SupervisorStrategy): void {
  if (typeof s.decider !== 'function') throw new ConfigError('supervision.decider', 'must be a function', typeof s.decider);
  const { maxRestarts, withinMs } = s.budget;
  if (!Number.isInteger(maxRestarts) || maxRestarts < 0) {
    throw new ConfigError('supervision.budget.maxRestarts', 'must be an integer >= 0', maxRestarts);
  }
  if (!(withinMs > 0) || !Number.isFinite(withinMs)) {
    throw new ConfigError('supervision.budget.withinMs', 'must be a finite number > 0', withinMs);
  }
  const { initialMs, maxMs, factor } = s.backoff;
  if (!(initialMs >= 0) || !Number.isFinite(initialMs)) {
    throw new ConfigError('supervision.backoff.initialMs', 'must be a finite number >= 0', initialMs);
  }
  if (!(maxMs >= initialMs) || !Number.isFinite(maxMs)) {
    throw new ConfigError('supervision.backoff.maxMs', 'must be a finite number >= initialMs', maxMs);
  }
  if (!(factor >= 1) || !Number.isFinite(factor)) {
    throw new ConfigError('supervision.backoff.factor', 'must be a finite number >= 1', factor);
  }
  if (s.whenBudgetExceeded !== 'stop' && s.whenBudgetExceeded !== 'escalate') {
    throw new ConfigError('supervision.whenBudgetExceeded', "must be 'stop' or 'escalate'", s.whenBudgetExceeded);
  }
}

export type RestartVerdict =
  | { readonly allowed: true; readonly delayMs: number; readonly history: readonly number[] }
  | { readonly allowed: false; readonly fallback: 'stop' | 'escalate'; readonly history: readonly number[] };

/**
 * Given the times of earlier restarts and now, may the actor restart again, and after how long?
 * `history` is the window to keep: older entries pruned, plus `now` when the restart is allowed.
 * Backoff grows with restarts inside the window, so an actor that has been quiet for a whole
 * window restarts quickly again.
 */
export function decideRestart(
  restartTimes: readonly number[],
  now: number,
  strategy: Pick<SupervisorStrategy, 'budget' | 'backoff' | 'whenBudgetExceeded'>,
): RestartVerdict {
  const since = now - strategy.budget.withinMs;
  const recent = restartTimes.filter((t) => t > since);
  if (recent.length >= strategy.budget.maxRestarts) {
    return { allowed: false, fallback: strategy.whenBudgetExceeded, history: recent };
  }
  return { allowed: true, delayMs: backoffDelay(recent.length, strategy.backoff), history: [...recent, now] };
}
