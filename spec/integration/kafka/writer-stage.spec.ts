import { strict as assert } from 'node:assert';
import { createKafka } from '../../../src/kafka/client.js';
import { ensureTopics, waitForLeaders } from '../../../src/kafka/topics.js';
import { DurableWriter, WriterQueueFullError } from '../../../src/kafka/writer.js';
import { StageConsumer, type StageRecord } from '../../../src/kafka/stage-consumer.js';
import { silentLogger } from '../../../src/log.js';
import { UnavailableError } from '../../../src/errors.js';
import { kafkaConfigFor, uniquePrefix, waitFor } from '../../support/env.js';

/** For consumers whose records never fail for their content: a dead letter would be a bug. */
const noDeadLetters = {
  maxRecordFailures: 3,
  deadLetter: async (r: StageRecord): Promise<void> => {
    throw new Error(`unexpected dead letter at offset ${r.offset}`);
  },
};

describe('kafka: DurableWriter and StageConsumer on the real broker', function () {
  this.timeout(60000);
  const prefix = uniquePrefix('ws');
  const config = kafkaConfigFor(prefix, 3);
  const kafka = createKafka(config, 'spec', silentLogger);
  let writer: DurableWriter;

  /** A connected admin client, once `topic` (one partition) exists and has its leader. */
  async function adminWithTopic(topic: string): Promise<ReturnType<typeof kafka.admin>> {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: false });
    await waitForLeaders(admin, [topic]);
    return admin;
  }

  before(async () => {
    await ensureTopics(kafka, config, silentLogger);
    writer = new DurableWriter(kafka, { maxPending: 10000, maxBatch: 500, logger: silentLogger });
    await writer.start();
  });
  after(async () => {
    await writer.stop();
  });

  it('creates every topic with the configured partition count, and again idempotently', async () => {
    const topics = await ensureTopics(kafka, config, silentLogger);
    const admin = kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [topics.messages, topics.assemblerChangelog] });
    await admin.disconnect();
    assert.deepEqual(meta.topics.map((t) => t.partitions.length), [3, 3]);
  });

  it('acknowledges concurrent appends and a stage handles each once with a window, committing only what finished', async () => {
    const topic = `${prefix}customer-incoming-messages`;
    const n = 300;
    await Promise.all(Array.from({ length: n }, (_, i) => writer.append({ topic, key: `k${i % 7}`, value: JSON.stringify({ i, k: i % 7 }) })));
    assert.ok(writer.stats.batches < n, `appends were grouped into ${writer.stats.batches} batches`);

    const seen: { i: number; k: number }[] = [];
    let failOnce = true;
    const stage = new StageConsumer(kafka, {
      groupId: `${prefix}g`, topics: [topic], window: 5, partitionsConcurrently: 3, logger: silentLogger, ...noDeadLetters,
      retry: { initialMs: 20, maxMs: 50 },
      handle: async (r: StageRecord) => {
        const v = JSON.parse(r.value.toString()) as { i: number; k: number };
        if (v.i === 42 && failOnce) {
          failOnce = false;
          throw new Error('first attempt fails');
        }
        await new Promise((res) => setTimeout(res, Math.random() * 3));
        seen.push(v);
      },
    });
    await stage.start();
    await waitFor('all records handled', () => seen.length >= n);
    await stage.stop();
    assert.equal(seen.length, n, 'each record handled exactly once in this run (the failed attempt is retried, not lost)');
    assert.deepEqual([...new Set(seen.map((s) => s.i))].length, n);

    // Everything was committed: a new member of the group finds nothing left to read.
    const again: number[] = [];
    const second = new StageConsumer(kafka, {
      groupId: `${prefix}g`, topics: [topic], window: 5, partitionsConcurrently: 3, logger: silentLogger, ...noDeadLetters,
      handle: async (r) => { again.push(JSON.parse(r.value.toString()).i as number); },
    });
    await second.start();
    await waitFor('assignment', () => Object.keys(second.currentAssignment).length > 0);
    await new Promise((r) => setTimeout(r, 1500));
    await second.stop();
    assert.deepEqual(again, []);
  });

  it('commits a live member\'s handled records within half a second, not once per batch', async () => {
    const topic = `${prefix}customer-outgoing-deliveries`;
    const seen: number[] = [];
    const stage = new StageConsumer(kafka, {
      groupId: `${prefix}paced`, topics: [topic], window: 5, partitionsConcurrently: 3, logger: silentLogger, ...noDeadLetters,
      handle: async (r) => { seen.push(JSON.parse(r.value.toString()).i as number); },
    });
    await stage.start();
    try {
      await waitFor('assignment', () => Object.keys(stage.currentAssignment).length > 0);
      // A record at a time, so that nearly every one is a batch of its own.
      const n = 60;
      for (let i = 0; i < n; i++) {
        await writer.append({ topic, key: `k${i}`, value: JSON.stringify({ i }) });
        await new Promise((r) => setTimeout(r, 20));
      }
      await waitFor('all handled', () => seen.length >= n);
      const admin = kafka.admin();
      await admin.connect();
      try {
        const ends = await admin.fetchTopicOffsets(topic);
        await waitFor('every offset committed while the member runs', async () => {
          const committed = await admin.fetchOffsets({ groupId: `${prefix}paced`, topics: [topic] });
          return ends.every((e) => committed[0]!.partitions.find((p) => p.partition === e.partition)?.offset === e.high);
        }, 15000, 100);
      } finally {
        await admin.disconnect();
      }
      assert.ok(stage.stats.batches >= n / 2, `${stage.stats.batches} batches`);
      assert.ok(stage.stats.commits < stage.stats.batches / 2, `${stage.stats.commits} commits for ${stage.stats.batches} batches`);
    } finally {
      await stage.stop();
    }
  });

  it('commits what a long batch has handled while the batch is still being handled', async () => {
    // A supplier's batch can take seconds at its provider's pace; whatever it handled but had
    // not committed when its node dies is handled (sent) again by the next owner.
    const topic = `${prefix}slow-batch`;
    const admin = await adminWithTopic(topic);
    const n = 60;
    await Promise.all(Array.from({ length: n }, (_, i) => writer.append({ topic, key: 'k', value: String(i) })));
    let handled = 0;
    const stage = new StageConsumer(kafka, {
      groupId: `${prefix}slow`, topics: [topic], window: 1, partitionsConcurrently: 1, logger: silentLogger, ...noDeadLetters,
      handle: async () => {
        await new Promise((res) => setTimeout(res, 50));
        handled++;
      },
    });
    await stage.start();
    let committedMidway = -1;
    try {
      await waitFor('half the batch handled', () => handled >= n / 2, 30000);
      // autoCommitInterval is 500 ms: within a second of that, the handled half is committed.
      await waitFor('an offset committed before the batch ends', async () => {
        const [entry] = await admin.fetchOffsets({ groupId: `${prefix}slow`, topics: [topic] });
        committedMidway = Number(entry?.partitions[0]?.offset ?? -1);
        return committedMidway > 0 || handled >= n;
      }, 10000);
      assert.ok(handled < n, `the whole batch (${n} records at 50 ms) was handled before any commit was seen`);
      assert.ok(committedMidway > 0 && committedMidway <= handled, `committed ${committedMidway} with ${handled} handled`);
    } finally {
      await stage.stop();
      await admin.disconnect();
    }
  });

  it('stops starting records of a long batch once the group rebalances, so a joining member waits seconds, not the batch', async () => {
    // A supplier paced by its provider, or deliveries waiting on a stalled node: kafkajs rejoins
    // only once the batch returns, and the whole group waits in PreparingRebalance meanwhile.
    const topic = `${prefix}rebalance-batch`;
    const admin = await adminWithTopic(topic);
    const n = 150;
    await Promise.all(Array.from({ length: n }, (_, i) => writer.append({ topic, key: 'k', value: String(i) })));
    const handled = [new Set<string>(), new Set<string>()];
    const member = (m: number, onAssignment?: () => void) => new StageConsumer(kafka, {
      groupId: `${prefix}rebalance`, topics: [topic], window: 1, partitionsConcurrently: 1, logger: silentLogger, ...noDeadLetters,
      ...(onAssignment ? { onAssignment } : {}),
      handle: async (r) => {
        await new Promise((res) => setTimeout(res, 100));
        handled[m]!.add(r.value.toString());
      },
    });
    const first = member(0);
    let handledAtJoin = -1;
    const second = member(1, () => { if (handledAtJoin < 0) handledAtJoin = handled[0]!.size; });
    await first.start();
    try {
      await waitFor('the first member into its batch', () => handled[0]!.size >= 10, 30000);
      // The whole batch takes 15 s, half the group's rebalance timeout: without stopping, the
      // group waits for all of it.
      await second.start();
      await waitFor('the second member joined', () => handledAtJoin >= 0, 30000);
      assert.ok(handledAtJoin < n - 20, `the first member handled ${handledAtJoin} of ${n} records before the group let the second in`);
      await waitFor('every record handled by one member or the other', () => new Set([...handled[0]!, ...handled[1]!]).size === n, 60000);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
      await admin.disconnect();
    }
  });

  it('dead-letters a record that fails for its content after maxRecordFailures tries, commits past it in order, and retries infrastructure failures', async () => {
    const topic = `${prefix}poison`;
    const admin = await adminWithTopic(topic);
    for (const v of ['0', '1', 'not json', '3', '4', 'infra', '6']) await writer.append({ topic, key: 'k', value: v });
    const attempts = new Map<string, number>();
    const handled: number[] = [];
    const dead: { offset: string; error: unknown; attempts: number }[] = [];
    const stage = new StageConsumer(kafka, {
      groupId: `${prefix}poison`, topics: [topic], window: 3, partitionsConcurrently: 1, logger: silentLogger,
      retry: { initialMs: 10, maxMs: 20 },
      maxRecordFailures: 3,
      deadLetter: async (r, error, n) => { dead.push({ offset: r.offset, error, attempts: n }); },
      handle: async (r) => {
        const raw = r.value.toString();
        const n = (attempts.get(raw) ?? 0) + 1;
        attempts.set(raw, n);
        // Kafka or Redis away is no fault of the record: it must be retried past maxRecordFailures.
        if (raw === 'infra') {
          if (n <= 5) throw new UnavailableError('REDIS_DOWN', 'redis is away');
          return; // Redis is back: handled on its sixth try (it is not a number, so not in `handled`)
        }
        handled.push(JSON.parse(raw) as number);
      },
    });
    await stage.start();
    try {
      await waitFor('every good record handled', () => handled.length >= 5 && attempts.get('infra') === 6, 30000);
      assert.deepEqual(dead.map((d) => [d.offset, d.attempts]), [['2', 3]], 'the undecodable record, once, after 3 tries');
      assert.ok(dead[0]!.error instanceof SyntaxError);
      assert.equal(attempts.get('not json'), 3);
      assert.deepEqual([...handled].sort(), [0, 1, 3, 4, 6]);
      assert.equal(attempts.get('infra'), 6, 'the infrastructure failure was retried until it passed, and not again');
      // The dead-lettered record's offset is committed with the rest: nothing is left to read.
      await waitFor('all seven offsets committed', async () => {
        const [entry] = await admin.fetchOffsets({ groupId: `${prefix}poison`, topics: [topic] });
        return entry?.partitions[0]?.offset === '7';
      }, 10000);
    } finally {
      await stage.stop();
      await admin.disconnect();
    }
  });

  it('an idle member asks twice a second, not twenty times, and still takes its first record at once', async () => {
    const topic = `${prefix}idle`;
    await (await adminWithTopic(topic)).disconnect();
    const handled: string[] = [];
    const stage = new StageConsumer(kafka, {
      groupId: `${prefix}idle`, topics: [topic], window: 3, partitionsConcurrently: 1, logger: silentLogger, ...noDeadLetters,
      retry: { initialMs: 10, maxMs: 20 },
      handle: async (r) => { handled.push(r.value.toString()); },
    });
    await stage.start();
    try {
      await waitFor('the member to be assigned its partition', () => stage.currentAssignment[topic]?.length === 1, 30000);
      await new Promise((r) => setTimeout(r, 500));
      const before = stage.stats.fetches;
      await new Promise((r) => setTimeout(r, 3000));
      const idleFetches = stage.stats.fetches - before;
      // Batched polling (16 KB or 50 ms) would ask about 60 times in these 3 s.
      assert.ok(idleFetches <= 12, `${idleFetches} fetches in 3 s of nothing`);
      await writer.append({ topic, key: 'k', value: 'first' });
      await waitFor('the first record after the quiet', () => handled.length === 1, 5000);
      assert.deepEqual(handled, ['first']);
    } finally {
      await stage.stop();
    }
  });

  it('refuses appends beyond its bound instead of buffering without limit', async () => {
    const small = new DurableWriter(kafka, { maxPending: 3, maxBatch: 500, logger: silentLogger });
    await small.start();
    const topic = `${prefix}message-events`;
    const ok = [1, 2, 3].map((i) => small.append({ topic, key: 'k', value: String(i) }));
    await assert.rejects(small.append({ topic, key: 'k', value: '4' }), WriterQueueFullError);
    await Promise.all(ok);
    await small.stop();
  });

  it('lingers for its batch, except when an urgent append joins it: then that batch goes at once', async () => {
    // A linger far beyond anything a produce takes: which appends waited for it is unmistakable.
    const slow = new DurableWriter(kafka, { maxPending: 100, maxBatch: 500, lingerMs: 20000, logger: silentLogger });
    await slow.start();
    const topic = `${prefix}message-events`;
    try {
      const done: string[] = [];
      const plain = slow.append({ topic, key: 'k', value: 'plain' }).then(() => done.push('plain'));
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(done, [] as string[], 'a plain append waits for its linger');
      const urgent = slow.append({ topic, key: 'k', value: 'urgent' }, { urgent: true }).then(() => done.push('urgent'));
      await Promise.race([Promise.all([plain, urgent]), new Promise((_, reject) => setTimeout(() => reject(new Error('the urgent batch lingered')), 10000))]);
      assert.deepEqual(done.sort(), ['plain', 'urgent'], 'the urgent append took the lingering batch with it');
    } finally {
      await slow.stop();
    }
  });
});
