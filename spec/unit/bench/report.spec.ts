import { strict as assert } from 'node:assert';
import { Accounting } from '../../../scripts/loadgen/accounting.js';
import { buildReport, type LoadReport } from '../../../scripts/loadgen/report.js';
import { parseVmRssMb } from '../../../scripts/bench/rss.js';
import {
  BENCH_SCHEMA, deliverySpanSec, receivingSpanSec, problemsOf, ratioOf, renderMarkdown, rssSummary, slope, throttlePace, totalsOf, verdictOf,
  type BenchReport,
} from '../../../scripts/bench/report.js';
import { SCENARIOS } from '../../../scripts/bench/scenarios.js';
import { summarizeProfiles } from '../../../scripts/bench/cpu-profile.js';
import { Status } from '../../../src/smpp/status.js';
import { fixtureProfile } from './fixture-profile.js';

/**
 * A generator's report: `n` messages submitted over `sendSec` seconds, each receipted
 * `receiptAfterMs` later, except the ids in `lose`.
 */
function loadReport(n: number, sendSec: number, receiptAfterMs: number, lose: number[] = [], respMs = 2): LoadReport {
  const acc = new Accounting({ startMs: 0 });
  for (let i = 0; i < n; i++) {
    const at = Math.floor((i * sendSec * 1000) / n);
    const s = acc.newMessage(1, 'gsm');
    acc.submitted(s, at);
    acc.responded(s, at + respMs, Status.ESME_ROK, `m${i}`);
    if (!lose.includes(i)) acc.receipt(at + receiptAfterMs, `m${i}`, 'DELIVRD');
  }
  const endMs = sendSec * 1000 + receiptAfterMs + 100;
  return buildReport(acc.summary(endMs), {
    label: 'unit', target: { host: '127.0.0.1', port: 1 }, startedAt: '', finishedAt: '', options: {},
    phases: { bindMs: 10, sendMs: sendSec * 1000, drainMs: receiptAfterMs + 100, totalMs: endMs + 10 },
    binds: { wanted: 1, bound: 1, failures: {}, drops: 0 },
  }, ['missing', 'duplicates']);
}

