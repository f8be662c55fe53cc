/**
 * The benchmark's combined report: totals of each run over its generators, the gateway's
 * throughput as a ratio of the bare SMPP path, the throttled provider's pace, RSS growth, and
 * the markdown summary. Pure: load generator reports and samples in, data and text out.
 */
import type { LoadReport } from '../loadgen/report.js';
import type { ProfileSummary } from './cpu-profile.js';
import { renderProfileTable } from './cpu-profile.js';
import type { Scenario } from './scenarios.js';

export const BENCH_SCHEMA = 'smsgw-bench/1';

export interface RunTotals {
  role: string;
  generators: number;
  sent: number;
  accepted: number;
  rejected: number;
  rejectedByStatus: Record<string, number>;
  /** Submits that failed or were never answered. */
  errors: number;
  receiptsExpected: number;
  receiptsMatched: number;
  /** Accepted and never receipted: lost, as far as the customer can tell. */
  missing: number;
  duplicates: number;
  unknown: number;
  /** The longest sending phase of the generators. */
  sendSec: number;
  /** Summed over the generators (they run at the same time). */
  submitsPerSec: number;
  acceptedPerSec: number;
  /** Matched receipts per second, from the start of sending to the last receipt. */
  deliveredPerSec: number;
  /** Matched receipts per second from the first second with a receipt to the last: the pace of the return flow. */
  receiptRatePerSec: number;
  /** ms; with several generators the worst generator's figure. */
  latency: { respP50: number | null; respP99: number | null; respMax: number | null; receiptP50: number | null; receiptP99: number | null; receiptMax: number | null };
  problems: string[];
}

export interface Ratio {
  /** gateway / baseline of accepted submit_sm per second. */
  accepted: number | null;
  /** gateway / baseline of receipts per second: the end-to-end figure. */
  delivered: number | null;
}

export interface ThrottlePace {
  /** What the provider takes: the lower of the gateway's contracted rate and the simulator's limit. */
  providerPerSec: number;
  /** What the gateway could deliver: the provider's rate, or less when the customers sent less. */
  expectedPerSec: number;
  /** Receipts per second while they came (first to last). */
  deliveredPerSec: number;
  /** delivered / expected: 1.0 is full pace. */
  pace: number;
  /** ESME_RTHROTTLED answers the simulator gave the gateway. */
  simulatorThrottled: number | null;
}

export interface RssSeries {
  node: string;
  pid: number;
  /** Seconds since the first sample, and RSS in MB. */
  t: number[];
  rssMb: number[];
}

export interface RssSummary {
  node: string;
  samples: number;
  firstMb: number | null;
  lastMb: number | null;
  minMb: number | null;
  maxMb: number | null;
  /** Least-squares slope over the second half of the samples (after warm-up), MB per hour; null when that half spans under 60 s. */
  growthMbPerHour: number | null;
}

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memTotalMb: number;
  node: string;
  loadAvgStart: number[];
  loadAvgEnd: number[];
}

