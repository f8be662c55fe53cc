/**
 * The benchmark command's options: parsed and validated once (errors name the flag and the bad
 * value), merged over the scenario's defaults, frozen. Pure.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../../src/errors.js';
import type { ReceiptUnit } from '../loadgen/accounting.js';
import { drainSecFor, SCENARIO_NAMES, SCENARIOS, type Scenario, type ScenarioName } from './scenarios.js';

/** The nodes announce their listener port at info, so nothing quieter. */
export type GatewayLogLevel = 'debug' | 'info';

export interface BenchOptions {
  /** The scenario with every flag applied. */
  scenario: Scenario;
  /** The customer edge the load goes through: SMPP binds, or the HTTP API with webhook receipts. */
  edge: 'smpp' | 'http';
  /** Gateway nodes (separate processes), each with its own listener and node id. */
  nodes: number;
  /** Stage worker threads per node; undefined: the node's default (one per core). */
  threads: number | undefined;
  partitions: number;
  receiptDelayMs: number;
  drainSec: number;
  /** A short gateway run before the measured ones, so consumer groups have settled; 0: none. */
  warmupSec: number;
  /** Start the gateway nodes with --cpu-prof and summarize the profiles. */
  profile: boolean;
  topFunctions: number;
  /** Results go to <out>/<timestamp>-<scenario>/. */
  out: string;
  /** Leave the run's Kafka topics and Redis keys in place (they are deleted by default). */
  keep: boolean;
  gatewayLogLevel: GatewayLogLevel;
  seed: number;
}

export const BENCH_DEFAULTS = Object.freeze({
  scenario: 'steady' as ScenarioName,
  nodes: 1,
  partitions: 12,
  receiptDelayMs: 50,
  warmupSec: 5,
  topFunctions: 25,
  out: 'reports',
  gatewayLogLevel: 'info' as GatewayLogLevel,
});

export const BENCH_HELP = `Usage: node dist/scripts/bench/main.js --scenario <name> [options]
       npm run bench -- --scenario <name> [options]

Starts (or reuses) Kafka and Redis, the provider simulator and N gateway nodes, runs the
scenario with the load generator (first against the simulator directly: the bare-SMPP
baseline; then through the gateway), writes every report to <out>/<time>-<scenario>/, prints a
markdown summary with the gateway/baseline ratio, and stops what it started.

Scenarios (defaults in brackets)
${SCENARIO_NAMES.map((n) => {
  const s = SCENARIOS[n];
  const load = s.steps ? `from ${s.rate}/s x${s.steps.factor} per step up to ${s.steps.maxRate}/s, ${s.durationSec} s per step`
    : `${Number.isFinite(s.rate) ? `${s.rate}/s` : 'max rate'}, ${s.durationSec} s`;
  return `  ${n.padEnd(11)} ${s.description} [${load}, ${s.customers}x${s.binds} binds${s.baseline ? ', baseline' : ''}]`;
}).join('\n')}

Load (override the scenario)
  --duration <s>              seconds of sending
  --rate <n|max>              submit_sm per second over all binds
  --customers <n>             customers in total (shared out over the nodes)
  --binds <n>                 transceiver binds per customer
  --window <n>                submits in flight per bind
  --multipart-ratio <0..1>    share of multi-part messages
  --parts <a-b>               parts of a multi-part message
  --ucs2-ratio <0..1>         share of UCS-2 messages
  --receipt-unit <part|message>  expect a receipt per part, or one per message
  --seed <n>                  seed of the message mix (default: random)
Capacity (--scenario capacity: --rate is the first step's rate, --duration each step's length)
  --step-factor <x>           each step's rate is the previous one's times this (default 1.25)
  --max-rate <n>              no step beyond this rate (default 10000)
Gateway and provider
  --edge <smpp|http>          the customers' edge: SMPP (default), or the HTTP API with receipts by webhook
                              (the baseline stays the bare SMPP path)
  --nodes <n>                 gateway nodes (default 1)
  --threads <n>               stage worker threads per node (default: one per core)
  --partitions <n>            partitions of every topic (default 12)
  --provider-rate <n>         the gateway's rate per provider connection, parts/s
  --provider-binds <n>        provider connections (default 1)
  --provider-window <n>       submits in flight per provider connection
  --simulator-max-rate <n>    the simulator throttles beyond this many submits/s (throttled: 50)
  --receipt-delay-ms <n>      the simulator's delay before each receipt (default 50)
Run
  --baseline <on|off>         also run the load against the simulator directly (default: on for steady, peak, multipart, many-binds, capacity)
  --warmup <s>                a short gateway run first, not measured (default 5; 0: none)
  --drain <s>                 wait this long for receipts after sending (default: 30, more when the provider is slower than the load)
  --rss-every <s>             seconds between RSS samples of each gateway node (default 5, soak 10; 0: none)
  --profile                   start the gateway nodes with --cpu-prof (worker threads too) and list the top functions
  --top <n>                   functions in the profile summary (default 25)
  --out <dir>                 results root (default reports)
  --keep                      leave the run's Kafka topics and Redis keys (deleted by default)
  --gateway-log-level <l>     info or debug: the nodes' logs, kept in the results folder (default info)
  --help

Environment: SMSGW_KAFKA_BROKERS, REDIS_URL: a cluster and a Redis to use (default: a broker and a\nredis-server of the run's own, on free ports, removed at the end).
Exit status: 0 nothing lost; 1 a run lost, duplicated or failed messages; 2 bad options; 3 the set-up failed.
`;

