/**
 * The fault harness: three Kafka brokers (replication 3, min.insync.replicas 2), its own Redis,
 * two provider simulators and N gateway nodes as separate processes; steady load from the load
 * generator with each customer bound to several nodes; faults injected on a schedule (gateway
 * node SIGKILL and restart, broker SIGKILL and restart, Redis restart, a provider dropping its
 * connections mid-window); then an accounting of every message.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Children, type Child } from '../bench/processes.js';
import { freePort, freePortBlock } from '../lib/ports.js';
import { redisServerArgs } from '../lib/redis-server.js';
import { startProviderSimulator, type ProviderSimulator } from '../provider-simulator.js';
import { runLoadgen } from '../loadgen/generator.js';
import { parseLoadgenArgs } from '../loadgen/options.js';
import type { LoadReport } from '../loadgen/report.js';
import { createKafka, type KafkaClient } from '../../src/kafka/client.js';
import { topicNames } from '../../src/kafka/topics.js';
import { committedOffsets } from '../../src/kafka/offsets.js';
import { silentLogger } from '../../src/log.js';
import { decodeRecord, type LifecycleEvent, type MessageRecord, type OutgoingRecord } from '../../src/domain/records.js';
import { decodeEvents } from '../../src/domain/lifecycle.js';
import { schedule, type TimedFault } from './schedule.js';
import { byKind, disruptedSeconds, median, perSecond, type KindSummary } from './disruption.js';
import { Status } from '../../src/smpp/status.js';
import { inFlightAt, judge, routedKey, submitKey, type Crash, type Observed, type Verdict } from './accounting.js';
import { incarnation, servedAgain, snapshot, type GroupSnapshot, type StageGroup } from './recovery.js';

const run = promisify(execFile);

export interface HarnessOptions {
  root: string;
  durationS: number;
  rate: number;
  nodes: number;
  window: number;
  /** Submits in flight per provider bind (each provider is one bind per owning node). */
  providerWindow: number;
  multipartRatio: number;
  outDir: string;
  log: (line: string) => void;
}

