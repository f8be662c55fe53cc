import { strict as assert } from 'node:assert';
import { stage, type AssemblerState } from '../../../src/actors/assembler/stage.js';
import { validateConfig } from '../../../src/config/validate.js';
import { topicNames } from '../../../src/kafka/topics.js';
import { silentLogger } from '../../../src/log.js';
import { partKey, type DeliveryRecord, type LifecycleEvent, type MessageRecord, type PartRecord } from '../../../src/domain/records.js';
import type { StageRecord } from '../../../src/kafka/stage-consumer.js';
import type { OutRecord } from '../../../src/kafka/writer.js';
import type { StageEnv } from '../../../src/host/stage.js';
import { message, part } from './support.js';

const topics = topicNames('u.');
const config = validateConfig({
  listeners: [{ port: 0 }],
  customers: [{ systemId: 'acme', password: 'x' }],
  providers: [{ id: 'p', host: 'h', port: 1, systemId: 's', password: 'p' }],
  routes: [{ provider: 'p' }],
  assembler: { timeoutMs: 60000 },
});
const env = { config, topics, log: silentLogger, nodeId: 'node-u' } as unknown as StageEnv;
const PARTITION = 5;

let offset = 0;
function rec(p: PartRecord | string, timestamp: number): StageRecord {
  const value = typeof p === 'string' ? p : JSON.stringify(p);
  return { topic: topics.messageParts, partition: PARTITION, offset: String(offset++), key: typeof p === 'string' ? 'k' : partKey(p), value: Buffer.from(value), timestamp };
}

function run(state: AssemblerState, records: StageRecord[]): OutRecord[] {
  return (stage.process(state, records, env) as { outputs: OutRecord[] }).outputs;
}

const on = (out: OutRecord[], topic: string) => out.filter((o) => o.topic === topic);
const valueOf = <T>(o: OutRecord): T => JSON.parse(String(o.value)) as T;

/** A fresh partition state restored from `changelog` the way the mailbox does it. */
function restored(changelog: OutRecord[]): AssemblerState {
  let s = stage.init(PARTITION, env);
  for (const o of changelog) s = stage.restore(s, o.key, o.value === null ? null : Buffer.from(String(o.value)));
  return s;
}

describe('assembler stage: records in, addressed records out', () => {
  it('joins shuffled parts into one message keyed by its id; changelog writes go to the input partition', () => {
    const [p1, p2, p3] = message(7, 3);
    const s = stage.init(PARTITION, env);
    const out = run(s, [rec(p3!, 1000), rec(p1!, 1001), rec(p2!, 1002)]);
    const msgs = on(out, topics.messages);
    assert.equal(msgs.length, 1);
    const m = valueOf<MessageRecord>(msgs[0]!);
    assert.equal(msgs[0]!.key, p1!.partId);
    assert.deepEqual(m.partIds, [p1!.partId, p2!.partId, p3!.partId]);
    assert.deepEqual(m.partReceipts, [1, 2, 3].map((seq) => ({ seq, registeredDelivery: 1 })));
    const log = on(out, topics.assemblerChangelog);
    assert.ok(log.length >= 3);
    assert.ok(log.every((o) => o.partition === PARTITION && o.key === partKey(p1!)));
    assert.deepEqual(on(out, topics.events).map((o) => valueOf<LifecycleEvent>(o).type), ['assembled']);
  });

  it('restores from its changelog and finishes a message begun before the restart', () => {
    const [p1, p2, p3] = message(8, 3);
    const first = run(stage.init(PARTITION, env), [rec(p1!, 1000), rec(p3!, 1001)]);
    const after = restored(on(first, topics.assemblerChangelog));
    const out = run(after, [rec(p2!, 1002)]);
    assert.deepEqual(on(out, topics.messages).map((o) => valueOf<MessageRecord>(o).partIds), [[p1!.partId, p2!.partId, p3!.partId]]);
  });

  it('replays a batch on the restored state with byte-identical outputs (time comes from the records)', () => {
    const parts = [...message(9, 3), ...message(10, 2), ...message(11, 4)];
    const records = parts.map((p, i) => rec(p, 5000 + i));
    const before = run(stage.init(PARTITION, env), records.slice(0, 4));
    const batch = records.slice(4);
    const once = run(restored(on(before, topics.assemblerChangelog)), batch);
    const again = run(restored(on(before, topics.assemblerChangelog)), batch);
    assert.ok(once.length > 0);
    assert.deepEqual(again, once);
  });

  it('dead-letters a record that is not a part, in the same batch, and goes on', () => {
    const [p1, p2] = message(12, 2);
    const out = run(stage.init(PARTITION, env), [rec(p1!, 1), rec('{not json', 2), rec('{"x":1}', 3), rec('', 4), rec(p2!, 5)]);
    const dead = on(out, topics.deadLetters);
    assert.deepEqual(dead.map((o) => [String(o.value), o.headers?.['smsgw-dlq-stage'], o.headers?.['smsgw-dlq-error-code']]), [
      ['{not json', 'assembler', 'RECORD_UNDECODABLE'], ['{"x":1}', 'assembler', 'RECORD_INVALID'], ['', 'assembler', 'RECORD_UNDECODABLE'],
    ]);
    assert.equal(on(out, topics.messages).length, 1);
  });

  it('tick closes a message past its timeout: failed receipts keyed by customer, tombstone in its partition', () => {
    const [p1] = message(13, 3);
    const s = stage.init(PARTITION, env);
    run(s, [rec(p1!, 10_000)]);
    assert.deepEqual(stage.tick!.run(s, 69_999, env).outputs, []);
    const out = stage.tick!.run(s, 70_000, env).outputs;
    const receipts = on(out, topics.deliveries);
    assert.deepEqual(receipts.map((o) => [o.key, valueOf<DeliveryRecord>(o).messageId, valueOf<DeliveryRecord>(o).stat]), [['acme', p1!.partId, 'REJECTD']]);
    assert.deepEqual(on(out, topics.assemblerChangelog).map((o) => [o.key, o.value, o.partition]), [[partKey(p1!), null, PARTITION]]);
    assert.equal(stage.tick!.everyMs(config), 1000);
  });

  it('takes its options from the configuration and its node id from the environment', () => {
    const s = stage.init(0, env);
    assert.equal(s.options.timeoutMs, 60000);
    assert.equal(s.options.nodeId, 'node-u');
    const out = run(s, [rec(part({ ref: 1, total: 2, seq: 3 }), 1)]);
    assert.equal(on(out, topics.events).map((o) => valueOf<LifecycleEvent>(o).node)[0], 'node-u');
  });
});
