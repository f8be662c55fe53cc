/**
 * `smsgw dead-letters` (list and replay) and the dead letters in `smsgw lag`, run as a user
 * runs the CLI (a child process) on the real broker and Redis. No gateway runs: the spec
 * creates the topics of a fresh prefix, writes two dead letters as a stage does
 * (deadLetterRecord through the DurableWriter) and publishes the cluster description the
 * nodes publish, which is all these commands read.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { Redis } from 'ioredis';
import { createKafka } from '../../../src/kafka/client.js';
import { ensureTopics, type Topics } from '../../../src/kafka/topics.js';
import { DurableWriter } from '../../../src/kafka/writer.js';
import { deadLetterRecord, type DeadLetter } from '../../../src/kafka/dead-letters.js';
import { replayTopic, type ReplayRecord } from '../../../src/kafka/replay.js';
import { partitionForKey } from '../../../src/kafka/key-history.js';
import { controlKeys } from '../../../src/redis/keys.js';
import type { ClusterDescription } from '../../../src/control/status.js';
import { silentLogger } from '../../../src/log.js';
import { brokers, kafkaConfigFor, redisUrl, uniquePrefix } from '../../support/env.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

interface Row {
  ref: string;
  deadLetterPartition: number;
  deadLetterOffset: string;
  time: string;
  stage: string;
  topic: string;
  partition: number;
  offset: string;
  messageId: string | null;
  error: string;
  key: string | null;
}

interface Replay {
  topic: string;
  replayed: { ref: string; to: { topic: string; partition: number; offset: string } }[];
}

describe('smsgw dead-letters: list, replay, and the count in lag', function () {
  this.timeout(120000);
  const prefix = uniquePrefix('dlq');
  const config = kafkaConfigFor(prefix, 3);
  const kafka = createKafka(config, 'spec', silentLogger);
  let topics: Topics;
  let redis: Redis;
  let writer: DurableWriter;
  let routerLetter: DeadLetter;
  let supplierLetter: DeadLetter;

  const cli = (args: string[]): Promise<Run> => new Promise((resolve) => {
    execFile(process.execPath, ['dist/src/cli/main.js', '--prefix', prefix, ...args], {
      env: { ...process.env, REDIS_URL: redisUrl, SMSGW_KAFKA_BROKERS: brokers.join(',') }, timeout: 90000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
  const json = async <T>(args: string[]): Promise<T> => {
    const r = await cli([...args, '--json']);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };
  const readAll = async (topic: string): Promise<ReplayRecord[]> => {
    const out: ReplayRecord[] = [];
    await replayTopic(kafka, topic, async (records) => {
      out.push(...records);
    }, { timeoutMs: 30000, logger: silentLogger });
    return out;
  };

  before(async () => {
    topics = await ensureTopics(kafka, config, silentLogger);
    redis = new Redis(redisUrl);
    const cluster: ClusterDescription = {
      topics,
      stages: [
        { stage: 'router', groupId: `${prefix}router`, topic: topics.messages },
        { stage: 'supplier', groupId: `${prefix}supplier`, topic: topics.providerOutgoing },
      ],
      customers: [],
      updatedAt: Date.now(),
    };
    await redis.set(controlKeys(prefix).cluster, JSON.stringify(cluster));
    routerLetter = {
      topic: topics.messages, partition: 2, offset: '41', key: 'acme-2', value: Buffer.from('{"id":"router-record"}'),
      stage: 'router', node: 'node-a', error: 'cannot decode the record', errorCode: 'RECORD_UNDECODABLE',
      at: Date.UTC(2026, 10, 22, 0, 12, 28, 130), attempts: 3, messageId: '01a20098de62a024e5284c2f',
    };
    supplierLetter = {
      topic: topics.providerOutgoing, partition: 1, offset: '7', key: null, value: Buffer.from([0x00, 0xff, 0x10]),
      stage: 'supplier', node: 'node-b', error: 'no provider p9 in the configuration', errorCode: 'PROVIDER_UNKNOWN',
      at: Date.UTC(2026, 10, 22, 0, 13, 0, 0), attempts: 3, messageId: null,
    };
    writer = new DurableWriter(kafka, { maxPending: 100, maxBatch: 10, logger: silentLogger });
    await writer.start();
    await writer.append([deadLetterRecord(topics.deadLetters, routerLetter), deadLetterRecord(topics.deadLetters, supplierLetter)]);
  });
  after(async () => {
    await writer?.stop();
    await redis?.del(controlKeys(prefix).cluster);
    redis?.disconnect();
  });

  it('lists both dead letters: place in the dead-letter topic, time, stage, where read, message id, error', async () => {
    const rows = await json<Row[]>(['dead-letters']);
    assert.equal(rows.length, 2);
    const [r, s] = rows; // oldest first
    assert.deepEqual([r!.stage, r!.topic, r!.partition, r!.offset, r!.messageId, r!.error, r!.key, r!.time],
      ['router', topics.messages, 2, '41', '01a20098de62a024e5284c2f', 'cannot decode the record', 'acme-2', '2026-11-22T00:12:28.130Z']);
    assert.deepEqual([s!.stage, s!.topic, s!.partition, s!.offset, s!.messageId, s!.error, s!.key],
      ['supplier', topics.providerOutgoing, 1, '7', null, 'no provider p9 in the configuration', null]);
    for (const x of rows) {
      assert.equal(x.ref, `${x.deadLetterPartition}:${x.deadLetterOffset}`);
      assert.equal(x.deadLetterOffset, '0', 'each is the first record of its dead-letter partition');
    }

    const text = await cli(['dead-letters']);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.split('\n');
    assert.match(lines[0]!, /^DEAD LETTER\s+TIME\s+STAGE\s+TOPIC\s+PARTITION\s+OFFSET\s+MESSAGE ID\s+ERROR$/);
    assert.match(lines[1]!, new RegExp(`^${r!.ref}\\s+2026-11-22T00:12:28\\.130Z\\s+router\\s+${esc(topics.messages)}\\s+2\\s+41\\s+01a20098de62a024e5284c2f\\s+RECORD_UNDECODABLE: cannot decode the record$`));
    assert.match(lines[2]!, new RegExp(`^${s!.ref}\\s+2026-11-22T00:13:00\\.000Z\\s+supplier\\s+${esc(topics.providerOutgoing)}\\s+1\\s+7\\s+-\\s+PROVIDER_UNKNOWN: no provider p9 in the configuration$`));
    assert.match(text.stdout, new RegExp(`\\n2 dead letter\\(s\\) in ${esc(topics.deadLetters)} \\(3 partitions\\)`));
  });

  it('replay <partition:offset> writes the key and value back to the original topic, and the dead letter stays', async () => {
    const rows = await json<Row[]>(['dead-letters']);
    const ref = rows.find((x) => x.stage === 'router')!.ref;
    const r = await cli(['dead-letters', 'replay', ref]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^replayed ${ref} \\(router, message 01a20098de62a024e5284c2f, read at ${esc(topics.messages)} 2:41\\) to ${esc(topics.messages)} \\d+:0\\n`));
    assert.match(r.stdout, new RegExp(`1 dead letter\\(s\\) replayed; they stay in ${esc(topics.deadLetters)}`));

    const arrived = await readAll(topics.messages);
    assert.equal(arrived.length, 1, 'the router dead letter only');
    assert.equal(arrived[0]!.key, 'acme-2');
    assert.deepEqual(arrived[0]!.value, routerLetter.value);
    assert.equal(arrived[0]!.partition, partitionForKey(topics.messages, 'acme-2', 3), 'where the gateway\'s producers put that key');
    assert.deepEqual(await readAll(topics.providerOutgoing), [], 'the other dead letter not replayed');
    assert.equal((await json<Row[]>(['dead-letters'])).length, 2, 'both still in the dead-letter topic');
  });

  it('replay --all writes every dead letter back (again); a null key stays null and goes to the partition it was read from', async () => {
    const out = await json<Replay>(['dead-letters', 'replay', '--all']);
    assert.equal(out.topic, topics.deadLetters);
    assert.deepEqual(out.replayed.map((x) => x.to.topic), [topics.messages, topics.providerOutgoing]);
    const supplier = await readAll(topics.providerOutgoing);
    assert.equal(supplier.length, 1);
    assert.equal(supplier[0]!.key, null);
    assert.deepEqual(supplier[0]!.value, supplierLetter.value);
    assert.equal(supplier[0]!.partition, 1);
    assert.deepEqual(out.replayed[1]!.to, { topic: topics.providerOutgoing, partition: 1, offset: supplier[0]!.offset });
    const router = await readAll(topics.messages);
    assert.deepEqual(router.map((x) => x.key), ['acme-2', 'acme-2'], 'replayed a second time');
  });

  it('refuses a bare offset on a topic of several partitions (2), and an offset without a dead letter (6)', async () => {
    const bare = await cli(['dead-letters', 'replay', '0']);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, new RegExp(`a bare offset \\(0\\) needs a dead-letter topic of one partition; ${esc(topics.deadLetters)} has 3: give <partition>:<offset>`));
    const past = await cli(['dead-letters', 'replay', '0:999']);
    assert.equal(past.code, 6);
    assert.match(past.stderr, /no dead letter 0:999: partition 0 of .* (holds offsets 0\.\.0|is empty)/);
    const nopartition = await cli(['dead-letters', 'replay', '7:0']);
    assert.equal(nopartition.code, 6);
    assert.match(nopartition.stderr, /no dead letter 7:0: .* has partitions 0\.\.2/);
    const form = await cli(['dead-letters', 'replay', 'first']);
    assert.equal(form.code, 2);
    assert.match(form.stderr, /"first" is not <partition>:<offset>/);
    assert.equal((await readAll(topics.messages)).length, 2, 'nothing more written');
  });

  it('lag counts the dead letters per stage: in the data per stage partition, in the text per stage', async () => {
    type Lag = { stage: string; partition: number; deadLetters: number | null };
    const rows = await json<Lag[]>(['lag']);
    const counts = rows.map((x) => `${x.stage}/${x.partition}=${x.deadLetters}`);
    assert.deepEqual(counts, ['router/0=0', 'router/1=0', 'router/2=1', 'supplier/0=0', 'supplier/1=1', 'supplier/2=0']);
    const text = await cli(['lag']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`\\n\\ndead letters in ${esc(topics.deadLetters)} \\(smsgw dead-letters lists them\\)\\nSTAGE\\s+DEAD LETTERS\\nrouter\\s+1\\nsupplier\\s+1$`, 'm'));
  });

  it('Kafka unreachable exits 4; help explains the command', async () => {
    const down = await cli(['dead-letters', '--brokers', '127.0.0.1:1']);
    assert.equal(down.code, 4);
    assert.match(down.stderr, /^smsgw: cannot reach Kafka at 127\.0\.0\.1:1: /);
    const help = await cli(['dead-letters', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: smsgw dead-letters/);
    assert.match(help.stdout, /replay --all/);
  });
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
