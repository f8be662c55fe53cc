/** The run as one self-contained HTML page: summary tables and inline SVG charts, no external assets. */
import type { Percentiles } from './histogram.js';
import type { LoadReport } from './report.js';
import { escapeXml as esc, lineChart } from './svg-chart.js';

const fmt = (n: number) => n.toLocaleString('en-US');
const ms = (v: number | null) => (v === null ? '–' : String(v));

function rows(pairs: [string, string | number][]): string {
  return pairs.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(typeof v === 'number' ? fmt(v) : v)}</td></tr>`).join('');
}

function named(rec: Record<string, number>): string {
  const e = Object.entries(rec).filter(([, n]) => n > 0);
  return e.length ? e.map(([k, n]) => `${k}: ${fmt(n)}`).join(', ') : '–';
}

function latencyRow(name: string, p: Percentiles): string {
  return `<tr><th>${esc(name)}</th>${[fmt(p.count), ms(p.min), ms(p.mean === null ? null : Math.round(p.mean * 1000) / 1000), ms(p.p50), ms(p.p95), ms(p.p99), ms(p.max)]
    .map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`;
}

export function renderHtml(r: LoadReport): string {
  const s = r.series;
  const title = `smsgw load test${r.label ? ` — ${r.label}` : ''}`;
  const charts = [
    lineChart({
      title: 'Rate over time', x: s.t, xLabel: 'seconds since start', yLabel: 'per second',
      series: [
        { name: 'submit_sm sent', color: '#1f77b4', values: s.sent },
        { name: 'accepted', color: '#2ca02c', values: s.accepted },
        { name: 'rejected', color: '#d62728', values: s.rejected },
        { name: 'errors', color: '#9467bd', values: s.errors, dashed: true },
        { name: 'receipts', color: '#ff7f0e', values: s.receipts },
      ],
    }),
    lineChart({
      title: 'submit_sm_resp latency per second', x: s.t, xLabel: 'seconds since start', yLabel: 'ms', logY: true,
      series: [
        { name: 'p50', color: '#2ca02c', values: s.respP50 },
        { name: 'p99', color: '#ff7f0e', values: s.respP99 },
        { name: 'max', color: '#d62728', values: s.respMax, dashed: true },
      ],
    }),
    lineChart({
      title: 'Submit-to-receipt latency per second', x: s.t, xLabel: 'seconds since start', yLabel: 'ms', logY: true,
      series: [
        { name: 'p50', color: '#2ca02c', values: s.receiptP50 },
        { name: 'p99', color: '#ff7f0e', values: s.receiptP99 },
        { name: 'max', color: '#d62728', values: s.receiptMax, dashed: true },
      ],
    }),
  ];
  const verdict = r.verdict.ok
    ? '<p class="ok">OK: every expected receipt arrived once.</p>'
    : `<p class="bad">FAILED: ${esc(r.verdict.reasons.join('; '))}</p>`;
  const options = Object.entries(r.options).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? 'undefined'] as [string, string]);

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:960px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}th,td{padding:3px 10px;border-bottom:1px solid #eee;text-align:left;font-size:13px}
td{font-variant-numeric:tabular-nums}.ok{color:#1a7f37;font-weight:bold}.bad{color:#c62828;font-weight:bold}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:0 32px}svg{max-width:100%;height:auto;margin:8px 0}
code{font-size:12px}
</style></head><body>
<h1>${esc(title)}</h1>
<p>Target <code>${esc(`${r.target.host}:${r.target.port}`)}</code>, started ${esc(r.startedAt)}, finished ${esc(r.finishedAt)}.</p>
${verdict}
<div class="grid">
<div><h2>Submits</h2><table>${rows([
    ['messages', `${fmt(r.messages.generated)} (${fmt(r.messages.multiPart)} multi-part, ${fmt(r.messages.ucs2)} UCS-2)`],
    ['submit_sm sent', r.submits.sent],
    ['accepted', r.submits.accepted],
    ['rejected', r.submits.rejected],
    ['rejected by status', named(r.submits.rejectedByStatus)],
    ['errors / timeouts', `${fmt(r.submits.errors)} (${named(r.submits.errorsByKind)})`],
    ['unanswered', r.submits.unanswered],
  ])}</table></div>
<div><h2>Receipts</h2><table>${rows([
    ['expected', `${fmt(r.receipts.expected)} (one per ${r.receipts.unit})`],
    ['received', r.receipts.received],
    ['matched', r.receipts.matched],
    ['missing', r.receipts.missing],
    ['duplicates', r.receipts.duplicates],
    ['unknown ids', r.receipts.unknown],
    ['before their submit_sm_resp', r.receipts.beforeResponse],
    ['by stat', named(r.receipts.byStat)],
  ])}</table></div>
<div><h2>Throughput</h2><table>${rows([
    ['submits/s (sending phase)', r.throughput.submitsPerSec],
    ['accepted/s', r.throughput.acceptedPerSec],
    ['peak submits/s', r.throughput.peakSubmitsPerSec],
    ['receipts/s', r.throughput.receiptsPerSec],
    ['peak receipts/s', r.throughput.peakReceiptsPerSec],
  ])}</table></div>
<div><h2>Binds and phases</h2><table>${rows([
    ['bound', `${r.binds.bound} of ${r.binds.wanted}`],
    ['bind failures', named(r.binds.failures)],
    ['drops during the run', r.binds.drops],
    ['bind / send / drain', `${(r.phases.bindMs / 1000).toFixed(1)} s / ${(r.phases.sendMs / 1000).toFixed(1)} s / ${(r.phases.drainMs / 1000).toFixed(1)} s`],
  ])}</table></div>
</div>
<h2>Latency (ms)</h2>
<table><tr><th></th><th>count</th><th>min</th><th>mean</th><th>p50</th><th>p95</th><th>p99</th><th>max</th></tr>
${latencyRow('submit_sm_resp', r.latencyMs.submitResp)}
${latencyRow('submit to receipt', r.latencyMs.submitToReceipt)}
</table>
<h2>Over time</h2>
${charts.join('\n')}
<h2>Options</h2>
<table>${rows(options)}</table>
</body></html>
`;
}
