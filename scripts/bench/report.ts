/**
 * The benchmark's combined report: totals of each run over its generators, the gateway's
 * throughput as a ratio of the bare SMPP path, the throttled provider's pace, RSS growth, and
 * the markdown summary. Pure: load generator reports and samples in, data and text out.
 */
import type { LoadReport } from '../loadgen/report.js';
import type { CapacityReport } from './capacity.js';
import type { CpuGroupName, RunCost } from './cpu-cost.js';
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
  /** CPU of each process group, Kafka records and Redis commands per message (not for the warm-up). */
  cost?: RunCost;
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
  settings: { edge?: 'smpp' | 'http'; nodes: number; threads: number | 'default'; partitions: number; receiptDelayMs: number; drainSec: number; warmupSec: number; profile: boolean; seed: number };
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  runs: { warmup?: RunTotals; baseline?: RunTotals; gateway: RunTotals };
  ratio?: Ratio;
  throttle?: ThrottlePace;
  simulator?: Record<string, number>;
  rss: { series: RssSeries[]; summary: RssSummary[] };
  profiles: { name: string; summary: ProfileSummary }[];
  /** The capacity scenario's steps and the highest rate each path holds. */
  capacity?: CapacityReport;
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

export function verdictOf(runs: BenchReport['runs'], throttle?: ThrottlePace, capacityProblems?: readonly string[]): BenchReport['verdict'] {
  // A capacity run is judged by its steps (a step falling behind is a result, not a failure).
  const problems = capacityProblems ? [...(runs.warmup?.problems ?? []), ...capacityProblems]
    : [...(runs.warmup?.problems ?? []), ...(runs.baseline?.problems ?? []), ...runs.gateway.problems];
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

/** A table as data, rendered as markdown here and as HTML by report-html.ts. */
export interface Table {
  head: string[];
  rows: string[][];
}

export function markdownTable(t: Table): string {
  return [`| ${t.head.join(' | ')} |`, `|${t.head.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const GROUP_LABEL: Record<CpuGroupName, string> = { gateway: 'gateway', broker: 'broker', redis: 'Redis', generator: 'generator', simulator: 'simulator' };
const msMsg = (n: number | null | undefined) => fmt(n, 3);

/** The runs that carry cost figures, in the report's order. */
function costRuns(r: BenchReport): RunTotals[] {
  return [r.runs.baseline, r.runs.gateway].filter((t): t is RunTotals => t?.cost !== undefined);
}

/**
 * CPU per message of each process group per run, the cost ratio, Kafka records and Redis
 * commands per message. A group outside the run's path (the gateway, broker and Redis beside
 * the bare path) is shown in parentheses: what it spent idle meanwhile.
 */
export function costTable(r: BenchReport): Table | undefined {
  const runs = costRuns(r);
  if (runs.length === 0) return undefined;
  const groups: CpuGroupName[] = ['gateway', 'broker', 'redis', 'generator', 'simulator'];
  const head = ['run', 'messages', 'window s', ...groups.map((g) => `${GROUP_LABEL[g]} ms/msg`), 'generator + simulator ms/msg', 'path ms/msg',
    'gateway ÷ (generator + simulator)', 'with broker + Redis', 'Kafka records/msg', 'Redis commands/msg'];
  const rows = runs.map((t) => {
    const c = t.cost!;
    const cell = (g: CpuGroupName) => {
      const x = c.groups.find((y) => y.group === g);
      if (!x || x.pids.length === 0) return '-';
      return x.inPath ? msMsg(x.msPerMessage) : `(${msMsg(x.msPerMessage)})`;
    };
    return [t.role, `${fmt(c.messages)} ${c.messagesAre}`, fmt(c.windowSec, 1), ...groups.map(cell), msMsg(c.smppMsPerMessage), msMsg(c.pathMsPerMessage),
      fmt(c.costRatio, 3), fmt(c.costRatioWithInfra, 3), fmt(c.kafka?.recordsPerMessage, 2), fmt(c.redis?.commandsPerMessage, 2)];
  });
  return { head, rows };
}

/** Every step of a capacity run, both paths. */
export function capacityTable(r: BenchReport): Table | undefined {
  const c = r.capacity;
  if (!c) return undefined;
  const head = ['path', 'step', 'rate/s', 'accepted/s', 'delivered/s', 'receipt p50/p99 ms', 'gateway ms/msg', 'path ms/msg', 'gateway ÷ (generator + simulator)', 'held'];
  const rows: string[][] = [];
  for (const p of [c.baseline, c.gateway]) {
    if (!p) continue;
    for (const s of p.steps) {
      const t = s.totals;
      const gw = t.cost?.groups.find((g) => g.group === 'gateway' && g.inPath);
      rows.push([p.path === 'baseline' ? 'bare SMPP' : 'gateway', String(s.step), fmt(s.rate), fmt(t.acceptedPerSec, 1), fmt(t.deliveredPerSec, 1),
        `${ms(t.latency.receiptP50)} / ${ms(t.latency.receiptP99)}`, gw ? msMsg(gw.msPerMessage) : '-', msMsg(t.cost?.pathMsPerMessage), fmt(t.cost?.costRatio, 3),
        s.held ? 'yes' : `no: ${s.reasons.join('; ')}`]);
    }
  }
  return { head, rows };
}

/** The capacity scenario's result in one sentence. */
export function capacityLine(c: CapacityReport): string {
  const held = (p: CapacityReport['gateway'] | undefined) => (p === undefined ? 'not run' : p.highestHeld === null ? 'not even the first step' : `${p.atMaxRate ? 'at least ' : ''}${fmt(p.highestHeld)}/s`);
  return `**Capacity** (steady steps of ${fmt(c.stepSec)} s from ${fmt(c.startRate)}/s, x${c.factor} per step, up to ${fmt(c.maxRate)}/s; a step holds with accepted ≥ ${Math.round(c.criteria.acceptedShare * 100)} % `
    + `of its rate, every receipt back and receipt p99 ≤ ${fmt(c.criteria.receiptP99Ms)} ms): the bare SMPP path holds ${held(c.baseline)}, the gateway ${held(c.gateway)}`
    + `${c.ratio === null ? '' : `: **ratio ${c.ratioIsUpperBound ? '≤ ' : ''}${fmt(c.ratio, 3)}**`}`;
}

/** CPU seconds, Kafka records by topic and Redis commands by name, per run with figures. */
function costDetails(r: BenchReport): string[] {
  const out: string[] = [];
  for (const t of costRuns(r)) {
    const c = t.cost!;
    const cpu = c.groups.filter((g) => g.pids.length > 0).map((g) => `${GROUP_LABEL[g.group]} ${fmt(g.cpuSec, 2)}${g.inPath ? '' : ' (idle, not in the path)'}`);
    out.push(`- ${t.role}: CPU seconds over the ${fmt(c.windowSec, 1)} s window: ${cpu.join(', ')}`);
    if (c.kafka && c.kafka.records > 0) {
      const internal = Object.entries(c.kafka.internal).map(([k, n]) => `${k} +${fmt(n)}`);
      out.push(`  - Kafka: ${fmt(c.kafka.records)} records on the run's topics, ${fmt(c.kafka.recordsPerMessage, 2)} per accepted message: `
        + `${c.kafka.topics.map((x) => `${x.topic} ${fmt(x.perMessage, 2)}`).join(', ')}${internal.length ? `; internal topics (the whole broker): ${internal.join(', ')}` : ''}`);
    }
    if (c.redis && c.redis.commands > 0) {
      const top = c.redis.byCommand.slice(0, 10).map((x) => `${x.command} ${fmt(x.perMessage, 2)}`);
      out.push(`  - Redis: ${fmt(c.redis.commands)} commands, ${fmt(c.redis.commandsPerMessage, 2)} per accepted message: ${top.join(', ')}${c.redis.byCommand.length > 10 ? ', ...' : ''}`);
    }
  }
  const b = r.runs.baseline?.cost;
  const g = r.runs.gateway.cost;
  if (b?.pathMsPerMessage && g?.pathMsPerMessage) {
    out.push(`- the whole path per delivered message: ${msMsg(g.pathMsPerMessage)} ms through the gateway, ${msMsg(b.pathMsPerMessage)} ms on the bare SMPP path (${fmt(g.pathMsPerMessage / b.pathMsPerMessage, 1)}x)`);
  }
  return out;
}