describe('bench: report math', () => {
  it('measures delivery up to the last second with a receipt', () => {
    // 100 messages over 10 s, each receipted 2.5 s later: the last one (sent at 9.9 s) at 12.4 s.
    assert.equal(deliverySpanSec(loadReport(100, 10, 2500)), 13);
    assert.equal(deliverySpanSec(loadReport(100, 10, 50)), 10);
    // Receipts came from second 2 to second 12: 11 seconds of receiving.
    assert.equal(receivingSpanSec(loadReport(100, 10, 2500)), 11);
  });

  it('adds up the generators of one run and takes the worst latency', () => {
    const a = loadReport(100, 10, 500, [], 2);
    const b = loadReport(50, 10, 500, [3, 4], 9);
    const t = totalsOf('gateway', [a, b]);
    assert.equal(t.generators, 2);
    assert.equal(t.sent, 150);
    assert.equal(t.accepted, 150);
    assert.equal(t.receiptsMatched, 148);
    assert.equal(t.missing, 2);
    assert.equal(t.acceptedPerSec, 15);
    assert.equal(t.deliveredPerSec, Math.round((100 / 11 + 48 / 11) * 10) / 10);
    assert.ok(t.latency.respP50! >= 8.9 && t.latency.respP50! <= 9.1, `worst p50 ${t.latency.respP50}`);
    assert.deepEqual(t.problems, ['gateway: 2 receipts missing']);
  });

  it('gives the gateway as a ratio of the bare path, end to end and at acceptance', () => {
    const base = totalsOf('baseline', [loadReport(200, 10, 100)]);
    const gw = totalsOf('gateway', [loadReport(100, 10, 100)]);
    assert.deepEqual(ratioOf(gw, base), { accepted: 0.5, delivered: 0.5 });
    assert.deepEqual(ratioOf(gw, { ...base, acceptedPerSec: 0, deliveredPerSec: 0 }), { accepted: null, delivered: null });
  });

  it('judges the throttled run by the provider it could use, and fails a slow one', () => {
    const gw = totalsOf('gateway', [loadReport(100, 2, 100)]);
    assert.equal(gw.acceptedPerSec, 50);
    const pace = throttlePace({ providerRate: 50, providerBinds: 1, simulatorMaxPerSec: 40 }, { ...gw, receiptRatePerSec: 38 }, 12);
    assert.deepEqual(pace, { providerPerSec: 40, expectedPerSec: 40, deliveredPerSec: 38, pace: 0.95, simulatorThrottled: 12 });
    assert.equal(verdictOf({ gateway: gw }, pace).ok, true);
    const slow = throttlePace({ providerRate: 50, providerBinds: 1, simulatorMaxPerSec: undefined }, { ...gw, receiptRatePerSec: 20 }, 0);
    assert.deepEqual(verdictOf({ gateway: gw }, slow).problems, ['gateway: delivered 20/s, under 80 % of the 50/s the provider (50/s) and the load allowed']);
    // Customers that sent less than the provider takes are the limit, not the provider.
    const light = throttlePace({ providerRate: 100, providerBinds: 1, simulatorMaxPerSec: undefined }, { ...gw, receiptRatePerSec: 45 }, 0);
    assert.deepEqual([light.expectedPerSec, light.pace], [50, 0.9]);
  });

  it('counts every kind of loss as a problem, in every run', () => {
    const p = problemsOf({ role: 'baseline', sent: 10, missing: 1, duplicates: 2, unknown: 3, errors: 4, rejected: 5, rejectedByStatus: { ESME_RTHROTTLED: 5 } });
    assert.equal(p.length, 5);
    assert.match(p[4]!, /5 submits rejected \(ESME_RTHROTTLED 5\)/);
    assert.deepEqual(problemsOf({ role: 'x', sent: 0, missing: 0, duplicates: 0, unknown: 0, errors: 0, rejected: 0, rejectedByStatus: {} }), ['x: nothing was sent']);
    const ok = totalsOf('gateway', [loadReport(10, 1, 10)]);
    const bad = totalsOf('baseline', [loadReport(10, 1, 10, [1])]);
    assert.deepEqual(verdictOf({ baseline: bad, gateway: ok }).problems, ['baseline: 1 receipts missing']);
  });

  it('reads RSS from /proc status text and gives growth only over a long enough second half', () => {
    assert.equal(parseVmRssMb('Name:\tnode\nVmRSS:\t  204800 kB\nVmSwap:\t 0 kB\n'), 200);
    assert.equal(parseVmRssMb('Name:\tnode\n'), undefined);
    assert.equal(slope([0, 1, 2], [1, 3, 5]), 2);
    assert.equal(slope([1], [1]), null);
    const t = Array.from({ length: 21 }, (_, i) => i * 10);
    // Flat at first (start-up noise), then +1 MB per 10 s = 360 MB/h.
    const mb = t.map((x) => (x < 100 ? 150 + (x % 20) : 150 + (x - 100) / 10));
    const s = rssSummary({ node: 'n1', pid: 1, t, rssMb: mb });
    assert.equal(s.growthMbPerHour, 360);
    assert.deepEqual([s.samples, s.firstMb, s.maxMb], [21, 150, 160]);
    assert.equal(rssSummary({ node: 'n1', pid: 1, t: [0, 5, 10], rssMb: [1, 2, 3] }).growthMbPerHour, null);
  });

  it('prints the summary with both runs, the ratio, RSS, the profile and the verdict', () => {
    const baseline = totalsOf('baseline', [loadReport(200, 10, 100)]);
    const gateway = totalsOf('gateway', [loadReport(190, 10, 400)]);
    const runs = { baseline, gateway };
    const r: BenchReport = {
      schema: BENCH_SCHEMA,
      scenario: { ...SCENARIOS.steady, durationSec: 10 },
      settings: { nodes: 1, threads: 'default', partitions: 12, receiptDelayMs: 50, drainSec: 30, warmupSec: 5, profile: true, seed: 1 },
      startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:01:00Z',
      machine: { cores: 2, cpuModel: 'Test CPU', memTotalMb: 1000, node: 'v20', loadAvgStart: [1, 2, 3], loadAvgEnd: [1.5, 2, 3] },
      runs, ratio: ratioOf(gateway, baseline),
      rss: { series: [], summary: [{ node: 'n1', samples: 3, firstMb: 100, lastMb: 120, minMb: 100, maxMb: 121, growthMbPerHour: null }] },
      profiles: [{ name: 'node n1', summary: summarizeProfiles([fixtureProfile()]) }],
      files: [], verdict: verdictOf(runs),
    };
    const md = renderMarkdown(r);
    assert.match(md, /^## steady: single-part messages at a fixed rate/);
    assert.match(md, /\| baseline \| 200 \| 200 \| 0 \| 0 \| 200 \| 0 \| 0 \| 20\.0 \|/);
    assert.match(md, /\| gateway \| 190 \| 190 \|/);
    assert.match(md, /\*\*Gateway \/ bare SMPP\*\*: delivered 0\.951, accepted 0\.950/);
    assert.match(md, /\| n1 \| 3 \| 100\.0 \| 100\.0 \| 121\.0 \| 120\.0 \| - \|/);
    assert.match(md, /`send`/);
    assert.match(md, /load average 1\.00 2\.00 3\.00 at the start/);
    assert.match(md, /Result: OK, nothing lost\./);
  });
});