const num = (flag: string, v: string | undefined, check: (n: number) => boolean, what: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n) || !check(n)) throw new ConfigError(`--${flag}`, what, v);
  return n;
};
const posInt = (flag: string, v: string | undefined) => num(flag, v, (n) => Number.isInteger(n) && n > 0, 'must be a positive integer');
const nonNeg = (flag: string, v: string | undefined) => num(flag, v, (n) => n >= 0, 'must be a non-negative number');
const ratio = (flag: string, v: string | undefined) => num(flag, v, (n) => n >= 0 && n <= 1, 'must be a number from 0 to 1');

function oneOf<T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new ConfigError(`--${flag}`, `must be one of ${allowed.join(', ')}`, v);
  return v as T;
}

export type ParsedBenchArgs = { help: true } | { help: false; options: BenchOptions };

export function parseBenchArgs(argv: string[]): ParsedBenchArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        scenario: { type: 'string' }, duration: { type: 'string' }, rate: { type: 'string' },
        customers: { type: 'string' }, binds: { type: 'string' }, window: { type: 'string' },
        'multipart-ratio': { type: 'string' }, parts: { type: 'string' }, 'ucs2-ratio': { type: 'string' },
        'receipt-unit': { type: 'string' }, seed: { type: 'string' },
        nodes: { type: 'string' }, threads: { type: 'string' }, partitions: { type: 'string' }, edge: { type: 'string' },
        'provider-rate': { type: 'string' }, 'provider-binds': { type: 'string' }, 'provider-window': { type: 'string' },
        'simulator-max-rate': { type: 'string' }, 'receipt-delay-ms': { type: 'string' },
        baseline: { type: 'string' }, warmup: { type: 'string' }, drain: { type: 'string' }, 'rss-every': { type: 'string' },
        profile: { type: 'boolean' }, top: { type: 'string' }, out: { type: 'string' }, keep: { type: 'boolean' },
        'gateway-log-level': { type: 'string' }, help: { type: 'boolean' },
        'step-factor': { type: 'string' }, 'max-rate': { type: 'string' },
      },
    }));
  } catch (err) {
    throw new ConfigError('arguments', err instanceof Error ? err.message : String(err));
  }
  if (values.help) return { help: true };
  const str = (k: string) => values[k] as string | undefined;
  const d = BENCH_DEFAULTS;
  const name = oneOf<ScenarioName>('scenario', str('scenario'), SCENARIO_NAMES) ?? d.scenario;
  const def = SCENARIOS[name];

  const rateRaw = str('rate');
  const rate = rateRaw === 'max' ? Infinity : num('rate', rateRaw, (x) => x > 0, 'must be a positive number or max') ?? def.rate;
  let { minParts, maxParts } = def;
  const parts = str('parts');
  if (parts !== undefined) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(parts);
    minParts = m ? Number(m[1]) : NaN;
    maxParts = m ? Number(m[2] ?? m[1]) : NaN;
    if (!m || minParts < 2 || maxParts < minParts || maxParts > 255) throw new ConfigError('--parts', 'must be a range a-b with 2 <= a <= b <= 255', parts);
  }
  const baselineFlag = oneOf('baseline', str('baseline'), ['on', 'off'] as const);
  const stepFactor = num('step-factor', str('step-factor'), (x) => x > 1 && x <= 10, 'must be a number above 1 (at most 10)');
  const maxRate = num('max-rate', str('max-rate'), (x) => x > 0, 'must be a positive number');
  if (!def.steps && (stepFactor !== undefined || maxRate !== undefined)) throw new ConfigError(stepFactor !== undefined ? '--step-factor' : '--max-rate', 'is for --scenario capacity only', stepFactor ?? maxRate);
  if (def.steps && !Number.isFinite(rate)) throw new ConfigError('--rate', 'must be a number for --scenario capacity (the first step\'s rate)', rateRaw);
  const steps = def.steps ? Object.freeze({ factor: stepFactor ?? def.steps.factor, maxRate: maxRate ?? def.steps.maxRate }) : undefined;
  if (steps && steps.maxRate < rate) throw new ConfigError('--max-rate', `must be at least the first step's rate (${rate})`, steps.maxRate);
  const simMax = posInt('simulator-max-rate', str('simulator-max-rate'));
  const scenario: Scenario = Object.freeze({
    ...def,
    rate,
    durationSec: num('duration', str('duration'), (x) => x > 0, 'must be a positive number of seconds') ?? def.durationSec,
    customers: posInt('customers', str('customers')) ?? def.customers,
    binds: posInt('binds', str('binds')) ?? def.binds,
    window: posInt('window', str('window')) ?? def.window,
    multipartRatio: ratio('multipart-ratio', str('multipart-ratio')) ?? def.multipartRatio,
    minParts,
    maxParts,
    ucs2Ratio: ratio('ucs2-ratio', str('ucs2-ratio')) ?? def.ucs2Ratio,
    receiptUnit: oneOf<ReceiptUnit>('receipt-unit', str('receipt-unit'), ['part', 'message']) ?? def.receiptUnit,
    baseline: baselineFlag === undefined ? def.baseline : baselineFlag === 'on',
    providerRate: posInt('provider-rate', str('provider-rate')) ?? def.providerRate,
    providerBinds: posInt('provider-binds', str('provider-binds')) ?? def.providerBinds,
    providerWindow: posInt('provider-window', str('provider-window')) ?? def.providerWindow,
    simulatorMaxPerSec: simMax ?? def.simulatorMaxPerSec,
    rssEverySec: nonNeg('rss-every', str('rss-every')) ?? def.rssEverySec,
    ...(steps ? { steps } : {}),
  });

  const nodes = posInt('nodes', str('nodes')) ?? d.nodes;
  if (scenario.customers < nodes) throw new ConfigError('--customers', `must be at least --nodes (${nodes}): each node's generator has its own customers`, scenario.customers);
  const options: BenchOptions = {
    scenario,
    edge: oneOf<'smpp' | 'http'>('edge', str('edge'), ['smpp', 'http']) ?? 'smpp',
    nodes,
    threads: num('threads', str('threads'), (x) => Number.isInteger(x) && x >= 1 && x <= 64, 'must be an integer from 1 to 64'),
    partitions: posInt('partitions', str('partitions')) ?? d.partitions,
    receiptDelayMs: num('receipt-delay-ms', str('receipt-delay-ms'), (x) => Number.isInteger(x) && x >= 0, 'must be a non-negative integer') ?? d.receiptDelayMs,
    // A capacity step that falls behind has failed; its drain only has to tell late from lost.
    drainSec: nonNeg('drain', str('drain')) ?? (scenario.steps ? 15 : drainSecFor(scenario)),
    warmupSec: nonNeg('warmup', str('warmup')) ?? d.warmupSec,
    profile: Boolean(values.profile),
    topFunctions: posInt('top', str('top')) ?? d.topFunctions,
    out: str('out') ?? d.out,
    keep: Boolean(values.keep),
    gatewayLogLevel: oneOf<GatewayLogLevel>('gateway-log-level', str('gateway-log-level'), ['debug', 'info']) ?? d.gatewayLogLevel,
    seed: num('seed', str('seed'), (x) => Number.isInteger(x) && x >= 0, 'must be a non-negative integer') ?? Math.floor(Math.random() * 2 ** 31),
  };
  return { help: false, options: Object.freeze(options) };
}
