import { strict as assert } from 'node:assert';
import { silentLogger } from '../../../src/log.js';
import { createKafka, type KafkaClient } from '../../../src/kafka/client.js';
import { partKey, type DeliveryRecord, type LifecycleEvent, type MessageRecord, type PartRecord } from '../../../src/domain/records.js';
import { brokers, uniquePrefix, waitFor } from '../../support/env.js';
import { writeConfig } from '../../support/gateway-process.js';
import { prepareTopics, readCommitted, stageConfig } from '../../support/runtime-harness.js';
import { runStages, type StageProcess } from '../../support/stage-process.js';
import { rng, shuffle } from '../../unit/assembler/support.js';

const PARTITIONS = 6;
const MESSAGES = 3000;
const WAVES = 3;

interface Planned {
  id: string;
  text: string;
  partIds: Set<string>;
  dupIds: string[];
}

function partOf(i: number, total: number, seq: number, partId: string, text: string): PartRecord {
  return {
    customer: `c${i % 5}`, partId, scheme: 'udh8', ref: i % 256, total, seq,
    source: { ton: 5, npi: 0, addr: 'SPEC' }, destination: { ton: 1, npi: 1, addr: `447${String(i).padStart(9, '0')}` },
    serviceType: '', esmClass: 0x40, protocolId: 0, priority: 0, registeredDelivery: 1, dataCoding: 0,
    body: Buffer.from(text, 'latin1').toString('base64'), acceptedAt: Date.now(), node: 'spec',
  };
}

/**
 * Messages of 2-5 parts, each placed in a wave (waves are produced one after the other). One
 * in ten has part 2 sent twice under a new id, with part 1 held back to the next wave, so the
 * copy surely arrives while its message is still open (and the message id, part 1's, is known).
 */
function plan(random: () => number) {
  const waves: PartRecord[][] = Array.from({ length: WAVES }, () => []);
  const messages = new Map<string, Planned>();
  for (let i = 0; i < MESSAGES; i++) {
    const total = 2 + Math.floor(random() * 4);
    const dup = i % 10 === 3;
    const wave = Math.floor(random() * (dup ? WAVES - 1 : WAVES));
    const texts = Array.from({ length: total }, (_, k) => `<m${i}.${k + 1}:${'x'.repeat(10 + Math.floor(random() * 40))}>`);
    const planned: Planned = { id: `m${i}-1`, text: texts.join(''), partIds: new Set(), dupIds: [] };
    for (let seq = 1; seq <= total; seq++) {
      const id = `m${i}-${seq}`;
      planned.partIds.add(id);
      waves[dup && seq === 1 ? wave + 1 : wave]!.push(partOf(i, total, seq, id, texts[seq - 1]!));
    }
    if (dup) {
      const id = `m${i}-2-again`;
      planned.dupIds.push(id);
      waves[wave]!.push(partOf(i, total, 2, id, texts[1]!));
    }
    messages.set(planned.id, planned);
  }
  // Impossible parts: refused one by one, each owed exactly one failed receipt.
  const invalid = Array.from({ length: 10 }, (_, j) => partOf(MESSAGES + j, 3, 4, `bad-${j}`, 'bad'));
  waves[1]!.push(...invalid);
  return { waves: waves.map((w) => shuffle(w, random)), messages, invalid };
}

/** Two producers write one wave at once, interleaved, in small sends. */
async function produceWave(kafka: KafkaClient, topic: string, parts: PartRecord[]): Promise<void> {
  const producers = [kafka.producer(), kafka.producer()];
  await Promise.all(producers.map((p) => p.connect()));
  try {
    await Promise.all(producers.map(async (producer, k) => {
      const mine = parts.filter((_, i) => i % 2 === k);
      for (let i = 0; i < mine.length; i += 100) {
        await producer.send({ topic, acks: -1, messages: mine.slice(i, i + 100).map((p) => ({ key: partKey(p), value: JSON.stringify(p) })) });
      }
    }));
  } finally {
    await Promise.all(producers.map((p) => p.disconnect()));
  }
}

async function groupMembers(kafka: KafkaClient, groupId: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0]?.state === 'Stable' ? groups[0].members.length : -1;
  } finally {
    await admin.disconnect();
  }
}

