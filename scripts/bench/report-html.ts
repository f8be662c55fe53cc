/** The benchmark's index page: the markdown summary, an RSS chart per node, links to each run's own report. Pure. */
import { escapeXml as esc, lineChart } from '../loadgen/svg-chart.js';
import type { BenchReport } from './report.js';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

export function renderBenchHtml(r: BenchReport, markdown: string): string {
  const rss = r.rss.series.filter((s) => s.t.length > 0);
  // One x axis for every node: the first node's sample times (nodes are sampled together).
  const x = rss[0]?.t ?? [];
  const chart = rss.length === 0 ? '' : lineChart({
    title: 'RSS of each gateway node', x, xLabel: 'seconds since the first sample', yLabel: 'MB',
    series: rss.map((s, i) => ({ name: s.node, color: COLORS[i % COLORS.length]!, values: x.map((_, j) => s.rssMb[j] ?? null) })),
  });
  const links = r.files.filter((f) => f.endsWith('.html') && f !== 'index.html')
    .map((f) => `<li><a href="${esc(f)}">${esc(f)}</a></li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>smsgw benchmark: ${esc(r.scenario.name)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:13px}</style>
</head><body>
<h1>smsgw benchmark: ${esc(r.scenario.name)} — ${r.verdict.ok ? 'OK' : 'FAILED'}</h1>
<pre>${esc(markdown)}</pre>
${chart}
<h2>Reports of each run</h2><ul>${links}</ul>
</body></html>
`;
}
