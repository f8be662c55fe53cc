import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kafkajs } from '../../../src/kafka/kafkajs.js';
const { Kafka, logLevel } = kafkajs;
import type { BenchReport } from '../../../scripts/bench/report.js';
import { brokers, redisUrl, waitFor } from '../../support/env.js';

const mainScript = fileURLToPath(new URL('../../../scripts/bench/main.js', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function startBench(args: string[]) {
  const child = spawn(process.execPath, [mainScript, ...args], {
    env: { ...process.env, SMSGW_KAFKA_BROKERS: brokers.join(','), REDIS_URL: redisUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

/** A tiny run: one node, one stage thread, three partitions, a few seconds of load. */
const tiny = (out: string) => [
  '--scenario', 'steady', '--duration', '3', '--rate', '20', '--customers', '1', '--binds', '1', '--warmup', '2',
  '--threads', '1', '--partitions', '3', '--drain', '40', '--rss-every', '1', '--out', out,
];

describe('bench: the whole benchmark command, end to end on real Kafka, Redis and SMPP', function () {
  this.timeout(180_000);

  it('runs baseline and gateway back to back, reports the ratio with nothing lost, and leaves nothing behind', async () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-spec-'));
    const run = startBench(tiny(out));
    const code = await run.exited;
    assert.equal(code, 0, `exit code; stderr:\n${run.err().slice(-3000)}`);

    const dir = /reports: (.*)\/index\.html/.exec(run.out())?.[1];
    assert.ok(dir, `the results folder is printed:\n${run.out()}`);
    const r = JSON.parse(readFileSync(join(dir, 'bench.json'), 'utf8')) as BenchReport;
    assert.equal(r.schema, 'smsgw-bench/1');
    assert.ok(r.runs.baseline && r.runs.gateway);
    assert.ok(r.runs.gateway.sent >= 40, `gateway sent ${r.runs.gateway.sent}`);
    assert.equal(r.runs.gateway.accepted, r.runs.gateway.sent);
    assert.equal(r.runs.gateway.receiptsMatched, r.runs.gateway.accepted);
    assert.equal(r.runs.gateway.missing, 0);
    assert.equal(r.runs.gateway.duplicates, 0);
    assert.equal(r.runs.baseline.missing, 0);
    assert.ok(r.ratio && typeof r.ratio.delivered === 'number' && r.ratio.delivered > 0, `ratio ${JSON.stringify(r.ratio)}`);
    assert.ok(typeof r.ratio.accepted === 'number' && r.ratio.accepted > 0);
    assert.equal(r.verdict.ok, true, r.verdict.problems.join('; '));
    assert.ok(r.rss.series[0]!.rssMb.length >= 2, 'RSS sampled');
    assert.ok(r.rss.series[0]!.rssMb.every((mb) => mb > 20));

    // What a message costs: CPU of every process group over the measured window, the cost
    // ratio, Kafka records and Redis commands per message.
    const cost = r.runs.gateway.cost;
    assert.ok(cost, 'the gateway run has cost figures');
    const group = (name: string) => cost.groups.find((g) => g.group === name);
    for (const name of ['gateway', 'broker', 'redis', 'generator', 'simulator']) {
      const g = group(name);
      assert.ok(g && g.pids.length > 0, `${name}: its process found (${JSON.stringify(g)})`);
      assert.equal(g.inPath, true);
      // /proc counts in 10 ms ticks: a process idling through a few seconds may show none.
      assert.ok(typeof g.cpuSec === 'number' && g.cpuSec >= 0 && typeof g.msPerMessage === 'number', `${name}: ${JSON.stringify(g)}`);
    }
    assert.ok(group('gateway')!.cpuSec! > 0 && group('gateway')!.msPerMessage! > 0, `gateway CPU ${JSON.stringify(group('gateway'))}`);
    assert.ok(group('broker')!.cpuSec! > 0, `broker CPU ${JSON.stringify(group('broker'))}`);
    assert.equal(cost.messagesAre, 'delivered');
    assert.equal(cost.messages, r.runs.gateway.receiptsMatched);
    assert.ok(cost.windowSec >= 3, `window ${cost.windowSec} s`);
    for (const k of ['costRatio', 'costRatioWithInfra', 'smppMsPerMessage', 'pathMsPerMessage'] as const) {
      assert.ok(typeof cost[k] === 'number' && cost[k] > 0, `${k}: ${cost[k]}`);
    }
    assert.ok(cost.kafka && typeof cost.kafka.recordsPerMessage === 'number' && cost.kafka.recordsPerMessage > 0, `Kafka ${JSON.stringify(cost.kafka)}`);
    assert.ok(cost.kafka.records >= r.runs.gateway.accepted, 'an accepted message is at least one record');
    assert.ok(cost.redis && typeof cost.redis.commandsPerMessage === 'number' && cost.redis.commandsPerMessage > 0, `Redis ${JSON.stringify(cost.redis?.commandsPerMessage)}`);
    // The bare path: no gateway in it, so no ratio, but its own generator + simulator cost.
    const bare = r.runs.baseline.cost;
    assert.ok(bare && bare.costRatio === null && typeof bare.smppMsPerMessage === 'number', `baseline cost ${JSON.stringify(bare)}`);
    assert.equal(bare.groups.find((g) => g.group === 'gateway')!.inPath, false);

    // The summary, and every run's own reports.
    const md = readFileSync(join(dir, 'summary.md'), 'utf8');
    assert.match(md, /\*\*Gateway \/ bare SMPP\*\*: delivered \d\.\d{3}/);
    assert.match(md, /Result: OK, nothing lost\./);
    assert.match(md, /\*\*Cost per message\*\*/);
    assert.match(md, /\| gateway \| \d[\d,]* delivered \|/);
    assert.match(readFileSync(join(dir, 'index.html'), 'utf8'), /<h2>Cost per message<\/h2>/);
    assert.ok(run.out().includes('**Gateway / bare SMPP**'), 'the summary is printed');
    for (const f of ['index.html', 'baseline-1.json', 'baseline-1.html', 'gateway-1.json', 'gateway-1.html', 'warmup-1.json', 'gateway-n1.json', 'logs/gateway-n1.log', 'logs/simulator.log']) {
      assert.ok(existsSync(join(dir, f)), `${f} written`);
      assert.ok(r.files.includes(f), `${f} listed`);
    }

    // Stopped what it started, and deleted the run's topics.
    assert.equal(alive(r.rss.series[0]!.pid), false, 'the gateway node is stopped');
    const prefix = (JSON.parse(readFileSync(join(dir, 'gateway-n1.json'), 'utf8')) as { kafka: { topicPrefix: string } }).kafka.topicPrefix;
    const admin = new Kafka({ clientId: 'bench-spec', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      assert.deepEqual((await admin.listTopics()).filter((t) => t.startsWith(prefix)), []);
    } finally {
      await admin.disconnect();
    }
  });

  it('stops the simulator and the gateway node on Ctrl-C and exits 130', async () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-spec-'));
    const run = startBench([...tiny(out), '--duration', '60']);
    const gatewayPid = await waitFor('the gateway node', () => {
      const m = /gateway node n1 \(.*, pid (\d+)\)/.exec(run.err());
      return m ? Number(m[1]) : undefined;
    }, 90_000, 100);
    await waitFor('the load', () => run.err().includes('--- warmup'), 30_000, 100);
    run.child.kill('SIGINT');
    assert.equal(await run.exited, 130, run.err().slice(-2000));
    assert.equal(alive(gatewayPid), false, 'the gateway node is stopped');
    assert.match(run.err(), /deleted the run's \d+ topics/);
  });
});