export interface BenchReport {
  schema: typeof BENCH_SCHEMA;
  scenario: Omit<Scenario, 'rate'> & { rate: number | 'max' };
  settings: { nodes: number; threads: number | 'default'; partitions: number; receiptDelayMs: number; drainSec: number; warmupSec: number; profile: boolean; seed: number };
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  runs: { warmup?: RunTotals; baseline?: RunTotals; gateway: RunTotals };
  ratio?: Ratio;
  throttle?: ThrottlePace;
  simulator?: Record<string, number>;
  rss: { series: RssSeries[]; summary: RssSummary[] };
  profiles: { name: string; summary: ProfileSummary }[];
  files: string[];
  verdict: { ok: boolean; problems: string[] };
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Seconds from the start of sending to the end of the last second in which a receipt came. */
export function deliverySpanSec(r: LoadReport): number {
  const { t, receipts } = r.series;
  for (let i = receipts.length - 1; i >= 0; i--) if ((receipts[i] ?? 0) > 0) return (t[i] ?? i) + 1;
  return Math.max(r.phases.sendMs / 1000, 1);
}

/** Seconds from the first second with a receipt to the end of the last one. */
export function receivingSpanSec(r: LoadReport): number {
  const { t, receipts } = r.series;
  const first = receipts.findIndex((n) => n > 0);
  if (first < 0) return deliverySpanSec(r);
  return Math.max(1, deliverySpanSec(r) - (t[first] ?? first));
}

const worst = (xs: (number | null)[]): number | null => xs.reduce<number | null>((a, b) => (b === null ? a : a === null || b > a ? b : a), null);

function addTo(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

export function totalsOf(role: string, reports: readonly LoadReport[]): RunTotals {
  const sum = (f: (r: LoadReport) => number) => reports.reduce((a, r) => a + f(r), 0);
  const rejectedByStatus: Record<string, number> = {};
  reports.forEach((r) => addTo(rejectedByStatus, r.submits.rejectedByStatus));
  const t: RunTotals = {
    role,
    generators: reports.length,
    sent: sum((r) => r.submits.sent),
    accepted: sum((r) => r.submits.accepted),
    rejected: sum((r) => r.submits.rejected),
    rejectedByStatus,
    errors: sum((r) => r.submits.errors + r.submits.unanswered),
    receiptsExpected: sum((r) => r.receipts.expected),
    receiptsMatched: sum((r) => r.receipts.matched),
    missing: sum((r) => r.receipts.missing),
    duplicates: sum((r) => r.receipts.duplicates),
    unknown: sum((r) => r.receipts.unknown),
    sendSec: round1(Math.max(0, ...reports.map((r) => r.phases.sendMs / 1000))),
    submitsPerSec: round1(sum((r) => r.throughput.submitsPerSec)),
    acceptedPerSec: round1(sum((r) => r.throughput.acceptedPerSec)),
    deliveredPerSec: round1(sum((r) => r.receipts.matched / deliverySpanSec(r))),
    receiptRatePerSec: round1(sum((r) => r.receipts.matched / receivingSpanSec(r))),
    latency: {
      respP50: worst(reports.map((r) => r.latencyMs.submitResp.p50)),
      respP99: worst(reports.map((r) => r.latencyMs.submitResp.p99)),
      respMax: worst(reports.map((r) => r.latencyMs.submitResp.max)),
      receiptP50: worst(reports.map((r) => r.latencyMs.submitToReceipt.p50)),
      receiptP99: worst(reports.map((r) => r.latencyMs.submitToReceipt.p99)),
      receiptMax: worst(reports.map((r) => r.latencyMs.submitToReceipt.max)),
    },
    problems: [],
  };
  t.problems = problemsOf(t);
  return t;
}

/** What makes a run fail: anything lost, duplicated, unknown, refused or unanswered. */
export function problemsOf(t: Pick<RunTotals, 'role' | 'sent' | 'missing' | 'duplicates' | 'unknown' | 'errors' | 'rejected' | 'rejectedByStatus'>): string[] {
  const p: string[] = [];
  if (t.sent === 0) p.push(`${t.role}: nothing was sent`);
  if (t.missing) p.push(`${t.role}: ${t.missing} receipts missing`);
  if (t.duplicates) p.push(`${t.role}: ${t.duplicates} duplicate receipts`);
  if (t.unknown) p.push(`${t.role}: ${t.unknown} receipts for unknown ids`);
  if (t.errors) p.push(`${t.role}: ${t.errors} submits failed or unanswered`);
  if (t.rejected) p.push(`${t.role}: ${t.rejected} submits rejected (${Object.entries(t.rejectedByStatus).map(([k, n]) => `${k} ${n}`).join(', ')})`);
  return p;
}

const div = (a: number, b: number): number | null => (b > 0 ? round3(a / b) : null);

export function ratioOf(gateway: RunTotals, baseline: RunTotals): Ratio {
  return { accepted: div(gateway.acceptedPerSec, baseline.acceptedPerSec), delivered: div(gateway.deliveredPerSec, baseline.deliveredPerSec) };
}

export function throttlePace(s: Pick<Scenario, 'providerRate' | 'providerBinds' | 'simulatorMaxPerSec'>, gateway: RunTotals, simulatorThrottled: number | null): ThrottlePace {
  const providerPerSec = Math.min(s.providerRate * s.providerBinds, s.simulatorMaxPerSec ?? Infinity);
  const expectedPerSec = Math.min(providerPerSec, gateway.acceptedPerSec);
  const delivered = gateway.receiptRatePerSec;
  return { providerPerSec, expectedPerSec, deliveredPerSec: delivered, pace: expectedPerSec > 0 ? round3(delivered / expectedPerSec) : 0, simulatorThrottled };
}

/** Least-squares slope of y over x; null with fewer than two distinct x. */
export function slope(x: readonly number[], y: readonly number[]): number | null {
  const n = Math.min(x.length, y.length);
  if (n < 2) return null;
  let sx = 0; let sy = 0;
  for (let i = 0; i < n; i++) { sx += x[i]!; sy += y[i]!; }
  const mx = sx / n; const my = sy / n;
  let num = 0; let den = 0;
  for (let i = 0; i < n; i++) { num += (x[i]! - mx) * (y[i]! - my); den += (x[i]! - mx) ** 2; }
  return den === 0 ? null : num / den;
}

export function rssSummary(s: RssSeries): RssSummary {
  const n = s.rssMb.length;
  const half = Math.floor(n / 2);
  const tail = s.t.slice(half);
  // A slope over less than a minute says more about start-up than about growth.
  const span = tail.length ? tail[tail.length - 1]! - tail[0]! : 0;
  const perSec = span >= 60 ? slope(tail, s.rssMb.slice(half)) : null;
  return {
    node: s.node,
    samples: n,
    firstMb: n ? s.rssMb[0]! : null,
    lastMb: n ? s.rssMb[n - 1]! : null,
    minMb: n ? Math.min(...s.rssMb) : null,
    maxMb: n ? Math.max(...s.rssMb) : null,
    growthMbPerHour: perSec === null ? null : round1(perSec * 3600),
  };
}

export function verdictOf(runs: BenchReport['runs'], throttle?: ThrottlePace): BenchReport['verdict'] {
  const problems = [...(runs.warmup?.problems ?? []), ...(runs.baseline?.problems ?? []), ...runs.gateway.problems];
  // The provider takes a burst at the start of each of its seconds; a pace well under its rate
  // means the gateway did not keep up.
  if (throttle && throttle.pace < 0.8) problems.push(`gateway: delivered ${throttle.deliveredPerSec}/s, under 80 % of the ${throttle.expectedPerSec}/s the provider (${throttle.providerPerSec}/s) and the load allowed`);
  return { ok: problems.length === 0, problems };
}

// --- markdown ------------------------------------------------------------------------------

const fmt = (n: number | null | undefined, digits = 0) => (n === null || n === undefined ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const ms = (v: number | null) => (v === null ? '-' : v < 10 ? v.toFixed(2) : v.toFixed(1));

function runRow(t: RunTotals): string {
  const l = t.latency;
  return `| ${t.role} | ${fmt(t.sent)} | ${fmt(t.accepted)} | ${fmt(t.rejected)} | ${fmt(t.errors)} | ${fmt(t.receiptsMatched)} | ${fmt(t.missing)} | ${fmt(t.duplicates)} `
    + `| ${fmt(t.acceptedPerSec, 1)} | ${fmt(t.deliveredPerSec, 1)} | ${ms(l.respP50)} / ${ms(l.respP99)} | ${ms(l.receiptP50)} / ${ms(l.receiptP99)} |`;
}

export function renderMarkdown(r: BenchReport): string {
  const s = r.scenario;
  const m = r.machine;
  const out: string[] = [];
  out.push(`## ${s.name}: ${s.description}`, '');
  out.push(`- run ${r.startedAt} .. ${r.finishedAt}; ${r.settings.nodes} gateway node(s), ${r.settings.threads} stage threads each, ${r.settings.partitions} partitions`);
  out.push(`- load: ${s.rate === 'max' ? 'as fast as the windows allow' : `${s.rate} submit_sm/s`} for ${s.durationSec} s; ${s.customers} customers x ${s.binds} binds, window ${s.window}; `
    + `${Math.round(s.multipartRatio * 100)} % multi-part (${s.minParts}-${s.maxParts} parts), ${Math.round(s.ucs2Ratio * 100)} % UCS-2; receipt per ${s.receiptUnit}`);
  out.push(`- provider: simulator, receipt after ${r.settings.receiptDelayMs} ms; gateway rate ${s.providerRate}/s x ${s.providerBinds} connection(s), window ${s.providerWindow}`
    + `${s.simulatorMaxPerSec === undefined ? '' : `; the simulator throttles beyond ${s.simulatorMaxPerSec}/s`}`);
  out.push(`- machine: ${m.cores} cores (${m.cpuModel}), ${fmt(m.memTotalMb)} MB, Node.js ${m.node}; load average ${m.loadAvgStart.map((x) => x.toFixed(2)).join(' ')} at the start, ${m.loadAvgEnd.map((x) => x.toFixed(2)).join(' ')} at the end`);
  out.push('');
  out.push('| run | sent | accepted | rejected | errors | receipts | missing | dup | accepted/s | delivered/s | resp p50/p99 ms | receipt p50/p99 ms |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  if (r.runs.warmup) out.push(runRow(r.runs.warmup));
  if (r.runs.baseline) out.push(runRow(r.runs.baseline));
  out.push(runRow(r.runs.gateway));
  out.push('');
  if (r.ratio) {
    out.push(`**Gateway / bare SMPP**: delivered ${fmt(r.ratio.delivered, 3)}, accepted ${fmt(r.ratio.accepted, 3)} `
      + `(the same generator against the simulator directly, in the same run)`);
    out.push('');
  }
  if (r.throttle) {
    out.push(`**Pace against the throttled provider**: ${fmt(r.throttle.deliveredPerSec, 1)} receipts/s while they came, for a provider taking ${fmt(r.throttle.providerPerSec)}/s`
      + `${r.throttle.expectedPerSec < r.throttle.providerPerSec ? ` (the customers got only ${fmt(r.throttle.expectedPerSec, 1)}/s accepted)` : ''} = ${fmt(r.throttle.pace, 3)}`
      + `${r.throttle.simulatorThrottled === null ? '' : `; the simulator answered ESME_RTHROTTLED ${fmt(r.throttle.simulatorThrottled)} times`}`);
    out.push('');
  }
  if (r.rss.summary.length) {
    out.push('| node | RSS samples | first MB | min MB | max MB | last MB | growth MB/h (second half) |');
    out.push('|---|---|---|---|---|---|---|');
    for (const x of r.rss.summary) {
      out.push(`| ${x.node} | ${x.samples} | ${fmt(x.firstMb, 1)} | ${fmt(x.minMb, 1)} | ${fmt(x.maxMb, 1)} | ${fmt(x.lastMb, 1)} | ${fmt(x.growthMbPerHour, 1)} |`);
    }
    out.push('');
  }
  for (const p of r.profiles) {
    out.push(`CPU profile ${p.name}:`, '', renderProfileTable(p.summary), '');
  }
  out.push(r.verdict.ok ? 'Result: OK, nothing lost.' : `Result: FAILED: ${r.verdict.problems.join('; ')}`);
  out.push('');
  return out.join('\n');
}
