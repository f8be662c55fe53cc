/**
 * One benchmark run: Kafka and Redis (reused or started), the provider simulator, N gateway
 * nodes, then the load generator (warm-up, the bare-SMPP baseline against the simulator, the
 * gateway run, back to back), RSS samples of each node, and the reports; everything it started
 * is stopped in the end, on failure and on abort (Ctrl-C) too.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { LoadReport } from '../loadgen/report.js';
import {
  CAPACITY_CRITERIA, capacityPathOf, capacityProblems, capacityRates, capacityRatio, representativeStep, shouldContinue, stepVerdict,
  type CapacityPath, type CapacityReport, type CapacityStep,
} from './capacity.js';
import { brokerPids, clockTicksPerSec, CostProbe, readProcStat, type ProbeSnapshot } from './cost-probe.js';
import { CpuWindow, runCostOf, type CpuGroupName } from './cpu-cost.js';
import { summarizeProfiles } from './cpu-profile.js';
import { deleteRunData, ensureInfra, releaseInfra, type InfraState } from './infra.js';
import type { BenchOptions } from './options.js';
import { freePort } from '../lib/ports.js';
import { gatewayConfig, generatorRun, nodeIdOf, simulatorArgs, type GeneratorRun, type RunRole, type RunStep } from './plan.js';
import { ChildFailedError, Children, type Child } from './processes.js';
import { readProfile } from './profile-top.js';
import {
  BENCH_SCHEMA, ratioOf, renderMarkdown, rssSummary, throttlePace, totalsOf, verdictOf,
  type BenchReport, type RssSeries, type RunTotals,
} from './report.js';
import { renderBenchHtml } from './report-html.js';
import { readRssMb } from './rss.js';

export interface BenchEnv {
  /** SMSGW_KAFKA_BROKERS, REDIS_URL as read at start-up. */
  kafkaBrokers?: string;
  redisUrl?: string;
  processEnv: NodeJS.ProcessEnv;
  /** Progress and status lines. */
  log: (line: string) => void;
  /** Aborts the run (Ctrl-C): running generators are stopped, then everything else. */
  signal?: AbortSignal;
  /** Repository root: dist/ and scripts/ are found from here. */
  root: string;
}

export interface BenchResult {
  report: BenchReport;
  markdown: string;
  dir: string;
}