export function renderMarkdown(r: BenchReport): string {
  const s = r.scenario;
  const m = r.machine;
  const out: string[] = [];
  out.push(`## ${s.name}: ${s.description}`, '');
  out.push(`- run ${r.startedAt} .. ${r.finishedAt}; ${r.settings.nodes} gateway node(s), ${r.settings.threads} stage threads each, ${r.settings.partitions} partitions`);
  const load = s.steps ? `steady steps from ${s.rate} submit_sm/s, x${s.steps.factor} per step up to ${s.steps.maxRate}/s, ${s.durationSec} s each`
    : `${s.rate === 'max' ? 'as fast as the windows allow' : `${s.rate} submit_sm/s`} for ${s.durationSec} s`;
  const edge = r.settings.edge === 'http' ? ' over the HTTP API (POST /v1/messages, receipts by webhook; the baseline over SMPP)' : '';
  out.push(`- load: ${load}${edge}; ${s.customers} customers x ${s.binds} binds, window ${s.window}; `
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
  if (r.capacity) {
    out.push(capacityLine(r.capacity), '');
    const t = capacityTable(r);
    if (t) out.push(markdownTable(t), '');
  }
  const cost = costTable(r);
  if (cost) {
    out.push('**Cost per message**: CPU of each process group (threads included) from /proc over the measured window, from the start of sending to the end of the drain, '
      + 'in ms per delivered message; Kafka records (end offsets of the run\'s topics, transaction markers included) and Redis commands '
      + '(INFO commandstats: the whole Redis, calls inside Lua scripts too) per accepted message, over the whole run. In parentheses: a process beside the path, idle meanwhile.'
      + `${r.capacity ? ' Capacity: the steps that stand for each path (the highest held).' : ''}`, '');
    out.push(markdownTable(cost), '', ...costDetails(r), '');
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
