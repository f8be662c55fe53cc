#!/usr/bin/env node
/**
 * `node dist/scripts/bench-submit.js [--binds 4] [--window 10] [--count 20000] [--warmup 2000]`
 *
 * Starts one gateway node (`node dist/src/main.js`, its own process) on the running Kafka and
 * Redis (SMSGW_KAFKA_BROKERS, REDIS_URL) with fresh topics, binds N transmitters, and has each
 * keep `window` submit_sm in flight until `count` are answered. Reports the submit_sm/s the
 * node accepted (ESME_ROK, each after its acks=all Kafka write) and the p50/p99/max
 * submit_sm_resp latency. The warm-up submits are not counted.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { once } from 'node:events';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { checked, readCommandLine, wholeNumber } from '../src/command-line.js';
import { SmppConnection } from '../src/smpp/connection.js';
import { Status, statusName } from '../src/smpp/status.js';

const USAGE = `usage: bench-submit [--binds 4] [--window 10] [--count 20000] [--warmup 2000] [--partitions 12]
  submit_sm accepted per second by one gateway node on the running Kafka and Redis`;
const { values } = readCommandLine(process.argv.slice(2), USAGE, {
  options: {
    binds: { type: 'string', default: '4' },
    window: { type: 'string', default: '10' },
    count: { type: 'string', default: '20000' },
    warmup: { type: 'string', default: '2000' },
    partitions: { type: 'string', default: '12' },
    help: { type: 'boolean', short: 'h' },
  },
});
const { binds, window, count, warmup, partitions } = checked(USAGE, () => ({
  binds: wholeNumber('--binds', values.binds, 4, { min: 1 }),
  window: wholeNumber('--window', values.window, 10, { min: 1 }),
  count: wholeNumber('--count', values.count, 20000, { min: 1 }),
  warmup: wholeNumber('--warmup', values.warmup, 2000, { min: 0 }),
  partitions: wholeNumber('--partitions', values.partitions, 12, { min: 1 }),
}));
const brokers = (process.env.SMSGW_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const prefix = `bench-${Date.now().toString(36)}.`;

const dir = mkdtempSync(join(tmpdir(), 'smsgw-bench-'));
const configPath = join(dir, 'gateway.json');
writeFileSync(configPath, JSON.stringify({
  node: { id: `bench-${process.pid}`, logLevel: 'warn' },
  listeners: [{ host: '127.0.0.1', port: 0 }],
  session: { window, enquireLinkIntervalMs: 0, maxConnectionsPerAddress: Math.max(100, binds + 10) },
  kafka: { brokers, topicPrefix: prefix, partitions },
  redis: { keyPrefix: prefix },
  customers: [{ systemId: 'bench', password: 'bench', maxBinds: binds + 1 }],
  // Unreachable: the benchmark measures the customer edge; the supplier just keeps retrying.
  providers: [{ id: 'none', host: '127.0.0.1', port: 9, systemId: 'x', password: 'x' }],
  routes: [{ provider: 'none' }],
}));

const proc = spawn(process.execPath, ['dist/src/main.js', '--config', configPath], {
  env: { ...process.env, SMSGW_LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'],
});
const port = await new Promise<number>((resolve, reject) => {
  let buf = '';
  proc.stderr!.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    const m = /"gateway node started".*?"port":(\d+)/.exec(buf);
    if (m) resolve(Number(m[1]));
  });
  proc.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${buf.slice(-2000)}`)));
});

const conns: SmppConnection[] = [];
for (let i = 0; i < binds; i++) {
  const socket = net.connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  const c = new SmppConnection(socket, { window, enquireLinkIntervalMs: 0, inactivityTimeoutMs: 0, responseTimeoutMs: 30000 });
  const r = await c.request('bind_transmitter', { system_id: 'bench', password: 'bench' });
  if (r.command_status !== Status.ESME_ROK) throw new Error(`bind: ${statusName(r.command_status)}`);
  conns.push(c);
}

const latencies: number[] = [];
const statuses = new Map<string, number>();
let issued = 0;
let measuredStart = 0;
let measuredEnd = 0;
const total = warmup + count;
const body = Buffer.from('benchmark message of a typical length, sixty characters long.');

async function worker(c: SmppConnection): Promise<void> {
  while (issued < total) {
    const n = issued++;
    if (n === warmup) measuredStart = performance.now();
    const t0 = performance.now();
    const r = await c.request('submit_sm', {
      source_addr: 'BENCH', source_addr_ton: 5, destination_addr: `4477009${String(n % 100000).padStart(5, '0')}`,
      dest_addr_ton: 1, dest_addr_npi: 1, data_coding: 0, short_message: body,
    });
    if (n >= warmup) {
      latencies.push(performance.now() - t0);
      const s = statusName(r.command_status);
      statuses.set(s, (statuses.get(s) ?? 0) + 1);
    }
  }
  measuredEnd = Math.max(measuredEnd, performance.now());
}

await Promise.all(conns.flatMap((c) => Array.from({ length: window }, () => worker(c))));
const seconds = (measuredEnd - measuredStart) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
const ok = statuses.get('ESME_ROK') ?? 0;
process.stdout.write([
  `machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}`,
  `binds ${binds} x window ${window}, ${count} measured submit_sm after ${warmup} warm-up, acks=all, ${values.partitions} partitions`,
  `accepted: ${ok} in ${seconds.toFixed(2)} s = ${Math.round(ok / seconds)} submit_sm/s`,
  `submit_sm_resp latency ms: p50 ${pct(50)}  p99 ${pct(99)}  max ${latencies.at(-1)!.toFixed(1)}`,
  `statuses: ${[...statuses].map(([s, n]) => `${s}=${n}`).join(' ')}`,
].join('\n') + '\n');

await Promise.all(conns.map((c) => c.unbind(2000)));
proc.kill('SIGTERM');
await once(proc, 'exit');
