/**
 * Messages per second through one exactly-once stage (consume, transform, produce in one
 * transaction with the input offsets) on the runtime's worker threads: once with 1 worker
 * thread and once with the default count (the machine's cores), in the same run, on fresh
 * topics each time.
 *   node dist/scripts/bench-stage.js [--records 200000] [--partitions 12] [--threads 1,2]
 * Uses SMSGW_KAFKA_BROKERS (default 127.0.0.1:9092) and REDIS_URL.
 */
import { availableParallelism, loadavg } from 'node:os';
import { checked, readCommandLine, UsageError, wholeNumber } from '../src/command-line.js';
import { randomBytes } from 'node:crypto';
import { StagePool } from '../src/host/threads/stage-pool.js';
import { validateConfig } from '../src/config/validate.js';
import { createKafka } from '../src/kafka/client.js';
import { ensureTopics } from '../src/kafka/topics.js';
import { silentLogger } from '../src/log.js';

const USAGE = `usage: bench-stage [--records 200000] [--partitions 12] [--threads 1,N]
  one exactly-once relay stage on each thread count, on the running Kafka`;
const { values } = readCommandLine(process.argv.slice(2), USAGE, {
  options: {
    records: { type: 'string', default: '200000' },
    partitions: { type: 'string', default: '12' },
    threads: { type: 'string', default: `1,${availableParallelism()}` },
    help: { type: 'boolean', short: 'h' },
  },
});
const { records, partitions, threadCounts } = checked(USAGE, () => ({
  records: wholeNumber('--records', values.records, 200000, { min: 1 }),
  partitions: wholeNumber('--partitions', values.partitions, 12, { min: 1 }),
  threadCounts: values.threads.split(',').map((t) => {
    if (!/^\d+$/.test(t.trim()) || Number(t) < 1) throw new UsageError(`--threads: must be whole numbers ≥ 1, comma-separated (got ${JSON.stringify(values.threads)})`);
    return Number(t);
  }),
}));
const brokers = (process.env.SMSGW_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const stageUrl = new URL('./stages/relay-stage.js', import.meta.url).href;

async function runOnce(threads: number): Promise<{ threads: number; seconds: number; perSecond: number }> {
  const prefix = `bench-stage-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}.`;
  const config = validateConfig({
    node: { id: `bench-${threads}`, threads, logLevel: 'warn' },
    listeners: [{ port: 0 }],
    kafka: { brokers, topicPrefix: prefix, partitions },
    redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', keyPrefix: prefix },
    customers: [{ systemId: 'x', password: 'x' }],
    providers: [{ id: 'p', host: '127.0.0.1', port: 1, systemId: 'p', password: 'p' }],
    routes: [{ provider: 'p' }],
  });
  const kafka = createKafka(config.kafka, 'bench', silentLogger);
  const topics = await ensureTopics(kafka, config.kafka, silentLogger);
  const producer = kafka.producer();
  await producer.connect();
  const body = 'x'.repeat(120);
  for (let i = 0; i < records; i += 1000) {
    const messages = [];
    for (let j = i; j < Math.min(records, i + 1000); j++) messages.push({ key: `k${j % 997}`, value: JSON.stringify({ i: j, body }) });
    await producer.send({ topic: topics.messageParts, acks: -1, messages });
  }
  await producer.disconnect();

  const admin = kafka.admin();
  await admin.connect();
  const pool = new StagePool({ threads, nodeId: `bench-${threads}`, config, stages: [stageUrl], logger: silentLogger, deliver: async () => undefined });
  await pool.start();
  // Timed between 10% and 90% of the records committed: the steady state, without the group
  // join and the rebalances of workers joining one after the other.
  let from: { at: bigint; done: number } | null = null;
  let to: { at: bigint; done: number } | null = null;
  for (;;) {
    const [entry] = await admin.fetchOffsets({ groupId: `${prefix}relay`, topics: [topics.messageParts] });
    const done = (entry?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    const at = process.hrtime.bigint();
    if (!from && done >= records * 0.1) from = { at, done };
    if (!to && done >= records * 0.9) to = { at, done };
    if (done >= records) break;
    if (process.env.BENCH_DEBUG) process.stderr.write(`threads ${threads}: ${done}/${records}\n`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = Number(to!.at - from!.at) / 1e9;
  const counted = to!.done - from!.done;
  await pool.stop();
  await admin.disconnect();
  return { threads, seconds, perSecond: counted / seconds };
}

const results = [];
for (const t of threadCounts) results.push(await runOnce(t));
const base = results[0]!;
process.stdout.write(`exactly-once stage throughput, ${records} records, ${partitions} partitions, ${availableParallelism()} cores, load avg ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
for (const r of results) {
  process.stdout.write(`  ${r.threads} worker thread(s): ${r.perSecond.toFixed(0)} records/s (steady state: ${r.seconds.toFixed(2)} s between 10% and 90% committed), ${(r.perSecond / base.perSecond).toFixed(2)}x of ${base.threads}\n`);
}
process.exit(0);
