/** The benchmark's index page: the markdown summary, an RSS chart per node, links to each run's own report. Pure. */
import { escapeXml as esc, lineChart } from '../loadgen/svg-chart.js';
import { capacityLine, capacityTable, costTable, type BenchReport, type Table } from './report.js';

function htmlTable(t: Table): string {
  return `<table><thead><tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`
    + `<tbody>${t.rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** **bold** of the markdown line as <b>. */
const inline = (md: string) => esc(md).replace(/\*\*(.+?)\*\*/g, '<b>$1</b>');

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

export function renderBenchHtml(r: BenchReport, markdown: string): string {
  const rss = r.rss.series.filter((s) => s.t.length > 0);
  // One x axis for every node: the first node's sample times (nodes are sampled together).
  const x = rss[0]?.t ?? [];
  const chart = rss.length === 0 ? '' : lineChart({
    title: 'RSS of each gateway node', x, xLabel: 'seconds since the first sample', yLabel: 'MB',
    series: rss.map((s, i) => ({ name: s.node, color: COLORS[i % COLORS.length]!, values: x.map((_, j) => s.rssMb[j] ?? null) })),
  });
  const cost = costTable(r);
  const capacity = capacityTable(r);
  const costHtml = cost ? `<h2>Cost per message</h2>
<p>CPU of each process group (threads included) from /proc over the measured window (start of sending to the end of the drain), ms per delivered message;
Kafka records (end offsets of the run's topics) and Redis commands (INFO commandstats, the whole Redis) per accepted message. In parentheses: a process beside the path, idle meanwhile.</p>
${htmlTable(cost)}` : '';
  const capacityHtml = r.capacity && capacity ? `<h2>Capacity</h2><p>${inline(capacityLine(r.capacity))}</p>${htmlTable(capacity)}` : '';
  const links = r.files.filter((f) => f.endsWith('.html') && f !== 'index.html')
    .map((f) => `<li><a href="${esc(f)}">${esc(f)}</a></li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>smsgw benchmark: ${esc(r.scenario.name)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:13px}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}th:first-child,td:first-child{text-align:left}</style>
</head><body>
<h1>smsgw benchmark: ${esc(r.scenario.name)} — ${r.verdict.ok ? 'OK' : 'FAILED'}</h1>
${capacityHtml}
${costHtml}
<pre>${esc(markdown)}</pre>
${chart}
<h2>Reports of each run</h2><ul>${links}</ul>
</body></html>
`;
}
