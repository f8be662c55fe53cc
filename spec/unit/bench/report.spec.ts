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
import { runCostOf, type GroupTicks } from '../../../scripts/bench/cpu-cost.js';
import { capacityPathOf, capacityRatio, CAPACITY_CRITERIA } from '../../../scripts/bench/capacity.js';
import { capacityTable, costTable } from '../../../scripts/bench/report.js';
import { renderBenchHtml } from '../../../scripts/bench/report-html.js';
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

describe('bench: cost and capacity in the reports', () => {
  const ticks = (inPath: boolean, gateway: number): GroupTicks[] => [
    { group: 'gateway', pids: [11], ticks: gateway, inPath },
    { group: 'broker', pids: [12], ticks: 2410, inPath },
    { group: 'redis', pids: [13], ticks: 570, inPath },
    { group: 'generator', pids: [14], ticks: 570, inPath: true },
    { group: 'simulator', pids: [15], ticks: 520, inPath: true },
  ];
  const kafka = { prefix: 'p.', before: {}, after: { 'p.messages': 2000, 'p.events': 8000 }, internalBefore: { __consumer_offsets: 5 }, internalAfter: { __consumer_offsets: 105 } };
  const withCost = (t: ReturnType<typeof totalsOf>, inPath: boolean) => ({
    ...t,
    cost: runCostOf({
      windowSec: 11, receiptsExpected: t.receiptsExpected, receiptsMatched: t.receiptsMatched, accepted: t.accepted, clkTck: 100,
      groups: ticks(inPath, inPath ? 4910 : 30),
      ...(inPath ? { kafka, redis: { before: { get: 1 }, after: { get: 4001, evalsha: 7000 } } } : { redis: { before: {}, after: { info: 2 } } }),
    }),
  });
  const report = (extra: Partial<BenchReport> = {}): BenchReport => {
    const baseline = withCost(totalsOf('baseline', [loadReport(1000, 10, 100)]), false);
    const gateway = withCost(totalsOf('gateway', [loadReport(1000, 10, 400)]), true);
    const runs = { baseline, gateway };
    return {
      schema: BENCH_SCHEMA,
      scenario: { ...SCENARIOS.steady, durationSec: 10 },
      settings: { nodes: 1, threads: 'default', partitions: 12, receiptDelayMs: 50, drainSec: 30, warmupSec: 5, profile: false, seed: 1 },
      startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:01:00Z',
      machine: { cores: 2, cpuModel: 'Test CPU', memTotalMb: 1000, node: 'v20', loadAvgStart: [1, 2, 3], loadAvgEnd: [1.5, 2, 3] },
      runs, ratio: ratioOf(gateway, baseline), rss: { series: [], summary: [] }, profiles: [], files: ['gateway-1.html'], verdict: verdictOf(runs),
      ...extra,
    };
  };

  it('shows CPU per delivered message of each group, the cost ratio, Kafka records and Redis commands per message', () => {
    const r = report();
    const t = costTable(r)!;
    assert.deepEqual(t.rows.map((x) => x[0]), ['baseline', 'gateway']);
    const col = (name: string) => t.head.indexOf(name);
    const gw = t.rows[1]!;
    assert.equal(gw[col('messages')], '1,000 delivered');
    assert.equal(gw[col('gateway ms/msg')], '49.100');
    assert.equal(gw[col('broker ms/msg')], '24.100');
    assert.equal(gw[col('generator + simulator ms/msg')], '10.900');
    assert.equal(gw[col('gateway ÷ (generator + simulator)')], '4.505');
    assert.equal(gw[col('Kafka records/msg')], '10.00');
    assert.equal(gw[col('Redis commands/msg')], '11.00');
    // The bare path: the gateway beside it, idle, in parentheses; no ratio; its own SMPP cost.
    const bare = t.rows[0]!;
    assert.equal(bare[col('gateway ms/msg')], '(0.300)');
    assert.equal(bare[col('gateway ÷ (generator + simulator)')], '-');
    assert.equal(bare[col('generator + simulator ms/msg')], '10.900');
    assert.equal(bare[col('path ms/msg')], '10.900');

    const md = renderMarkdown(r);
    assert.match(md, /\*\*Cost per message\*\*/);
    assert.match(md, /\| gateway \| 1,000 delivered \| 11\.0 \| 49\.100 \| 24\.100 \| 5\.700 \| 5\.700 \| 5\.200 \| 10\.900 \| 89\.800 \| 4\.505 \|/);
    assert.match(md, /- gateway: CPU seconds over the 11\.0 s window: gateway 49\.10, broker 24\.10, Redis 5\.70, generator 5\.70, simulator 5\.20/);
    assert.match(md, /Kafka: 10,000 records on the run's topics, 10\.00 per accepted message: events 8\.00, messages 2\.00; internal topics \(the whole broker\): __consumer_offsets \+100/);
    assert.match(md, /Redis: 11,000 commands, 11\.00 per accepted message: evalsha 7\.00, get 4\.00/);
    assert.match(md, /gateway 0\.30 \(idle, not in the path\)/);
    assert.match(md, /the whole path per delivered message: 89\.800 ms through the gateway, 10\.900 ms on the bare SMPP path \(8\.2x\)/);

    const html = renderBenchHtml(r, md);
    assert.match(html, /<h2>Cost per message<\/h2>/);
    assert.match(html, /<th>gateway ÷ \(generator \+ simulator\)<\/th>/);
    assert.match(html, /<td>4\.505<\/td>/);
    assert.ok(!html.includes('<h2>Capacity</h2>'));

    // A report without cost figures (older runs, the warm-up) renders as before.
    const { cost: _c, ...plainGateway } = r.runs.gateway;
    const plain = report({ runs: { gateway: plainGateway } });
    assert.equal(costTable(plain), undefined);
    assert.ok(!renderMarkdown(plain).includes('Cost per message'));
  });

  it('shows every capacity step, the highest rate each path holds and their ratio', () => {
    const rates = [400, 500, 625];
    const st = (path: string, n: number, rate: number, held: boolean, reasons: string[] = []) => ({
      step: n, rate, held, reasons, totals: withCost(totalsOf(`${path} ${rate}/s`, [loadReport(rate * 10, 10, held ? 100 : 2500)]), path === 'gateway'),
    });
    const baseline = capacityPathOf('baseline', rates.map((r, i) => st('baseline', i + 1, r, true)), rates);
    const gateway = capacityPathOf('gateway', [st('gateway', 1, 400, true), st('gateway', 2, 500, false, ['receipt p99 2600 ms > 2000 ms'])], rates);
    const capacity = { startRate: 400, factor: 1.25, stepSec: 10, maxRate: 625, criteria: { ...CAPACITY_CRITERIA }, baseline, gateway, ...capacityRatio(gateway, baseline) };
    const r = report({ scenario: { ...SCENARIOS.capacity, rate: 400, durationSec: 10 }, capacity });
    const t = capacityTable(r)!;
    assert.equal(t.rows.length, 5);
    assert.deepEqual(t.rows.map((x) => [x[0], x[2], x.at(-1)]), [
      ['bare SMPP', '400', 'yes'], ['bare SMPP', '500', 'yes'], ['bare SMPP', '625', 'yes'],
      ['gateway', '400', 'yes'], ['gateway', '500', 'no: receipt p99 2600 ms > 2000 ms'],
    ]);
    assert.equal(t.rows[3]![t.head.indexOf('gateway ÷ (generator + simulator)')], '4.505');
    const md = renderMarkdown(r);
    assert.match(md, /load: steady steps from 400 submit_sm\/s, x1\.25 per step up to 10000\/s, 10 s each/);
    assert.match(md, /\*\*Capacity\*\* \(steady steps of 10 s from 400\/s, x1\.25 per step, up to 625\/s; a step holds with accepted ≥ 99 % of its rate, every receipt back and receipt p99 ≤ 2,000 ms\): the bare SMPP path holds at least 625\/s, the gateway 400\/s: \*\*ratio ≤ 0\.640\*\*/);
    assert.match(md, /\| gateway \| 2 \| 500 \|/);
    const html = renderBenchHtml(r, md);
    assert.match(html, /<h2>Capacity<\/h2><p><b>Capacity<\/b> \(steady steps/);
    assert.match(html, /<b>ratio ≤ 0\.640<\/b>/);
  });
});