describe('assembler: two instances in one group, one killed with SIGKILL mid-stream (real broker, separate processes)', function () {
  this.timeout(400000);
  const prefix = uniquePrefix('asm-kill');
  const procs: StageProcess[] = [];

  after(async () => {
    if (process.env.SPEC_DUMP_LOGS) for (const [i, p] of procs.entries()) (await import('node:fs')).writeFileSync(`${process.env.SPEC_DUMP_LOGS}-${i}.log`, p.logs.join('\n'));
    for (const p of procs) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
  });

  it('writes each message exactly once, complete and in part order (read_committed); receipts and events agree', async () => {
    const base = stageConfig(prefix, PARTITIONS, 1, 'spec');
    const kafka = await prepareTopics(base);
    const reader = createKafka(base.kafka, 'spec-reader', silentLogger);
    const configPath = writeConfig({
      node: { threads: 1, logLevel: (process.env.SPEC_LOG_LEVEL ?? 'warn') as 'warn', shutdownTimeoutMs: 20000 },
      listeners: [{ port: 0 }],
      kafka: { brokers, topicPrefix: prefix, partitions: PARTITIONS },
      redis: { keyPrefix: prefix },
      customers: [{ systemId: 'x', password: 'x' }],
      providers: [{ id: 'p', host: '127.0.0.1', port: 1, systemId: 'p', password: 'p' }],
      routes: [{ provider: 'p' }],
      // No message may time out during the run: every one of them completes.
      assembler: { timeoutMs: 3_600_000 },
    });
    const a = runStages(configPath, 'asm-a', ['assembler']);
    const b = runStages(configPath, 'asm-b', ['assembler']);
    procs.push(a, b);
    await Promise.all([a.ready, b.ready]);
    await waitFor('both instances in the group', async () => (await groupMembers(kafka, `${prefix}assembler`)) === 2, 60000, 500);

    const { waves, messages, invalid } = plan(rng(20240605));
    const topics = { parts: `${prefix}customer-incoming-message-parts`, messages: `${prefix}customer-incoming-messages`, deliveries: `${prefix}customer-outgoing-deliveries`, events: `${prefix}message-events` };

    // Wave 0 is fully processed by both; the kill lands while wave 1 is being written.
    await produceWave(kafka, topics.parts, waves[0]!);
    const producing = produceWave(kafka, topics.parts, waves[1]!);
    await new Promise((r) => setTimeout(r, 300));
    a.proc.kill('SIGKILL');
    const killed = await a.exited;
    await producing;
    await produceWave(kafka, topics.parts, waves[2]!);

    const out = await readCommitted<MessageRecord>(reader, topics.messages, (all) => all.length >= MESSAGES, 240000, 3000);
    assert.equal(killed.signal, 'SIGKILL');

    const seen = new Map<string, number>();
    const problems: string[] = [];
    for (const m of out) {
      seen.set(m.id, (seen.get(m.id) ?? 0) + 1);
      const want = messages.get(m.id);
      if (!want) { problems.push(`unexpected message ${m.id}`); continue; }
      if (Buffer.from(m.body, 'base64').toString('latin1') !== want.text) problems.push(`${m.id}: parts joined wrongly`);
      if (m.incomplete) problems.push(`${m.id}: incomplete`);
      const ids = [...m.partIds, ...(m.duplicatePartIds ?? [])].sort();
      const expectIds = [...want.partIds, ...want.dupIds].sort();
      // A copy may win the race and be held while the original counts as the copy.
      if (ids.join() !== expectIds.join()) problems.push(`${m.id}: part ids ${ids.join()} != ${expectIds.join()}`);
    }
    for (const [id, n] of seen) if (n !== 1) problems.push(`${id} written ${n} times`);
    const missing = [...messages.keys()].filter((id) => !seen.has(id));
    assert.deepEqual(problems.slice(0, 10), []);
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} messages missing`);
    assert.equal(out.length, MESSAGES);

    const receipts = await readCommitted<DeliveryRecord>(reader, topics.deliveries, (all) => all.length >= invalid.length, 30000);
    assert.deepEqual(receipts.map((r) => `${r.customer}/${r.messageId}/${r.stat}`).sort(), invalid.map((p) => `${p.customer}/${p.partId}/REJECTD`).sort());

    const dupIds = [...messages.values()].flatMap((m) => m.dupIds);
    const events = await readCommitted<LifecycleEvent>(reader, topics.events, (all) => all.length >= MESSAGES + dupIds.length + invalid.length, 60000);
    const byType = (t: string) => events.filter((e) => e.type === t).map((e) => e.messageId).sort();
    assert.deepEqual(byType('assembled'), [...messages.keys()].sort(), 'one assembled event per message');
    assert.equal(byType('part_duplicate').length, dupIds.length, 'one duplicate event per resent copy');
    assert.deepEqual(byType('part_rejected'), invalid.map((p) => p.partId).sort());
    assert.equal(events.length, MESSAGES + dupIds.length + invalid.length, 'no other events');

    assert.equal(await groupMembers(kafka, `${prefix}assembler`), 1, 'the survivor holds the group alone');
  });
});