export interface FaultReport {
  startedAt: string;
  options: Omit<HarnessOptions, 'log' | 'root'>;
  faults: {
    atS: number; fault: TimedFault['fault']; doneAtS: number; recoveryMs?: number; notServedAgain?: string; inFlight?: number;
    /** Seconds until the providers took submits at 80 % of the usual rate again (disruption.ts); null: not within the run. */
    disruptedS?: number | null;
  }[];
  /** The providers' intake over the load, and how long each kind of fault held it down. */
  flow: {
    usualPerSecond: number; providerSubmitsPerSecond: number[];
    /** Receipts the gateway acknowledged to the providers, per second of the load and the drain after it. */
    providerReceiptsPerSecond: number[];
    /** Receipts a provider had to send again (no receiving bind, a refusal or no answer). */
    providerReceiptRetries: number;
    byKind: KindSummary[];
  };
  load: Pick<LoadReport, 'submits' | 'receipts' | 'throughput' | 'latencyMs'>;
  observed: Omit<Observed, 'wholeMessageKeys' | 'submittedIds' | 'providerSubmitKeys'> & {
    wholeMessages: number; submittedMessages: number; providerSubmits: number;
    /** Of `inFlight`: submits sent again after a provider dropped its connections. */
    inFlightAtDrops: number;
  };
  verdict: Verdict;
  /** The lifecycle events of each id in the load report's sample of missing receipts. */
  missingTrace: Record<string, { type: string; node: string; at: number; detail?: unknown }[]>;
  /** Up to 20 messages providers took twice: when (seconds into the run), and their events. */
  duplicateTrace: { key: string; messageId?: string; takenAtS: number[]; events: { type: string; node: string; atS: number }[] }[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The providers' response timeout in the nodes' configuration; the slow provider answers later. */
const PROVIDER_RESPONSE_TIMEOUT_MS = 3000;

/** The nodes' kafkajs client id stem, set in their configuration: node n's clients are `<this>-<node id>[-w<i>]`. */
const NODE_CLIENT_ID = 'smsgw';

export async function runFaults(o: HarnessOptions): Promise<FaultReport> {
  mkdirSync(o.outDir, { recursive: true });
  const children = new Children();
  const env = { ...process.env, KAFKA_HEAP: process.env.KAFKA_HEAP ?? '512m' };
  const runId = `${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
  const prefix = `faults-${runId}.`;
  // A cluster of its own (ports, data folder): another run on this machine cannot wipe it.
  const cluster = ['--nodes', '3', '--name', `faults-${runId}`, '--base-port', String(await freePortBlock(6))];
  const kafkaSh = (...args: string[]) => run('bash', [join(o.root, 'scripts/kafka.sh'), ...args, ...cluster], { env, maxBuffer: 1 << 20 });
  let simulators: ProviderSimulator[] = [];
  let redis: Child | null = null;
  const nodes: (Child | null)[] = [];
  // Woken before anything is stopped: a stopped process takes no SIGTERM.
  let keepData = false;
  const pausedNodes = new Set<number>();
  const pausedMembers = new Map<number, Set<string>>();
  const pausedBrokers = new Set<number>();
  const wakeAll = async () => {
    for (const n of pausedNodes) nodes[n]?.proc.kill('SIGCONT');
    pausedNodes.clear();
    for (const b of pausedBrokers) await kafkaSh('resume', '--node', String(b)).catch(() => undefined);
    pausedBrokers.clear();
  };
  // Stopping the harness (Ctrl-C, a kill) stops what it started; otherwise the nodes, Redis and
  // the brokers would outlive it.
  const onSignal = (signal: NodeJS.Signals) => {
    o.log(`${signal}: stopping the gateway nodes, Redis and the brokers`);
    void wakeAll().then(() => children.stopAll(5000))
      .then(() => kafkaSh('wipe'))
      .catch(() => undefined)
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    o.log(`starting three Kafka brokers (KRaft), replication 3, min.insync.replicas 2, on fresh storage (${cluster.slice(2).join(' ')})`);
    const { stdout } = await kafkaSh('start');
    const brokers = stdout.trim().split('\n').pop()!;
    const redisPort = await freePort();
    // Redis is its own child here (not the shared one) so that it can be restarted empty.
    const spawnRedis = () => {
      const c = children.spawnCommand('redis', 'redis-server', redisServerArgs(redisPort), { logFile: join(o.outDir, 'redis.log') });
      redis = c;
      return c;
    };
    spawnRedis();
    await sleep(500);

    simulators = await Promise.all([0, 1].map((i) => startProviderSimulator({
      host: '127.0.0.1', port: 0, systemId: `gw${i}`, password: 'pw', receiptDelayMs: 100, logger: silentLogger,
      // The providers' own window for receipts (deliver_sm), as the gateway's is for submits: a
      // receipt waits for its slot, and each slot is held for the gateway's durable write.
      connection: { window: o.providerWindow },
    })));
    const ports = await Promise.all(Array.from({ length: o.nodes }, () => freePort()));
    const customers = [1, 2, 3].map((i) => ({ systemId: `fc${i}`, password: `pw${i}` }));
    const nodeId = (n: number) => `${prefix.replace(/[^A-Za-z0-9_.-]/g, '')}gw${n}`;
    const configFor = (n: number) => ({
      node: { id: nodeId(n), threads: 1, shutdownTimeoutMs: 20000, logLevel: 'info' },
      listeners: [{ name: 'smpp', host: '127.0.0.1', port: ports[n] }],
      kafka: { brokers: brokers.split(','), clientId: NODE_CLIENT_ID, topicPrefix: prefix, partitions: 6, replicationFactor: 3 },
      redis: { url: `redis://127.0.0.1:${redisPort}`, keyPrefix: prefix },
      customers: customers.map((c) => ({ ...c, maxBinds: 50 })),
      providers: simulators.map((s, i) => ({
        id: `p${i}`, host: '127.0.0.1', port: s.address.port, systemId: `gw${i}`, password: 'pw', rate: 500, window: o.providerWindow,
        responseTimeoutMs: PROVIDER_RESPONSE_TIMEOUT_MS,
      })),
      routes: [{ kind: 'weighted', providers: ['p0', 'p1'] }],
      // Two of the three customers share a delivery partition (their ids hash so), and on this
      // machine, loaded by three brokers, a deliver_sm's round trip through the load generator
      // takes 100-200 ms: the default window of 20 carried about 100 receipts/s on that partition
      // against 150/s arriving. 100 leaves the customers' own bind windows (10 each) the limit.
      delivery: { retryIntervalMs: 500, window: 100 },
      // A message whose other parts were sent to a node as it died is answered within the
      // run's drain (a failed receipt per accepted part) instead of after five minutes.
      assembler: { timeoutMs: 20000 },
    });
    const startNodeProc = async (n: number) => {
      const path = join(o.outDir, `gw${n}.json`);
      writeFileSync(path, JSON.stringify(configFor(n), null, 2));
      const c = children.spawn(`gw${n}`, [join(o.root, 'dist/src/main.js'), '--config', path], {
        logFile: join(o.outDir, `gw${n}.log`), env: { ...process.env, SMSGW_KAFKA_BROKERS: '', REDIS_URL: '' },
      });
      nodes[n] = c;
      await c.waitForLog('gateway node started', 180000);
      return c;
    };
    o.log('waiting for the group and transaction coordinators of the new cluster');
    await warmUp(createKafka({ brokers: brokers.split(',') }, 'faults-warmup', silentLogger), `${prefix}warmup`);
    o.log(`starting ${o.nodes} gateway nodes`);
    for (let n = 0; n < o.nodes; n++) await startNodeProc(n);

