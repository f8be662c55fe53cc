#!/usr/bin/env node
/**
 * The fuzzer by hand:
 *
 *   node dist/scripts/fuzz/main.js [--seconds 600] [--seed N] [--parallel 4]
 *   node dist/scripts/fuzz/main.js --decoder-only --seed N --case I        (replay one decoder case)
 *   node dist/scripts/fuzz/main.js --seed N --connection I [--port P]      (replay one connection)
 *
 * A quarter of the time goes to the in-process decoder fuzz, the rest to hostile connections
 * against a gateway node, with a steady customer submitting throughout. Without --port it
 * starts its own node on the running Kafka and Redis (customers fuzz/fuzzpw, other/otherpw,
 * steady/steadypw) and samples that node's RSS; with --port it fuzzes a node you started with
 * those customers and an inactivity timeout of --inactivity-ms. Prints a JSON report; exits 1
 * on any failure (a non-typed decoder error, an undecodable PDU from the gateway, an idle
 * connection left open, a steady submit not answered ESME_ROK, the node gone, RSS not back
 * within --max-rss-growth-mb of its baseline).
 */
import { checked, readCommandLine, wholeNumber } from '../../src/command-line.js';
import { fuzzDecoder } from './decoder-fuzz.js';
import { startFuzzNode, type FuzzNode } from './gateway-node.js';
import { randomSeed } from './rng.js';
import { fuzzSessions, SteadyCustomer } from './session-fuzz.js';

const USAGE = `usage: fuzz [--seconds 60] [--seed N] [--parallel 4] [--port P] [--inactivity-ms 2000] [--max-rss-growth-mb 256]
       fuzz --decoder-only --seed N --case I        replay one decoder case
       fuzz --seed N --connection I [--port P]      replay one connection
  hostile SMPP against a gateway node (its own on the running Kafka and Redis, or --port's);
  prints a JSON report; exit 0 clean, 1 a problem found, 2 usage`;

const { values } = readCommandLine(process.argv.slice(2), USAGE, {
  options: {
    help: { type: 'boolean', short: 'h' },
    seconds: { type: 'string', default: '60' },
    seed: { type: 'string' },
    parallel: { type: 'string', default: '4' },
    'decoder-only': { type: 'boolean', default: false },
    case: { type: 'string' },
    connection: { type: 'string' },
    port: { type: 'string' },
    'inactivity-ms': { type: 'string', default: '2000' },
    'max-rss-growth-mb': { type: 'string', default: '256' },
  },
});

// Absent flags without a default stay absent.
const num = (name: string, v: string | undefined): number | undefined => (v === undefined ? undefined : wholeNumber(`--${name}`, v, 0));
const { seconds, seed, parallel, inactivityMs, maxGrowth, onlyCase, onlyConnection, portArg } = checked(USAGE, () => ({
  seconds: num('seconds', values.seconds)!,
  seed: num('seed', values.seed) ?? randomSeed(),
  parallel: Math.max(1, num('parallel', values.parallel)!),
  inactivityMs: num('inactivity-ms', values['inactivity-ms'])!,
  maxGrowth: num('max-rss-growth-mb', values['max-rss-growth-mb'])! * 1048576,
  onlyCase: num('case', values.case),
  onlyConnection: num('connection', values.connection),
  portArg: num('port', values.port),
}));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const problems: string[] = [];
const report: Record<string, unknown> = { seed, seconds };
process.stderr.write(`fuzz seed ${seed}\n`);

const decoderOnly = values['decoder-only'] || onlyCase !== undefined;
if (onlyConnection === undefined) {
  const share = decoderOnly ? 1 : 0.25;
  const d = fuzzDecoder({ seed, until: Date.now() + seconds * 1000 * share, ...(onlyCase !== undefined ? { only: onlyCase } : {}) });
  report.decoder = { ...d, failures: d.failures.slice(0, 20) };
  for (const f of d.failures.slice(0, 20)) problems.push(`decoder case ${f.caseIndex} (${f.name}): ${f.problem} [${f.hex.slice(0, 200)}]`);
}

if (!decoderOnly) {
  let node: FuzzNode | undefined;
  const port = portArg ?? (node = await startFuzzNode(inactivityMs)).port;
  try {
    const rss: { baseline?: number; peak?: number; after?: number } = {};
    const steady = await SteadyCustomer.start(port, { systemId: 'steady', password: 'steadypw' }, { responseTimeoutMs: 15000 });
    await sleep(1000);
    rss.baseline = node?.rss();
    const sampler = setInterval(() => { const v = node?.rss(); if (v !== undefined) rss.peak = Math.max(rss.peak ?? 0, v); }, 1000);
    const r = await fuzzSessions({
      port, seed, parallel, inactivityTimeoutMs: inactivityMs,
      customer: { systemId: 'fuzz', password: 'fuzzpw' }, other: { systemId: 'other', password: 'otherpw' },
      ...(onlyConnection !== undefined ? { only: onlyConnection } : { until: Date.now() + seconds * 1000 * 0.75 }),
    });
    const witness = await steady.stop();
    clearInterval(sampler);
    // Give the node its inactivity timeout and a collection or two to hand memory back.
    if (node) await sleep(inactivityMs + 5000);
    rss.after = node?.rss();
    report.sessions = { ...r, failures: r.failures.slice(0, 20) };
    report.steady = witness;
    report.rssMB = Object.fromEntries(Object.entries(rss).map(([k, v]) => [k, v === undefined ? null : Math.round(v / 104857.6) / 10]));
    for (const f of r.failures.slice(0, 20)) problems.push(`connection ${f.connection}: ${f.problem}; script: ${f.script.join(' | ').slice(0, 400)}`);
    if (Object.keys(witness.problems).length > 0) problems.push(`steady customer: ${JSON.stringify(witness.problems)}`);
    if (node && node.proc.exitCode !== null) problems.push(`the gateway node exited with ${node.proc.exitCode}`);
    if (rss.baseline !== undefined && rss.after !== undefined && rss.after - rss.baseline > maxGrowth) {
      problems.push(`RSS ${(rss.after / 1048576).toFixed(0)} MB after the run, baseline ${(rss.baseline / 1048576).toFixed(0)} MB`);
    }
  } finally {
    if (node) report.exitCode = await node.stop();
  }
}

report.problems = problems;
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.exit(problems.length > 0 ? 1 : 0);
