/**
 * One command for the fault scenario.
 *   node dist/scripts/faults/main.js --short            (CI: one cycle of every fault, ~7 min)
 *   node dist/scripts/faults/main.js --duration 2550    (long form: ten cycles)
 * Options: --rate N (submits/s, default 40), --nodes N (default 3), --provider-window N (submits
 * and receipts in flight on each provider bind, default 10), --multipart-ratio R
 * (default 0.2), --out DIR (default reports/faults-<time>). Exit 0 when nothing accepted was
 * lost and nothing was doubled beyond what the crashes allow, 1 otherwise.
 */
import { checked, decimal, readCommandLine, wholeNumber } from '../../src/command-line.js';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFaults } from './harness.js';
import { CYCLE_S } from './schedule.js';

const USAGE = `usage: faults [--short | --duration S] [--rate N] [--nodes N] [--window N] [--provider-window N] [--multipart-ratio R] [--out DIR]
  the fault harness: three brokers (own ports and data folder) and N gateway nodes of its own,
  load, and a schedule of node and broker kills and pauses, Redis restarts and provider drops,
  slow answers and refused binds; exit 0 nothing lost, 1 a promise broken, 2 usage`;

const { values } = readCommandLine(process.argv.slice(2), USAGE, {
  options: {
    short: { type: 'boolean' },
    duration: { type: 'string' },
    rate: { type: 'string', default: '40' },
    nodes: { type: 'string', default: '3' },
    window: { type: 'string', default: '10' },
    'provider-window': { type: 'string', default: '10' },
    'multipart-ratio': { type: 'string', default: '0.2' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const o = checked(USAGE, () => ({
  durationS: values.short ? CYCLE_S : wholeNumber('--duration', values.duration, CYCLE_S * 10, { min: 1 }),
  rate: decimal('--rate', values.rate, 40, { min: 0.1 }),
  nodes: wholeNumber('--nodes', values.nodes, 3, { min: 1 }),
  window: wholeNumber('--window', values.window, 10, { min: 1 }),
  providerWindow: wholeNumber('--provider-window', values['provider-window'], 10, { min: 1 }),
  multipartRatio: decimal('--multipart-ratio', values['multipart-ratio'], 0.2, { min: 0, max: 1 }),
}));
const out = values.out ?? join(root, 'reports', `faults-${new Date().toISOString().replace(/[:.]/g, '-')}`);
const report = await runFaults({
  root, ...o, outDir: out,
  log: (line) => process.stderr.write(`[faults] ${line}\n`),
});
const v = report.verdict;
process.stdout.write([
  `fault run: ${report.faults.length} faults over ${o.durationS} s of load at ${report.options.rate}/s on ${report.options.nodes} nodes`,
  `  accepted ${report.observed.accepted}, lost ${v.lost}, receipts duplicated ${v.receiptsDuplicated}, receipts for unacknowledged submits ${v.receiptsUnknown}, submits unanswered (crash) ${v.submitsUnanswered}`,
  `  whole-messages topic: ${report.observed.wholeMessages} records, ${v.wholeMessageDuplicates} duplicates`,
  `  towards providers: ${report.observed.providerSubmits} submits taken, ${v.providerDuplicates} duplicates; in flight at the crashes ${v.inFlight} (node kills ${report.faults.filter((f) => f.inFlight !== undefined).map((f) => f.inFlight).join(', ') || 'none'}; provider drops ${report.observed.inFlightAtDrops}); the gateway's own count ${v.submittedTwice}`,
  `  served again after a node death: ${report.faults.filter((f) => f.recoveryMs !== undefined).map((f) => `${f.recoveryMs} ms`).join(', ') || 'n/a'}`,
  `  providers' intake (usual ${report.flow.usualPerSecond}/s) back to 80 % after, by fault kind (median / longest s): ${report.flow.byKind.map((k) => `${k.kind} ${k.count}x ${k.medianS ?? 'never'} / ${k.maxS ?? 'never'}`).join('; ')}`,
  `  providers' receipts: ${report.flow.providerReceiptsPerSecond.reduce((a, b) => a + b, 0)} acknowledged by the gateway, ${report.flow.providerReceiptRetries} sent again`,
  `  latency: submit_sm_resp p50 ${report.load.latencyMs.submitResp.p50} / p99 ${report.load.latencyMs.submitResp.p99} ms; submit to receipt p50 ${report.load.latencyMs.submitToReceipt.p50} / p99 ${report.load.latencyMs.submitToReceipt.p99} ms`,
  `  verdict: ${v.ok ? 'OK' : `FAILED: ${v.reasons.join('; ')}`}`,
  `  report: ${join(out, 'faults.json')}`,
].join('\n') + '\n');
process.exit(v.ok ? 0 : 1);