    const kafka = createKafka({ brokers: brokers.split(',') }, 'faults', silentLogger);
    const topics = topicNames(prefix);
    const stages = await stageGroups(kafka, prefix, topics);
    const groupIds = stages.map((s) => s.groupId);

    const args = [
      '--host', '127.0.0.1', '--port', ports.join(','), '--credentials', writeCreds(o.outDir, customers),
      '--customers', '3', '--binds', String(o.nodes), '--window', String(o.window), '--rate', String(o.rate),
      '--duration', String(o.durationS), '--multipart-ratio', String(o.multipartRatio), '--ucs2-ratio', '0.2', '--unique-destinations',
      '--drain-ms', '180000', '--settle-ms', '3000', '--response-timeout-ms', '15000', '--fail-on', 'none', '--progress', 'off', '--quiet',
    ];
    const parsed = parseLoadgenArgs(args);
    if (parsed.help) throw new Error('unexpected help');
    const started = Date.now();
    const faults = schedule(o.durationS, o.nodes);
    const done: FaultReport['faults'] = [];
    o.log(`load: ${o.rate}/s for ${o.durationS} s over ${o.nodes} nodes; ${faults.length} faults scheduled`);
    const loadP = runLoadgen(parsed.options, { logger: silentLogger });
    const crashes: { crash: Crash; entry: FaultReport['faults'][number] }[] = [];
    // Measured beside the schedule, which must not wait for a recovery.
    const measuring: Promise<void>[] = [];
    for (const f of faults) {
      const wait = started + f.atS * 1000 - Date.now();
      if (wait > 0) await sleep(wait);
      const at = (Date.now() - started) / 1000;
      const entry: FaultReport['faults'][number] = { atS: Math.round(at), fault: f.fault, doneAtS: 0 };
      switch (f.fault.kind) {
        case 'kill-node':
        case 'pause-node': {
          const victim = f.fault.node;
          const c = nodes[victim];
          const how = f.fault.kind === 'kill-node' ? 'killed' : 'paused';
          // Its member ids, read while it is the only process with its client ids: the restart
          // comes under the same node id, and only the member ids tell the two apart. Read
          // again after the death, for a member that rejoined under a new id in between.
          const victimClient = `${NODE_CLIENT_ID}-${nodeId(victim)}`;
          const before = await describeGroups(kafka, groupIds, 5000);
          if (how === 'killed') {
            c?.proc.kill('SIGKILL');
            await c?.exited;
          } else {
            // Hung, not dead: it holds its sockets, claims and queue, and wakes up later.
            c?.proc.kill('SIGSTOP');
            pausedNodes.add(victim);
          }
          const stoppedAt = Date.now();
          // The stopped node commits nothing more: what it sent past these offsets is sent again.
          crashes.push({ crash: { at: stoppedAt, committed: await committedOffsets(kafka, `${prefix}supplier`, topics.providerOutgoing) }, entry });
          const after = await describeGroups(kafka, groupIds, 5000);
          const dead = new Set([...incarnation(before, victimClient), ...incarnation(after, victimClient)]);
          // A paused node that wakes inside a rebalance's timeout keeps its member ids: from its
          // wake-up its members count as live again (resume-node clears this set).
          if (how === 'paused') pausedMembers.set(victim, dead);
          if (dead.size === 0) o.log(`node ${victim}: no group member of it could be read; its recovery is timed on the assignments alone`);
          measuring.push(recovery(kafka, stages, dead, simulators, stoppedAt, 120000).then((r) => {
            entry.recoveryMs = r.ms;
            if (r.waitingFor === undefined) o.log(`node ${victim} ${how} at t=${entry.atS}s: its share served again after ${r.ms} ms`);
            else {
              entry.notServedAgain = r.waitingFor;
              o.log(`node ${victim} ${how} at t=${entry.atS}s: its share not served again within ${r.ms} ms (${r.waitingFor})`);
            }
          }));
          break;
        }
        case 'resume-node':
          nodes[f.fault.node]?.proc.kill('SIGCONT');
          pausedMembers.get(f.fault.node)?.clear();
          pausedMembers.delete(f.fault.node);
          pausedNodes.delete(f.fault.node);
          break;
        case 'pause-broker':
          await kafkaSh('pause', '--node', String(f.fault.broker));
          pausedBrokers.add(f.fault.broker);
          break;
        case 'resume-broker':
          await kafkaSh('resume', '--node', String(f.fault.broker));
          pausedBrokers.delete(f.fault.broker);
          break;
        case 'slow-provider':
          // Answers after the gateway gave up on them: each submit is sent again (possibleDuplicate).
          simulators[f.fault.provider]!.setBehaviour('slow', { responseDelayMs: PROVIDER_RESPONSE_TIMEOUT_MS + 1500 });
          break;
        case 'refuse-binds':
          simulators[f.fault.provider]!.refuseBinds(Status.ESME_RBINDFAIL);
          simulators[f.fault.provider]!.dropConnections();
          break;
        case 'provider-normal':
          simulators[f.fault.provider]!.setBehaviour('happy');
          simulators[f.fault.provider]!.refuseBinds(null);
          break;
        case 'restart-node':
          await startNodeProc(f.fault.node);
          break;
        case 'kill-broker':
          await kafkaSh('kill', '--node', String(f.fault.broker));
          break;
        case 'restart-broker':
          await kafkaSh('start', '--node', String(f.fault.broker));
          break;
        case 'restart-redis': {
          const r = redis as Child | null;
          r?.proc.kill('SIGKILL');
          await r?.exited;
          spawnRedis();
          await sleep(300);
          break;
        }
        case 'drop-provider':
          simulators[f.fault.provider]!.dropConnections();
          break;
      }
      entry.doneAtS = Math.round((Date.now() - started) / 1000);
      done.push(entry);
      o.log(`t=${entry.atS}s ${JSON.stringify(f.fault)}`);
    }
    const load = await loadP;
    await Promise.all(measuring);
    const recoveries = done.flatMap((f) => (f.recoveryMs === undefined ? [] : [f.recoveryMs]));
    o.log(`load done: accepted ${load.submits.accepted}, receipts missing ${load.receipts.missing}`);

