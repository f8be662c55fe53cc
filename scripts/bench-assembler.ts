#!/usr/bin/env node
/**
 * Parts per second the assembler joins with exactly-once on: pre-loads N parts (messages of 2-5
 * parts, shuffled) into a fresh parts topic, then runs the assembler stage on a StagePool with
 * 1 and with 2 worker threads (each run on its own topics) and times from the pool being up to
 * every input offset committed (the offsets commit in the same transactions as the messages,
 * so that is also "every whole message committed"). Each run then checks the message count.
 *
 *   node dist/scripts/bench-assembler.js --parts 30000 --partitions 6 --threads 1,2
 */
import { checked, readCommandLine, UsageError, wholeNumber } from '../src/command-line.js';
import { randomBytes } from 'node:crypto';
import { availableParallelism, cpus } from 'node:os';
import { validateConfig } from '../src/config/validate.js';
import { createKafka, type KafkaClient } from '../src/kafka/client.js';
import { ensureTopics } from '../src/kafka/topics.js';
import { createLogger } from '../src/log.js';
import { StagePool } from '../src/host/threads/stage-pool.js';
import { partKey, type PartRecord } from '../src/domain/records.js';

const stageUrl = new URL('../src/actors/assembler/stage.js', import.meta.url).href;

function parts(count: number): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; out.length < count; i++) {
    const total = 2 + Math.floor(random() * 4);
    for (let seq = 1; seq <= total; seq++) {
      const p: PartRecord = {
        customer: `c${i % 20}`, partId: `m${i}-${seq}`, scheme: 'udh8', ref: i % 256, total, seq,
        source: { ton: 5, npi: 0, addr: 'BENCH' }, destination: { ton: 1, npi: 1, addr: `447${String(i).padStart(9, '0')}` },
        serviceType: '', esmClass: 0x40, protocolId: 0, priority: 0, registeredDelivery: 1, dataCoding: 0,
        body: Buffer.alloc(153, 0x41 + (seq % 26)).toString('base64'), acceptedAt: Date.now(), node: 'bench',
      };
      out.push({ key: partKey(p), value: JSON.stringify(p) });
    }
  }
  // Shuffle (parts of a message arrive out of order and interleaved with others).
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function committedTotal(kafka: KafkaClient, groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (entry?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

async function run(threads: number, count: number, partitions: number, brokers: string[]) {
  const prefix = `bench-asm-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}.`;
  const config = validateConfig({
    node: { id: 'bench', threads, logLevel: 'warn' },
    listeners: [{ port: 0 }],
    kafka: { brokers, topicPrefix: prefix, partitions },
    redis: { keyPrefix: prefix },
    customers: [{ systemId: 'x', password: 'x' }],
    providers: [{ id: 'p', host: '127.0.0.1', port: 1, systemId: 'p', password: 'p' }],
    routes: [{ provider: 'p' }],
    assembler: { timeoutMs: 3_600_000 },
  }, { kafkaBrokers: brokers.join(','), ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}) });
  const log = createLogger({ level: 'warn' });
  const kafka = createKafka(config.kafka, 'bench', log);
  const topics = await ensureTopics(kafka, config.kafka, log);
  const input = parts(count);
  const messages = new Set(input.map((r) => (JSON.parse(r.value) as PartRecord).partId.replace(/-\d+$/, ''))).size;
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < input.length; i += 1000) await producer.send({ topic: topics.messageParts, acks: -1, messages: input.slice(i, i + 1000) });
  await producer.disconnect();

  const pool = new StagePool({ threads, nodeId: 'bench', config, stages: [stageUrl], logger: log, deliver: async () => undefined });
  const t0 = Date.now();
  await pool.start();
  const up = Date.now();
  while ((await committedTotal(kafka, `${prefix}assembler`, topics.messageParts)) < input.length) {
    if (Date.now() - up > 120_000) throw new Error('not done in 120 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const done = Date.now();
  await pool.stop();

  const admin = kafka.admin();
  await admin.connect();
  // High watermarks count transaction markers too; the count check reads committed records.
  const written = await countCommitted(kafka, topics.messages, messages);
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
  await admin.disconnect();
  return { threads, parts: input.length, messages, written, startMs: up - t0, runMs: done - up, partsPerSec: Math.round(input.length / ((done - up) / 1000)) };
}

async function countCommitted(kafka: KafkaClient, topic: string, expected: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `${topic}.count.${Date.now()}`, readUncommitted: false, maxWaitTimeInMs: 100 });
  let n = 0;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachBatch: async ({ batch }) => { n += batch.messages.length; } });
  const deadline = Date.now() + 30_000;
  while (n < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1000));
  await consumer.disconnect();
  return n;
}

const USAGE = `usage: bench-assembler [--parts 30000] [--partitions 6] [--threads 1,2]
  parts joined per second by the exactly-once assembler, on the running Kafka`;

async function main(): Promise<void> {
  const { values } = readCommandLine(process.argv.slice(2), USAGE, {
    options: { parts: { type: 'string', default: '30000' }, partitions: { type: 'string', default: '6' }, threads: { type: 'string', default: '1,2' }, help: { type: 'boolean', short: 'h' } },
  });
  const o = checked(USAGE, () => ({
    parts: wholeNumber('--parts', values.parts, 30000, { min: 1 }),
    partitions: wholeNumber('--partitions', values.partitions, 6, { min: 1 }),
    threads: values.threads.split(',').map((t) => {
      if (!/^\d+$/.test(t.trim()) || Number(t) < 1) throw new UsageError(`--threads: must be whole numbers ≥ 1, comma-separated (got ${JSON.stringify(values.threads)})`);
      return Number(t);
    }),
  }));
  const brokers = (process.env.SMSGW_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const results = [];
  for (const t of o.threads) {
    results.push(await run(t, o.parts, o.partitions, brokers));
    process.stdout.write(`${JSON.stringify(results.at(-1))}\n`);
  }
  process.stdout.write(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}\n`);
  process.stdout.write('| worker threads | parts | messages | committed messages | start-up (ms) | time to all committed (ms) | parts/s |\n|---|---|---|---|---|---|---|\n');
  for (const r of results) process.stdout.write(`| ${r.threads} | ${r.parts} | ${r.messages} | ${r.written} | ${r.startMs} | ${r.runMs} | ${r.partsPerSec} |\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