export class BenchAbortedError extends ChildFailedError {
  constructor() {
    super('bench', 'aborted');
  }
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

export async function runBench(o: BenchOptions, env: BenchEnv): Promise<BenchResult> {
  const started = new Date();
  const dir = resolve(env.root, o.out, `${stamp(started)}-${o.scenario.name}`);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const prefix = `bench-${o.scenario.name}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}.`;
  const loadStart = loadavg();
  const children = new Children();
  const onExit = () => children.killAllNow();
  process.once('exit', onExit);
  const log = env.log;
  const js = (p: string) => join(env.root, 'dist', p);
  let infra: InfraState | undefined;
  const rss: RssSeries[] = [];
  let rssTimer: NodeJS.Timeout | undefined;
  let simulatorCounters: Record<string, number> | undefined;
  let probe: CostProbe | undefined;
  const abortIfAsked = () => { if (env.signal?.aborted) throw new BenchAbortedError(); };

  try {
    log(`results: ${dir}`);
    infra = await ensureInfra(env.root, env, env.processEnv, log);
    abortIfAsked();
    const childEnv = { ...env.processEnv, SMSGW_KAFKA_BROKERS: infra.brokers.join(','), REDIS_URL: infra.redisUrl };

    // The provider simulator.
    const sim = children.spawn('simulator', [js('scripts/provider-simulator.js'), ...simulatorArgs(o)], { logFile: join(dir, 'logs', 'simulator.log'), env: childEnv });
    sim.watch((line) => {
      if (!line.includes('"msg":"shutting down"')) return;
      try { simulatorCounters = (JSON.parse(line) as { counters?: Record<string, number> }).counters; } catch { /* ignore */ }
    });
    const simPort = Number((await sim.waitForLog<{ port: number }>('provider simulator listening', 30_000)).port);
    log(`simulator: 127.0.0.1:${simPort}`);

    // The gateway nodes, one after another (each creates or checks the topics first).
    const nodes: { child: Child; port: number; id: string }[] = [];
    // --edge http: each generator's webhook listener, known before the nodes' configurations.
    const webhookPorts = o.edge === 'http' ? await Promise.all(Array.from({ length: o.nodes }, () => freePort())) : [];
    for (let n = 0; n < o.nodes; n++) {
      abortIfAsked();
      const id = nodeIdOf(prefix, n);
      const configFile = join(dir, `gateway-n${n + 1}.json`);
      writeFileSync(configFile, JSON.stringify(gatewayConfig(o, { brokers: infra.brokers, redisUrl: infra.redisUrl, prefix }, n, simPort, webhookPorts), null, 2) + '\n');
      const prof = o.profile ? ['--cpu-prof', '--cpu-prof-dir', join(dir, `profile-n${n + 1}`)] : [];
      const child = children.spawn(`gateway n${n + 1}`, [...prof, js('src/main.js'), '--config', configFile], { logFile: join(dir, 'logs', `gateway-n${n + 1}.log`), env: childEnv });
      const rec = await child.waitForLog<{ listeners: { port: number }[]; http?: { port: number } | null }>('gateway node started', 90_000);
      // The load goes to the edge under test: the SMPP listener or the HTTP API.
      const port = o.edge === 'http' ? rec.http!.port : rec.listeners[0]!.port;
      nodes.push({ child, port, id });
      rss.push({ node: `n${n + 1}`, pid: child.pid, t: [], rssMb: [] });
      log(`gateway node n${n + 1} (${id}, pid ${child.pid}): 127.0.0.1:${port}`);
    }

    if (o.scenario.rssEverySec > 0) {
      const t0 = Date.now();
      const sample = () => {
        const t = Math.round((Date.now() - t0) / 100) / 10;
        for (const s of rss) {
          const mb = readRssMb(s.pid);
          if (mb !== undefined) { s.t.push(t); s.rssMb.push(mb); }
        }
      };
      sample();
      rssTimer = setInterval(sample, o.scenario.rssEverySec * 1000);
    }

    // What a message costs: the processes of each group, Kafka's end offsets, Redis's counters.
    const clkTck = clockTicksPerSec();
    const pidsOf: Record<Exclude<CpuGroupName, 'generator'>, number[]> = {
      gateway: nodes.map((n) => n.child.pid), broker: brokerPids(infra.brokers, env.processEnv), redis: [], simulator: [sim.pid],
    };
    try {
      probe = new CostProbe(infra.brokers, infra.redisUrl, prefix);
      await probe.connect();
      pidsOf.redis = await probe.redisPids();
    } catch (err) {
      log(`cost: no Kafka records or Redis commands per message (${err instanceof Error ? err.message : String(err)})`);
      await probe?.close();
      probe = undefined;
    }
    log(`cost: CPU from /proc (${clkTck} ticks/s) of gateway ${pidsOf.gateway.join(',')}, broker ${pidsOf.broker.join(',') || '(not on this machine)'}, `
      + `Redis ${pidsOf.redis.join(',') || '(not on this machine)'}, simulator ${sim.pid} and each load generator`);
    const snapshot = async (): Promise<ProbeSnapshot | undefined> => (probe ? probe.snapshot() : undefined);

    /** One run of every generator at once; a measured one (not the warm-up) with its cost. */
    const measured = async (role: RunRole, port: (i: number) => number, step?: RunStep): Promise<RunTotals> => {
      abortIfAsked();
      log(`--- ${role}${step ? ` step ${step.n}: ${step.rate}/s` : ''}`);
      const runs = nodes.map((_, i) => generatorRun(o, role, i, port(i), dir, step, webhookPorts[i]));
      const costed = role !== 'warmup';
      const inPath = role !== 'baseline';
      const window = new CpuWindow([
        { group: 'gateway', pids: pidsOf.gateway, inPath },
        { group: 'broker', pids: pidsOf.broker, inPath },
        { group: 'redis', pids: pidsOf.redis, inPath },
        { group: 'simulator', pids: pidsOf.simulator, inPath: true },
      ], readProcStat);
      // Records and commands over the whole run (binds to the last receipt), so every one the
      // run's messages caused is counted; CPU over the window the throughput figures use.
      const before = costed ? await snapshot() : undefined;
      const onPhase = (pid: number, phase: string) => {
        if (phase === 'send') window.generatorStarted(pid);
        else if (phase === 'done') window.generatorDone(pid);
      };
      const reports = await Promise.all(runs.map((r) => runGenerator(children, r, js('scripts/loadgen/main.js'), dir, env, costed ? onPhase : undefined)));
      const after = costed ? await snapshot() : undefined;
      const totals = totalsOf(step ? `${role} ${step.rate}/s` : role, reports);
      if (costed) {
        if (!window.complete) log(`cost: ${role}: the load generator did not mark its sending phase; no CPU figures`);
        totals.cost = runCostOf({
          windowSec: window.windowSec, receiptsExpected: totals.receiptsExpected, receiptsMatched: totals.receiptsMatched, accepted: totals.accepted,
          clkTck, groups: window.ticks(),
          ...(before?.kafkaOk && after?.kafkaOk ? { kafka: { prefix, before: before.topics, after: after.topics, internalBefore: before.internal, internalAfter: after.internal } } : {}),
          ...(before?.redisOk && after?.redisOk ? { redis: { before: before.commands, after: after.commands } } : {}),
        });
      }
      return totals;
    };

    const runs: BenchReport['runs'] = { gateway: undefined as unknown as RunTotals };
    let capacity: CapacityReport | undefined;
    if (o.warmupSec > 0) runs.warmup = await measured('warmup', (i) => nodes[i]!.port);
    const steps = o.scenario.steps;
    if (steps) {
      const rates = capacityRates(o.scenario.rate, steps.factor, steps.maxRate);
      log(`capacity: steps of ${o.scenario.durationSec} s at ${rates.join(', ')}/s, each path until one does not hold`);
      const climb = async (path: CapacityPath['path'], port: (i: number) => number): Promise<CapacityPath> => {
        const done: CapacityStep[] = [];
        for (const [k, rate] of rates.entries()) {
          if (!shouldContinue(done)) break;
          const totals = await measured(path, port, { n: k + 1, rate });
          const v = stepVerdict(totals, rate);
          done.push({ step: k + 1, rate, held: v.held, reasons: v.reasons, totals });
          log(`capacity: ${path} ${rate}/s ${v.held ? 'held' : `did not hold: ${v.reasons.join('; ')}`}`);
        }
        return capacityPathOf(path, done, rates);
      };
      const baseline = o.scenario.baseline ? await climb('baseline', () => simPort) : undefined;
      const gateway = await climb('gateway', (i) => nodes[i]!.port);
      capacity = {
        startRate: o.scenario.rate, factor: steps.factor, stepSec: o.scenario.durationSec, maxRate: steps.maxRate, criteria: { ...CAPACITY_CRITERIA },
        ...(baseline ? { baseline } : {}), gateway, ...capacityRatio(gateway, baseline),
      };
      const b = baseline ? representativeStep(baseline) : undefined;
      if (b) runs.baseline = b.totals;
      runs.gateway = representativeStep(gateway)!.totals;
    } else {
      if (o.scenario.baseline) runs.baseline = await measured('baseline', () => simPort);
      runs.gateway = await measured('gateway', (i) => nodes[i]!.port);
    }

    if (rssTimer) clearInterval(rssTimer);
    rssTimer = undefined;
    log('--- stopping');
    for (const n of nodes) {
      const code = await n.child.stop(30_000);
      if (code !== 0) log(`gateway ${n.id} exited with ${code}`);
    }
    await sim.stop(10_000);

    const profiles: BenchReport['profiles'] = [];
    if (o.profile) {
      for (let n = 0; n < o.nodes; n++) {
        const pdir = join(dir, `profile-n${n + 1}`);
        const files = safeList(pdir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(pdir, f));
        if (files.length === 0) continue;
        profiles.push({ name: `node n${n + 1} (${files.length} threads: main + workers)`, summary: summarizeProfiles(files.map(readProfile), o.topFunctions) });
      }
    }

    const s = o.scenario;
    // A capacity run's paths are compared by the rates they hold, not by one pair of runs.
    const ratio = runs.baseline && !capacity ? ratioOf(runs.gateway, runs.baseline) : undefined;
    const throttle = s.simulatorMaxPerSec !== undefined ? throttlePace(s, runs.gateway, simulatorCounters?.throttled ?? null) : undefined;
    const report: BenchReport = {
      schema: BENCH_SCHEMA,
      scenario: { ...s, rate: Number.isFinite(s.rate) ? s.rate : 'max' },
      settings: {
        edge: o.edge, nodes: o.nodes, threads: o.threads ?? 'default', partitions: o.partitions, receiptDelayMs: o.receiptDelayMs,
        drainSec: o.drainSec, warmupSec: o.warmupSec, profile: o.profile, seed: o.seed,
      },
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: {
        cores: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? '?', memTotalMb: Math.round(totalmem() / 2 ** 20),
        node: process.version, loadAvgStart: loadStart, loadAvgEnd: loadavg(),
      },
      runs,
      ...(ratio ? { ratio } : {}),
      ...(throttle ? { throttle } : {}),
      ...(simulatorCounters ? { simulator: simulatorCounters } : {}),
      rss: { series: rss, summary: rss.map(rssSummary) },
      profiles,
      ...(capacity ? { capacity } : {}),
      files: [],
      verdict: verdictOf(runs, throttle, capacity ? [...(capacity.baseline ? capacityProblems(capacity.baseline) : []), ...capacityProblems(capacity.gateway)] : undefined),
    };
    const markdown = renderMarkdown(report);
    writeFileSync(join(dir, 'summary.md'), markdown);
    report.files = [...listFiles(dir).map((f) => relative(dir, f)), 'bench.json', 'index.html'].sort();
    writeFileSync(join(dir, 'bench.json'), JSON.stringify(report, null, 2) + '\n');
    writeFileSync(join(dir, 'index.html'), renderBenchHtml(report, markdown));
    return { report, markdown, dir };
  } finally {
    if (rssTimer) clearInterval(rssTimer);
    await probe?.close();
    await children.stopAll(15_000);
    process.removeListener('exit', onExit);
    if (infra) {
      if (!o.keep) {
        await deleteRunData(infra, prefix).then(
          (d) => log(`deleted the run's ${d.topics} topics and ${d.keys} Redis keys (prefix ${prefix})`),
          (err: unknown) => log(`could not delete the run's topics/keys (prefix ${prefix}): ${err instanceof Error ? err.message : String(err)}`),
        );
      }
      await releaseInfra(env.root, infra, env.processEnv, log);
    }
  }
}

/** The `msg` of the load generator's --mark-phases lines (PHASE_MARK in scripts/loadgen/main.ts). */
const PHASE_MARK = `"msg":"loadgen phase"`;

/**
 * Runs one load generator process to its end and reads its JSON report. `onPhase` hears its
 * start of sending and its end of drain (while it still runs, so its /proc can be read).
 */
async function runGenerator(children: Children, r: GeneratorRun, script: string, dir: string, env: BenchEnv, onPhase?: (pid: number, phase: string) => void): Promise<LoadReport> {
  const name = r.name;
  const child = children.spawn(name, [script, ...r.argv], {
    logFile: join(dir, 'logs', `${name}.log`),
    stdoutFile: join(dir, `${name}.txt`),
    env: env.processEnv,
    onStderrLine: (line) => { if (!line.includes(PHASE_MARK)) env.log(`[${name}] ${line}`); },
  });
  if (onPhase) {
    child.watch((line) => {
      if (!line.includes(PHASE_MARK)) return;
      try {
        onPhase(child.pid, String((JSON.parse(line) as { phase?: unknown }).phase));
      } catch { /* not the mark after all */ }
    });
  }
  const stopOnAbort = () => void child.stop(5_000);
  env.signal?.addEventListener('abort', stopOnAbort, { once: true });
  const code = await child.exited;
  env.signal?.removeEventListener('abort', stopOnAbort);
  if (env.signal?.aborted) throw new BenchAbortedError();
  // 0: nothing to complain about; 1: a --fail-on condition (still a report, judged by us).
  if (code !== 0 && code !== 1) throw new ChildFailedError(name, `load generator exited with ${code}:\n${child.lastLines()}`);
  return JSON.parse(readFileSync(r.json, 'utf8')) as LoadReport;
}

function safeList(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

function listFiles(d: string): string[] {
  return safeList(d).flatMap((f) => {
    const p = join(d, f);
    const sub = safeList(p);
    return sub.length ? sub.map((x) => join(p, x)) : [p];
  });
}
