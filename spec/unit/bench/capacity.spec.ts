import { strict as assert } from 'node:assert';
import {
  CAPACITY_CRITERIA, capacityPathOf, capacityProblems, capacityRates, capacityRatio, representativeStep, shouldContinue, stepVerdict,
  type CapacityStep,
} from '../../../scripts/bench/capacity.js';
import type { RunTotals } from '../../../scripts/bench/report.js';

/** A step's totals: what matters to the verdict, the rest neutral. */
function totals(acceptedPerSec: number, receiptP99: number | null, over: Partial<RunTotals> = {}): RunTotals {
  return {
    role: 'gateway', generators: 1, sent: 100, accepted: 100, rejected: 0, rejectedByStatus: {}, errors: 0,
    receiptsExpected: 100, receiptsMatched: 100, missing: 0, duplicates: 0, unknown: 0, sendSec: 20,
    submitsPerSec: acceptedPerSec, acceptedPerSec, deliveredPerSec: acceptedPerSec, receiptRatePerSec: acceptedPerSec,
    latency: { respP50: 1, respP99: 5, respMax: 9, receiptP50: 60, receiptP99, receiptMax: 900 },
    problems: [], ...over,
  };
}

const step = (n: number, rate: number, held: boolean, t = totals(rate, 100)): CapacityStep => ({ step: n, rate, held, reasons: held ? [] : ['x'], totals: t });

describe('bench: capacity steps', () => {
  it('plans steady steps x1.25 from the start rate up to the highest rate', () => {
    assert.deepEqual(capacityRates(400, 1.25, 2000), [400, 500, 625, 781, 977, 1221, 1526, 1907]);
    assert.deepEqual(capacityRates(200, 1.5, 200), [200], 'always the first step');
    assert.deepEqual(capacityRates(1, 1.25, 3), [1, 2, 3], 'rounding never repeats a rate');
    assert.equal(capacityRates(200, 1.25, 10_000).length, 18);
    assert.throws(() => capacityRates(100, 1, 1000), RangeError);
    assert.throws(() => capacityRates(0, 1.25, 1000), RangeError);
  });

  it('holds a step with accepted ≥ 99 % of its rate, every receipt back and receipt p99 ≤ 2 s', () => {
    assert.deepEqual(stepVerdict(totals(990, 2000), 1000), { held: true, reasons: [] });
    assert.deepEqual(stepVerdict(totals(989.9, 150), 1000).reasons, ['accepted 989.9/s < 990/s (99 % of 1000/s)']);
    assert.deepEqual(stepVerdict(totals(1000, 2001), 1000).reasons, ['receipt p99 2001 ms > 2000 ms']);
    assert.deepEqual(stepVerdict(totals(1000, 1500, { missing: 12 }), 1000).reasons, ['12 receipts not back within the drain']);
    assert.deepEqual(stepVerdict(totals(1000, null), 1000).reasons, ['no receipt latency']);
    assert.deepEqual(stepVerdict(totals(1000, null, { receiptsExpected: 0 }), 1000), { held: true, reasons: [] }, 'no receipts asked: acceptance decides');
    const bad = stepVerdict(totals(500, 9000, { errors: 3, rejected: 2 }), 1000);
    assert.equal(bad.held, false);
    assert.equal(bad.reasons.length, 4);
    assert.deepEqual(CAPACITY_CRITERIA, { acceptedShare: 0.99, receiptP99Ms: 2000 });
  });

  it('stops a path at its first step that does not hold and reports the highest rate held', () => {
    assert.equal(shouldContinue([]), true);
    assert.equal(shouldContinue([step(1, 400, true)]), true);
    assert.equal(shouldContinue([step(1, 400, true), step(2, 500, false)]), false);
    const rates = [400, 500, 625, 781];
    const gw = capacityPathOf('gateway', [step(1, 400, true), step(2, 500, true), step(3, 625, false)], rates);
    assert.equal(gw.highestHeld, 500);
    assert.equal(gw.atMaxRate, false);
    assert.equal(representativeStep(gw)!.rate, 500);
    const bare = capacityPathOf('baseline', rates.map((r, i) => step(i + 1, r, true)), rates);
    assert.equal(bare.highestHeld, 781);
    assert.equal(bare.atMaxRate, true, 'held the highest rate tried: at least that much');
    assert.deepEqual(capacityRatio(gw, bare), { ratio: 0.64, ratioIsUpperBound: true });
    const none = capacityPathOf('gateway', [step(1, 400, false)], rates);
    assert.equal(none.highestHeld, null);
    assert.equal(representativeStep(none)!.rate, 400, 'none held: the first step stands for the path');
    assert.deepEqual(capacityRatio(none, bare), { ratio: null, ratioIsUpperBound: false });
    assert.deepEqual(capacityRatio(gw, undefined), { ratio: null, ratioIsUpperBound: false });
    const bareStopped = capacityPathOf('baseline', [step(1, 400, true), step(2, 500, true), step(3, 625, true), step(4, 781, false)], rates);
    assert.deepEqual(capacityRatio(gw, bareStopped), { ratio: 0.8, ratioIsUpperBound: false });
  });

  it('fails the run for duplicates or unknown receipts in any step, not for the step that fell behind', () => {
    const behind = step(3, 625, false, totals(600, 5000, { role: 'gateway 625/s', missing: 40, problems: ['gateway 625/s: 40 receipts missing'] }));
    const p = capacityPathOf('gateway', [step(1, 400, true), behind], [400, 500, 625]);
    assert.deepEqual(capacityProblems(p), []);
    const dup = step(2, 500, false, totals(500, 5000, { role: 'gateway 500/s', duplicates: 2, unknown: 1 }));
    assert.deepEqual(capacityProblems(capacityPathOf('gateway', [dup], [500])), ['gateway 500/s: 2 duplicate receipts', 'gateway 500/s: 1 receipts for unknown ids']);
    const heldDup = step(1, 400, true, totals(400, 100, { problems: ['gateway 400/s: 1 duplicate receipts'] }));
    assert.deepEqual(capacityProblems(capacityPathOf('gateway', [heldDup], [400])), ['gateway 400/s: 1 duplicate receipts']);
  });
});