    // A whole message is written once: to customer-incoming-messages, or (a single-part one the
    // edge routed) straight to provider-outgoing-messages. Hand-backs to the router are not new ones.
    const wholeMessageKeys = (await readTopic(kafka, topics.messages)).filter((r) => !(decodeRecord<MessageRecord>(r.value).reroute)).map((r) => r.key);
    const events = (await readTopic(kafka, topics.events)).flatMap((r) => decodeEvents(r.value));
    const submittedIds = events.filter((e) => e.type === 'submitted').map((e) => e.messageId);
    const inFlightAtDrops = events.filter((e) => e.type === 'submit_retry' && e.detail?.possibleDuplicate === true).length;
    const routedIds = new Map<string, string>();
    const routed = (await readTopic(kafka, topics.providerOutgoing)).map((r) => {
      const out = decodeRecord<OutgoingRecord>(r.value);
      const m = out.message;
      if (out.atEdge) wholeMessageKeys.push(m.id);
      routedIds.set(routedKey(m), m.id);
      return { partition: r.partition, offset: BigInt(r.offset), key: routedKey(m) };
    });
    const submits = simulators.flatMap((s) => s.submitted.map((m) => ({ key: submitKey(m.pdu), at: m.at.getTime() })));
    for (const { crash, entry } of crashes) entry.inFlight = inFlightAt(crash, routed, submits);
    const series = perSecond(submits.map((x) => x.at), started, o.durationS);
    // The usual rate: the median second of the load, faults and all (most seconds are calm).
    const usual = median(series);
    for (const f of done) f.disruptedS = disruptedSeconds(series, Math.floor(f.atS), usual);
    const receiptSeries = perSecond(simulators.flatMap((s) => s.receiptsSent.map((r) => r.at.getTime())), started, Math.ceil((Date.now() - started) / 1000));
    const receiptRetries = simulators.reduce((n, s) => n + s.counters.receiptRetries, 0);
    const flow = { usualPerSecond: usual, providerSubmitsPerSecond: series, providerReceiptsPerSecond: receiptSeries, providerReceiptRetries: receiptRetries, byKind: byKind(done.map((f) => ({ kind: f.fault.kind, disruptedS: f.disruptedS ?? null }))) };
    const observed: Observed = {
      accepted: load.submits.accepted, receiptsMissing: load.receipts.missing, receiptsDuplicated: load.receipts.duplicates,
      receiptsUnknown: load.receipts.unknown, submitsUnanswered: load.submits.unanswered + load.submits.errors,
      wholeMessageKeys, submittedIds, providerSubmitKeys: submits.map((s) => s.key),
      inFlight: crashes.reduce((n, c) => n + (c.entry.inFlight ?? 0), 0) + inFlightAtDrops, recoveriesMs: recoveries,
    };
    const verdict = judge(observed);
    const { wholeMessageKeys: _w, submittedIds: _s, providerSubmitKeys: _p, ...rest } = observed;
    const report: FaultReport = {
      startedAt: new Date(started).toISOString(),
      options: { durationS: o.durationS, rate: o.rate, nodes: o.nodes, window: o.window, providerWindow: o.providerWindow, multipartRatio: o.multipartRatio, outDir: o.outDir },
      faults: done,
      flow,
      load: { submits: load.submits, receipts: load.receipts, throughput: load.throughput, latencyMs: load.latencyMs },
      observed: { ...rest, wholeMessages: wholeMessageKeys.length, submittedMessages: submittedIds.length, providerSubmits: submits.length, inFlightAtDrops },
      verdict,
      missingTrace: traceOf(load.receipts.missingSample, events),
      duplicateTrace: duplicatesOf(submits, routedIds, started, events),
    };
    writeFileSync(join(o.outDir, 'faults.json'), JSON.stringify(report, null, 2));
    keepData = !verdict.ok;
    return report;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await wakeAll();
    await children.stopAll(20000);
    await Promise.allSettled(simulators.map((s) => s.close()));
    // Its data goes with it (each run has a folder of its own, which nothing would reuse),
    // unless a promise broke: then its topics are the evidence, kept with the brokers stopped.
    if (keepData) {
      o.log(`verdict failed: the cluster's data is kept for inspection; start it with scripts/kafka.sh start ${cluster.join(' ')}, remove it with wipe`);
      await kafkaSh('stop').catch(() => undefined);
    } else {
      await kafkaSh('wipe').catch(() => undefined);
    }
  }
}

