import { strict as assert } from 'node:assert';
import { Accounting } from '../../../scripts/loadgen/accounting.js';
import { renderHtml } from '../../../scripts/loadgen/report-html.js';
import { buildReport, progressLine, renderText, verdictOf, type RunInfo } from '../../../scripts/loadgen/report.js';
import { lineChart, niceStep } from '../../../scripts/loadgen/svg-chart.js';
import { Status } from '../../../src/smpp/status.js';

function sampleSummary() {
  const acc = new Accounting({ startMs: 0 });
  for (let i = 0; i < 30; i++) {
    const s = acc.newMessage(1, i % 3 ? 'gsm' : 'ucs2');
    acc.submitted(s, i * 100);
    if (i === 7) acc.responded(s, i * 100 + 3, Status.ESME_RTHROTTLED);
    else acc.responded(s, i * 100 + 2 + (i % 5), Status.ESME_ROK, `id${i}`);
  }
  for (let i = 0; i < 30; i++) if (i !== 7 && i !== 12) acc.receipt(i * 100 + 400, `id${i}`, 'DELIVRD');
  acc.receipt(3100, 'id3', 'DELIVRD');
  acc.receipt(3100, 'stranger', 'DELIVRD');
  return acc.summary(3500);
}

const run: RunInfo = {
  label: 'unit <sample>',
  target: { host: '127.0.0.1', port: 2775 },
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:04.000Z',
  options: { rate: 10 },
  phases: { bindMs: 20, sendMs: 3000, drainMs: 500, totalMs: 3520 },
  binds: { wanted: 2, bound: 2, failures: {}, drops: 0 },
};

describe('loadgen report', () => {
  it('fails on exactly the conditions asked for', () => {
    const s = sampleSummary();
    assert.deepEqual(verdictOf(s, ['missing', 'duplicates']), {
      ok: false, failed: ['missing', 'duplicates'], reasons: ['1 receipts missing', '1 duplicate receipts'],
    });
    assert.equal(verdictOf(s, ['unknown']).reasons[0], '1 receipts for unknown ids');
    assert.equal(verdictOf(s, ['rejected']).reasons[0], '1 submits rejected');
    assert.deepEqual(verdictOf(s, ['errors']), { ok: true, failed: [], reasons: [] });
    assert.equal(verdictOf(s, []).ok, true);
  });

  it('builds the JSON report with throughput over the sending phase', () => {
    const r = buildReport(sampleSummary(), run, ['missing']);
    assert.equal(r.schema, 'smsgw-loadgen/1');
    assert.equal(r.submits.sent, 30);
    assert.equal(r.throughput.submitsPerSec, 10);
    assert.equal(r.throughput.peakSubmitsPerSec, 10);
    assert.equal(r.receipts.missing, 1);
    assert.deepEqual(r.receipts.missingSample, ['id12']);
    // Round-trips through JSON (no Infinity, no typed arrays).
    assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
  });

  it('prints every count the run is judged on', () => {
    const text = renderText(buildReport(sampleSummary(), run, ['missing', 'duplicates']));
    for (const re of [/accepted\s+29/, /rejected\s+1 \(ESME_RTHROTTLED 1\)/, /receipts missing\s+1\s+e\.g\. id12/, /duplicate receipts\s+1/,
      /unknown-id receipts\s+1/, /submit_sm_resp\s+n=30/, /submit to receipt\s+n=28/, /result: FAILED \(1 receipts missing; 1 duplicate receipts\)/]) {
      assert.match(text, re);
    }
  });

  it('renders a self-contained HTML page with three SVG charts and escaped text', () => {
    const html = renderHtml(buildReport(sampleSummary(), run, ['missing']));
    assert.match(html, /^<!doctype html>/);
    assert.equal(html.match(/<svg /g)?.length, 3);
    assert.ok(html.includes('unit &lt;sample&gt;'));
    assert.ok(!html.includes('<sample>'));
    // No external assets: the only URL is the SVG namespace.
    const urls = html.match(/(?:src|href)=|https?:\/\/[^"' ]+/g) ?? [];
    assert.deepEqual([...new Set(urls)], ['http://www.w3.org/2000/svg']);
    assert.ok(!/<script/i.test(html));
  });

  it('draws gaps for missing values and picks round axis steps', () => {
    const svg = lineChart({ title: 't', x: [0, 1, 2, 3], xLabel: 'x', yLabel: 'y', series: [{ name: 'a', color: '#000', values: [1, null, 3, 4] }] });
    const d = /<path d="([^"]+)"/.exec(svg)?.[1] ?? '';
    assert.equal(d.match(/M/g)?.length, 2, 'a null starts a new segment');
    assert.deepEqual([0.3, 7, 12, 450].map(niceStep), [0.5, 10, 20, 500]);
    assert.ok(lineChart({ title: 'empty', x: [], xLabel: '', yLabel: '', series: [] }).startsWith('<svg'));
  });

  it('keeps the progress line to one line', () => {
    const line = progressLine(12_345, {
      messages: 10, sent: 12, accepted: 10, rejected: 1, errors: 0, inFlight: 1, receipts: 9, matched: 8,
      duplicates: 1, pendingUnknown: 0, expected: 10, missing: 2,
    }, 120, 80, 'send');
    assert.equal(line, '[  12s send] sent 12 (120/s) acc 10 rej 1 err 0 inflight 1 | dlr 8 (80/s) missing 2 dup 1');
  });
});
