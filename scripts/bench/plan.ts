/**
 * Turns the options into what the orchestrator starts: the simulator's arguments, one gateway
 * configuration per node, and the load generator's arguments for each run. Pure: ports and
 * names come in, data goes out.
 *
 * With N nodes there are N generators, one per node, each with its own customers (so each
 * one's accounting is whole: a customer's receipts come back over its own binds) and 1/N of the
 * rate. The baseline runs the very same generators against the simulator.
 */
import type { BenchOptions } from './options.js';

export interface Infra {
  brokers: readonly string[];
  redisUrl: string;
  /** Unique per run: topics, consumer groups and Redis keys start with it. */
  prefix: string;
}

export interface CustomerCreds {
  systemId: string;
  password: string;
}

/** Customers of generator `g` (0-based): b<g+1>c<i>, password pw<i>. */
export function customersOf(o: BenchOptions, g: number): CustomerCreds[] {
  const total = o.scenario.customers;
  const per = Math.floor(total / o.nodes) + (g < total % o.nodes ? 1 : 0);
  return Array.from({ length: per }, (_, i) => ({ systemId: `b${g + 1}c${i + 1}`, password: `pw${i + 1}` }));
}

export function nodeIdOf(prefix: string, n: number): string {
  return `${prefix.replace(/[^A-Za-z0-9_.-]/g, '').replace(/\.$/, '')}-n${n + 1}`;
}

/** The configuration of gateway node `n` (0-based), as the YAML/JSON the node reads. */
export function gatewayConfig(o: BenchOptions, infra: Infra, n: number, simulatorPort: number, webhookPorts: readonly number[] = []): Record<string, unknown> {
  const s = o.scenario;
  const providers = Array.from({ length: s.providerBinds }, (_, i) => ({
    id: `sim${i + 1}`, host: '127.0.0.1', port: simulatorPort, systemId: `gw${i + 1}`, password: 'gwpass',
    bindType: 'transceiver', rate: s.providerRate, window: s.providerWindow,
  }));
  const customers = Array.from({ length: o.nodes }, (_, g) => customersOf(o, g).map((c) => ({ ...c, g }))).flat().map((c) => ({
    systemId: c.systemId, password: c.password, bindTypes: ['transmitter', 'receiver', 'transceiver'],
    // Room for every bind of the scenario plus a reconnect racing its old lease.
    maxBinds: s.binds + 2,
    // Over HTTP a customer's receipts come back to its own generator's webhook listener.
    ...(o.edge === 'http' ? { webhook: { url: `http://127.0.0.1:${webhookPorts[c.g]}/events`, secret: 'bench-webhook-secret' } } : {}),
  }));
  return {
    node: {
      id: nodeIdOf(infra.prefix, n),
      logLevel: o.gatewayLogLevel,
      shutdownTimeoutMs: 20_000,
      ...(o.threads === undefined ? {} : { threads: o.threads }),
    },
    listeners: [{ name: 'smpp', host: '127.0.0.1', port: 0 }],
    ...(o.edge === 'http' ? { http: { host: '127.0.0.1', port: 0 } } : {}),
    // Every load generator connection comes from 127.0.0.1.
    session: { window: Math.max(10, s.window), enquireLinkIntervalMs: 0, maxConnectionsPerAddress: Math.max(100, s.customers * s.binds + 10) },
    kafka: { brokers: [...infra.brokers], topicPrefix: infra.prefix, partitions: o.partitions },
    redis: { url: infra.redisUrl, keyPrefix: infra.prefix },
    customers,
    providers,
    routes: [s.providerBinds === 1
      ? { name: 'all', provider: 'sim1' }
      : { name: 'all', kind: 'weighted', providers: providers.map((p) => p.id) }],
    delivery: { retryIntervalMs: 500 },
  };
}

export function simulatorArgs(o: BenchOptions): string[] {
  return [
    '--host', '127.0.0.1', '--port', '0',
    '--receipt-delay-ms', String(o.receiptDelayMs),
    ...(o.scenario.simulatorMaxPerSec === undefined ? [] : ['--max-submits-per-second', String(o.scenario.simulatorMaxPerSec)]),
    '--log-level', 'info',
  ];
}

export type RunRole = 'warmup' | 'baseline' | 'gateway';

export interface GeneratorRun {
  role: RunRole;
  /** 0-based generator (and node) number. */
  index: number;
  /** Its files' and log's name: `gateway-1`, `baseline-s3-1`. */
  name: string;
  label: string;
  argv: string[];
  json: string;
  html: string;
}

const fmtRate = (r: number) => (Number.isFinite(r) ? String(Math.max(r, 0.01)) : 'max');

/** One step of a stepped (capacity) run: its number (1-based) and its rate over every generator. */
export interface RunStep {
  n: number;
  rate: number;
}

/**
 * The load generator's arguments for one generator of one run. `port` is the gateway node's
 * listener (gateway, warmup) or the simulator's (baseline); files are relative to the results
 * folder `dir`. A `step` of a capacity run sets the rate and gets files of its own
 * (`gateway-s3-1.json`).
 */
export function generatorRun(o: BenchOptions, role: RunRole, index: number, port: number, dir: string, step?: RunStep, webhookPort?: number): GeneratorRun {
  const s = o.scenario;
  const customers = customersOf(o, index);
  const warm = role === 'warmup';
  const name = step ? `${role}-s${step.n}-${index + 1}` : `${role}-${index + 1}`;
  const label = `${s.name} ${role}${step ? ` step ${step.n} (${step.rate}/s)` : ''}${o.nodes > 1 ? ` (generator ${index + 1}/${o.nodes})` : ''}`;
  const json = `${dir}/${name}.json`;
  const html = `${dir}/${name}.html`;
  const rate = warm ? Math.max(5, 20 / o.nodes) : (step?.rate ?? s.rate) / o.nodes;
  const argv = [
    '--host', '127.0.0.1', '--port', String(port),
    '--system-id', `b${index + 1}c{i}`, '--password', 'pw{i}', '--customers', String(customers.length),
    '--binds', String(warm ? 1 : s.binds), '--bind-mode', 'transceiver', '--window', String(s.window),
    '--rate', fmtRate(rate), '--duration', String(warm ? o.warmupSec : s.durationSec),
    '--multipart-ratio', String(s.multipartRatio), '--parts', `${s.minParts}-${s.maxParts}`,
    '--ucs2-ratio', String(s.ucs2Ratio), '--receipt-unit', s.receiptUnit,
    '--drain-ms', String(Math.round((warm ? Math.max(30, o.drainSec) : o.drainSec) * 1000)), '--settle-ms', '1000',
    '--seed', String(o.seed + index), '--fail-on', 'missing,duplicates,unknown,errors',
    '--json', json, '--html', html, '--label', label, '--progress', 'lines',
    // The start of sending and the end of the drain: the window the CPU figures cover.
    '--mark-phases',
    // 1,000 binds take a while on a busy machine.
    '--bind-timeout-ms', String(Math.max(10_000, customers.length * s.binds * 30)),
    // The bare path has no HTTP: the baseline stays SMPP.
    ...(o.edge === 'http' && role !== 'baseline' ? ['--edge', 'http', '--webhook-port', String(webhookPort ?? 0)] : []),
  ];
  return { role, index, name, label, argv, json, html };
}