/**
 * A fresh three-broker cluster answers "coordinator not available / loading" for a while after
 * start; a consumer group join and a transactional producer's init succeed only once both
 * coordinators serve, so the nodes start on a cluster that is ready.
 */
async function warmUp(kafka: KafkaClient, groupId: string): Promise<void> {
  const deadline = Date.now() + 240000;
  for (;;) {
    try {
      const producer = kafka.producer({ transactionalId: `${groupId}-tx`, maxInFlightRequests: 1, idempotent: true });
      await producer.connect();
      const tx = await producer.transaction();
      await tx.abort();
      await producer.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      await admin.describeGroups([groupId]);
      await admin.disconnect();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(2000);
    }
  }
}

/** What became of the messages whose receipts never came: every event that names them. */
function traceOf(ids: readonly string[], events: readonly LifecycleEvent[]): FaultReport['missingTrace'] {
  const trace: FaultReport['missingTrace'] = {};
  for (const id of ids) {
    trace[id] = events.filter((e) => e.messageId === id || JSON.stringify(e.detail ?? {}).includes(id))
      .map((e) => ({ type: e.type, node: e.node, at: e.at, detail: e.detail }));
  }
  return trace;
}

function duplicatesOf(
  submits: readonly { key: string | null; at: number }[], routedIds: ReadonlyMap<string, string>, started: number, events: readonly LifecycleEvent[],
): FaultReport['duplicateTrace'] {
  const times = new Map<string, number[]>();
  for (const s of submits) if (s.key !== null) times.set(s.key, [...(times.get(s.key) ?? []), s.at]);
  const sec = (t: number) => Math.round((t - started) / 100) / 10;
  return [...times].filter(([, t]) => t.length > 1).slice(0, 20).map(([key, t]) => {
    const messageId = routedIds.get(key);
    return {
      key, ...(messageId ? { messageId } : {}), takenAtS: t.map(sec),
      events: events.filter((e) => e.messageId === messageId).map((e) => ({ type: e.type, node: e.node, atS: sec(e.at) })),
    };
  });
}

