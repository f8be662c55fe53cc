/**
 * The run's report as data (the JSON schema), the pass/fail verdict, and its text renderings:
 * the summary printed at the end and the live progress line. Pure: no sockets, no clock.
 */
import type { AccountingSummary, LiveCounters } from './accounting.js';
import type { Percentiles } from './histogram.js';
import type { FailOn } from './options.js';

export const REPORT_SCHEMA = 'smsgw-loadgen/1';

export interface BindStats {
  /** SMPP sessions the run asked for (a pair counts two). */
  wanted: number;
  /** Sessions that were bound when sending started. */
  bound: number;
  /** Failed bind attempts, by reason (status name or error code). */
  failures: Record<string, number>;
  /** Bound sessions that dropped during the run (each reconnects on its own). */
  drops: number;
}

export interface RunInfo {
  label: string;
  target: { host: string; port: number };
  startedAt: string;
  finishedAt: string;
  options: Record<string, unknown>;
  phases: { bindMs: number; sendMs: number; drainMs: number; totalMs: number };
  binds: BindStats;
}

export interface LoadReport extends AccountingSummary, RunInfo {
  schema: typeof REPORT_SCHEMA;
  throughput: {
    /** Averages over the sending phase. */
    submitsPerSec: number;
    acceptedPerSec: number;
    /** Matched receipts per second over sending and draining. */
    receiptsPerSec: number;
    peakSubmitsPerSec: number;
    peakReceiptsPerSec: number;
  };
  verdict: { ok: boolean; failed: FailOn[]; reasons: string[] };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function verdictOf(s: AccountingSummary, failOn: readonly FailOn[]): LoadReport['verdict'] {
  const amounts: Record<FailOn, [number, string]> = {
    missing: [s.receipts.missing, 'receipts missing'],
    duplicates: [s.receipts.duplicates, 'duplicate receipts'],
    unknown: [s.receipts.unknown, 'receipts for unknown ids'],
    rejected: [s.submits.rejected, 'submits rejected'],
    errors: [s.submits.errors + s.submits.unanswered, 'submits without a response'],
  };
  const failed: FailOn[] = [];
  const reasons: string[] = [];
  for (const k of failOn) {
    const [n, what] = amounts[k];
    if (n > 0) {
      failed.push(k);
      reasons.push(`${n} ${what}`);
    }
  }
  return { ok: failed.length === 0, failed, reasons };
}

export function buildReport(summary: AccountingSummary, run: RunInfo, failOn: readonly FailOn[]): LoadReport {
  const sendSec = Math.max(run.phases.sendMs, 1) / 1000;
  const allSec = Math.max(run.phases.sendMs + run.phases.drainMs, 1) / 1000;
  const max = (xs: number[]) => xs.reduce((a, b) => (b > a ? b : a), 0);
  return {
    schema: REPORT_SCHEMA,
    ...run,
    ...summary,
    throughput: {
      submitsPerSec: round1(summary.submits.sent / sendSec),
      acceptedPerSec: round1(summary.submits.accepted / sendSec),
      receiptsPerSec: round1(summary.receipts.matched / allSec),
      peakSubmitsPerSec: max(summary.series.sent),
      peakReceiptsPerSec: max(summary.series.receipts),
    },
    verdict: verdictOf(summary, failOn),
  };
}

const fmt = (n: number) => n.toLocaleString('en-US');
const ms = (v: number | null) => (v === null ? '-' : v < 10 ? v.toFixed(2) : v < 1000 ? v.toFixed(1) : v.toFixed(0));

function latencyLine(name: string, p: Percentiles): string {
  return `  ${name.padEnd(20)} n=${fmt(p.count).padEnd(10)} p50 ${ms(p.p50)}  p95 ${ms(p.p95)}  p99 ${ms(p.p99)}  max ${ms(p.max)}  (ms)`;
}

function byName(rec: Record<string, number>): string {
  const e = Object.entries(rec).filter(([, n]) => n > 0);
  return e.length === 0 ? '' : ` (${e.map(([k, n]) => `${k} ${fmt(n)}`).join(', ')})`;
}

/** Per-second throughput as a compact table: at most `maxRows` rows, seconds grouped when longer. */
export function throughputTable(r: LoadReport, maxRows = 30): string[] {
  const s = r.series;
  const n = s.t.length;
  if (n === 0) return [];
  const step = Math.max(1, Math.ceil(n / maxRows));
  const out = [`  ${'second'.padEnd(10)}${'sent/s'.padStart(10)}${'acc/s'.padStart(10)}${'rej/s'.padStart(8)}${'err/s'.padStart(8)}${'dlr/s'.padStart(10)}${'resp p99'.padStart(10)}`];
  for (let i = 0; i < n; i += step) {
    const j = Math.min(n, i + step);
    const avg = (xs: number[]) => Math.round(xs.slice(i, j).reduce((a, b) => a + b, 0) / (j - i));
    const p99 = s.respP99.slice(i, j).reduce<number | null>((a, b) => (b === null ? a : a === null || b > a ? b : a), null);
    const label = step === 1 ? String(s.t[i]) : `${s.t[i]}-${s.t[j - 1]}`;
    out.push(`  ${label.padEnd(10)}${fmt(avg(s.sent)).padStart(10)}${fmt(avg(s.accepted)).padStart(10)}${fmt(avg(s.rejected)).padStart(8)}`
      + `${fmt(avg(s.errors)).padStart(8)}${fmt(avg(s.receipts)).padStart(10)}${ms(p99).padStart(10)}`);
  }
  return out;
}

export function renderText(r: LoadReport): string {
  const lines: string[] = [];
  const sub = r.submits;
  const rec = r.receipts;
  lines.push(`smsgw load generator${r.label ? `: ${r.label}` : ''} -> ${r.target.host}:${r.target.port}`);
  lines.push(`  binds                ${r.binds.bound}/${r.binds.wanted} bound${byName(r.binds.failures)}${r.binds.drops ? `, ${r.binds.drops} dropped during the run` : ''}`);
  lines.push(`  phases               bind ${(r.phases.bindMs / 1000).toFixed(1)} s, send ${(r.phases.sendMs / 1000).toFixed(1)} s, drain ${(r.phases.drainMs / 1000).toFixed(1)} s`);
  lines.push(`  messages             ${fmt(r.messages.generated)} (${fmt(r.messages.singlePart)} single-part, ${fmt(r.messages.multiPart)} multi-part; ${fmt(r.messages.gsm)} GSM, ${fmt(r.messages.ucs2)} UCS-2)`);
  lines.push(`  submit_sm sent       ${fmt(sub.sent)}`);
  lines.push(`  accepted             ${fmt(sub.accepted)}`);
  lines.push(`  rejected             ${fmt(sub.rejected)}${byName(sub.rejectedByStatus)}`);
  lines.push(`  errors/timeouts      ${fmt(sub.errors)}${byName(sub.errorsByKind)}${sub.unanswered ? `, ${fmt(sub.unanswered)} unanswered` : ''}`);
  lines.push(`  receipts expected    ${fmt(rec.expected)} (one per ${rec.unit})`);
  lines.push(`  receipts received    ${fmt(rec.received)}, matched ${fmt(rec.matched)}${byName(rec.byStat)}${rec.beforeResponse ? `, ${fmt(rec.beforeResponse)} before their submit_sm_resp` : ''}`);
  lines.push(`  receipts missing     ${fmt(rec.missing)}${rec.missingSample.length ? `  e.g. ${rec.missingSample.slice(0, 5).join(' ')}` : ''}`);
  lines.push(`  duplicate receipts   ${fmt(rec.duplicates)}`);
  lines.push(`  unknown-id receipts  ${fmt(rec.unknown)}${rec.unknownSample.length ? `  e.g. ${rec.unknownSample.slice(0, 5).join(' ')}` : ''}`);
  if (r.otherDeliverSm) lines.push(`  other deliver_sm     ${fmt(r.otherDeliverSm)}`);
  lines.push(`  throughput           ${fmt(r.throughput.submitsPerSec)} submits/s (${fmt(r.throughput.acceptedPerSec)} accepted/s), peak ${fmt(r.throughput.peakSubmitsPerSec)}/s; receipts ${fmt(r.throughput.receiptsPerSec)}/s`);
  lines.push('latency');
  lines.push(latencyLine('submit_sm_resp', r.latencyMs.submitResp));
  lines.push(latencyLine('submit to receipt', r.latencyMs.submitToReceipt));
  lines.push('throughput over time');
  lines.push(...throughputTable(r));
  lines.push(r.verdict.ok ? 'result: OK' : `result: FAILED (${r.verdict.reasons.join('; ')})`);
  return lines.join('\n') + '\n';
}

/** One progress line (no newline). */
export function progressLine(elapsedMs: number, live: LiveCounters, ratePerSec: number, receiptsPerSec: number, phase: string): string {
  const t = (elapsedMs / 1000).toFixed(0).padStart(4);
  return `[${t}s ${phase}] sent ${fmt(live.sent)} (${fmt(ratePerSec)}/s) acc ${fmt(live.accepted)} rej ${fmt(live.rejected)} err ${fmt(live.errors)}`
    + ` inflight ${fmt(live.inFlight)} | dlr ${fmt(live.matched)} (${fmt(receiptsPerSec)}/s) missing ${fmt(live.missing)} dup ${fmt(live.duplicates)}`
    + `${live.pendingUnknown ? ` unk ${fmt(live.pendingUnknown)}` : ''}`;
}
