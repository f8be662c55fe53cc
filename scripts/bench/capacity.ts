/**
 * The capacity scenario as arithmetic: the step rates, whether a step held, the highest rate
 * each path holds and the gateway's share of the bare path's. Pure.
 *
 * A step is one steady load generator run at the step's rate (the same generator, report and
 * totals as every other scenario). It holds when the customers got at least 99 % of the rate
 * accepted, every receipt came back within the drain, and the receipt p99 stayed within 2 s.
 * A path stops at its first step that does not hold (or after the step at the highest rate).
 */
import type { RunTotals } from './report.js';

export interface CapacityCriteria {
  /** accepted/s ≥ this share of the step's rate. */
  acceptedShare: number;
  /** submit → receipt p99 at most this, ms. */
  receiptP99Ms: number;
}

export const CAPACITY_CRITERIA: Readonly<CapacityCriteria> = Object.freeze({ acceptedShare: 0.99, receiptP99Ms: 2000 });

/**
 * The step rates: start, start·f, start·f², ... (rounded to whole messages per second) while
 * they stay at most `maxRate`; always at least the first step.
 */
export function capacityRates(start: number, factor: number, maxRate: number, maxSteps = 100): number[] {
  if (!(start > 0) || !(factor > 1)) throw new RangeError(`capacity steps need a start rate > 0 and a factor > 1 (got ${start}, ${factor})`);
  const rates = [Math.round(start)];
  for (let i = 1; i < maxSteps; i++) {
    const r = Math.round(start * factor ** i);
    if (r > maxRate) break;
    if (r > rates[rates.length - 1]!) rates.push(r);
  }
  return rates;
}

export interface StepVerdict {
  held: boolean;
  /** Why not, in words; empty when it held. */
  reasons: string[];
}

export function stepVerdict(t: Pick<RunTotals, 'acceptedPerSec' | 'receiptsExpected' | 'missing' | 'errors' | 'rejected' | 'latency'>, rate: number, c: CapacityCriteria = CAPACITY_CRITERIA): StepVerdict {
  const reasons: string[] = [];
  const floor = Math.round(rate * c.acceptedShare * 10) / 10;
  if (t.acceptedPerSec < floor) reasons.push(`accepted ${t.acceptedPerSec}/s < ${floor}/s (${Math.round(c.acceptedShare * 100)} % of ${rate}/s)`);
  if (t.receiptsExpected > 0) {
    if (t.missing > 0) reasons.push(`${t.missing} receipts not back within the drain`);
    const p99 = t.latency.receiptP99;
    if (p99 === null) reasons.push('no receipt latency');
    else if (p99 > c.receiptP99Ms) reasons.push(`receipt p99 ${Math.round(p99)} ms > ${c.receiptP99Ms} ms`);
  }
  if (t.errors > 0) reasons.push(`${t.errors} submits failed or unanswered`);
  if (t.rejected > 0) reasons.push(`${t.rejected} submits rejected`);
  return { held: reasons.length === 0, reasons };
}

export interface CapacityStep {
  /** 1-based. */
  step: number;
  /** Target submit_sm/s over every generator. */
  rate: number;
  held: boolean;
  reasons: string[];
  totals: RunTotals;
}

export interface CapacityPath {
  path: 'baseline' | 'gateway';
  steps: CapacityStep[];
  /** The highest rate held (every step below it held too); null when the first step did not. */
  highestHeld: number | null;
  /** Also the step at the highest rate tried held: the path holds at least `highestHeld`. */
  atMaxRate: boolean;
}

export interface CapacityReport {
  startRate: number;
  factor: number;
  stepSec: number;
  maxRate: number;
  criteria: CapacityCriteria;
  baseline?: CapacityPath;
  gateway: CapacityPath;
  /** gateway highestHeld ÷ baseline highestHeld; null when either held nothing. */
  ratio: number | null;
  /** The ratio is only a bound: the bare path held up to the highest rate tried. */
  ratioIsUpperBound: boolean;
}

/** Keeps stepping after `steps` (the ones run so far, in order)? */
export function shouldContinue(steps: readonly Pick<CapacityStep, 'held'>[]): boolean {
  return steps.length === 0 || steps[steps.length - 1]!.held;
}

export function capacityPathOf(path: CapacityPath['path'], steps: CapacityStep[], rates: readonly number[]): CapacityPath {
  let highestHeld: number | null = null;
  for (const s of steps) {
    if (!s.held) break;
    highestHeld = s.rate;
  }
  const last = steps[steps.length - 1];
  return { path, steps, highestHeld, atMaxRate: last !== undefined && last.held && last.rate === rates[rates.length - 1] };
}

export function capacityRatio(gateway: CapacityPath, baseline: CapacityPath | undefined): { ratio: number | null; ratioIsUpperBound: boolean } {
  if (!baseline || gateway.highestHeld === null || baseline.highestHeld === null) return { ratio: null, ratioIsUpperBound: false };
  return { ratio: Math.round((gateway.highestHeld / baseline.highestHeld) * 1000) / 1000, ratioIsUpperBound: baseline.atMaxRate };
}

/**
 * The step whose totals stand for the path in the runs table: the highest that held, or the
 * first when none did.
 */
export function representativeStep(p: CapacityPath): CapacityStep | undefined {
  const held = p.steps.filter((s) => s.held);
  return held[held.length - 1] ?? p.steps[0];
}

/**
 * What fails a capacity run: a step falling behind is its result, not a failure; a duplicate
 * or unknown receipt is, in any step, and so is anything the step that held reported.
 */
export function capacityProblems(p: CapacityPath): string[] {
  const out: string[] = [];
  for (const s of p.steps) {
    if (s.held) out.push(...s.totals.problems);
    else {
      if (s.totals.duplicates) out.push(`${s.totals.role}: ${s.totals.duplicates} duplicate receipts`);
      if (s.totals.unknown) out.push(`${s.totals.role}: ${s.totals.unknown} receipts for unknown ids`);
    }
  }
  return out;
}