function writeCreds(dir: string, creds: { systemId: string; password: string }[]): string {
  const path = join(dir, 'customers.json');
  writeFileSync(path, JSON.stringify(creds));
  return path;
}

/** Every stage's consumer group with the topic it reads and that topic's partition count. */
async function stageGroups(kafka: KafkaClient, prefix: string, topics: ReturnType<typeof topicNames>): Promise<StageGroup[]> {
  const reads = [
    ['assembler', topics.messageParts], ['router', topics.messages], ['supplier', topics.providerOutgoing],
    ['correlator', topics.providerEvents], ['delivery', topics.deliveries],
  ] as const;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: reads.map(([, t]) => t) });
    const counts = new Map(meta.topics.map((t) => [t.name, t.partitions.length]));
    return reads.map(([stage, topic]) => ({ groupId: `${prefix}${stage}`, topic, partitions: counts.get(topic) ?? 0 }));
  } finally {
    await admin.disconnect();
  }
}

/** The groups as described within `timeoutMs` (a broker may just be failing over), or none. */
async function describeGroups(kafka: KafkaClient, groupIds: string[], timeoutMs: number): Promise<GroupSnapshot[]> {
  const deadline = Date.now() + timeoutMs;
  const admin = kafka.admin();
  try {
    await admin.connect();
    for (;;) {
      const described = await admin.describeGroups(groupIds).catch(() => null);
      if (described !== null) return snapshot(described.groups);
      if (Date.now() > deadline) return [];
      await sleep(200);
    }
  } catch {
    return [];
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Milliseconds from a node's death until its share is served again: none of the dead
 * incarnation's members (`dead`, member ids) left in any stage group, every partition of the
 * stage topics assigned to a live member, and each provider bound again by a supplier. At the
 * limit, also what it was still waiting for.
 */
async function recovery(kafka: KafkaClient, stages: StageGroup[], dead: ReadonlySet<string>, sims: ProviderSimulator[], since: number, timeoutMs: number): Promise<{ ms: number; waitingFor?: string }> {
  const admin = kafka.admin();
  await admin.connect();
  let waitingFor = 'no answer to describeGroups';
  try {
    for (;;) {
      const described = await admin.describeGroups(stages.map((s) => s.groupId)).catch(() => null);
      if (described !== null) {
        const served = servedAgain(stages, snapshot(described.groups), dead);
        const unbound = sims.findIndex((s) => s.boundSessions < 1);
        if (served.recovered && unbound < 0) return { ms: Date.now() - since };
        waitingFor = served.recovered ? `provider p${unbound} not bound` : served.waitingFor;
      }
      if (Date.now() - since > timeoutMs) return { ms: timeoutMs, waitingFor };
      await sleep(200);
    }
  } finally {
    await admin.disconnect();
  }
}

/** Every committed record of a topic, from the start. */
async function readTopic(kafka: KafkaClient, topic: string): Promise<{ key: string; value: Buffer; partition: number; offset: string }[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const out: { key: string; value: Buffer; partition: number; offset: string }[] = [];
  const consumer = kafka.consumer({ groupId: `${topic}.faults-reader.${Date.now()}`, readUncommitted: false, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const reached = new Map<number, bigint>();
  const ends = new Map(offsets.map((p) => [p.partition, BigInt(p.high)]));
  const done = () => [...ends].every(([p, high]) => high === 0n || (reached.get(p) ?? -1n) + 1n >= high);
  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
    reached.set(e.payload.partition, BigInt(e.payload.lastOffset));
  });
  await consumer.run({ eachMessage: async ({ partition, message }) => { out.push({ key: message.key?.toString() ?? '', value: message.value ?? Buffer.alloc(0), partition, offset: message.offset }); } });
  // A long run's topics hold millions of records: a read cut short would count less than was
  // written (fewer duplicates, empty traces), so it fails instead.
  const deadline = Date.now() + 900000;
  while (!done() && Date.now() < deadline) await sleep(200);
  await consumer.disconnect();
  if (!done()) throw new Error(`${topic} not read to its end in 900 s (${out.length} records read)`);
  return out;
}
