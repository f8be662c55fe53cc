import { strict as assert } from 'node:assert';
import { StagePool } from '../../../src/host/threads/stage-pool.js';
import { silentLogger } from '../../../src/log.js';
import { partKey, type LifecycleEvent, type MessageRecord, type PartRecord } from '../../../src/domain/records.js';
import { uniquePrefix, waitFor } from '../../support/env.js';
import { prepareTopics, produce, readCommitted, stageConfig } from '../../support/runtime-harness.js';

const assemblerStage = new URL('../../../src/actors/assembler/stage.js', import.meta.url).href;
const noDeliveries = async () => { throw new Error('no deliveries in this spec'); };
const COUNT = 50;

function part(i: number, seq: number): { key: string; value: string } {
  const p: PartRecord = {
    customer: 'acme', partId: `m${i}-${seq}`, scheme: 'udh8', ref: i, total: 3, seq,
    source: { ton: 5, npi: 0, addr: 'SPEC' }, destination: { ton: 1, npi: 1, addr: `4477${String(i).padStart(8, '0')}` },
    serviceType: '', esmClass: 0x40, protocolId: 0, priority: 0, registeredDelivery: 1, dataCoding: 0,
    body: Buffer.from(`<${i}.${seq}>`).toString('base64'), acceptedAt: Date.now(), node: 'spec',
  };
  return { key: partKey(p), value: JSON.stringify(p) };
}
const parts = (seq: number) => Array.from({ length: COUNT }, (_, i) => part(i, seq));

describe('assembler: an aborted transaction leaves no trace in state (real broker)', function () {
  this.timeout(180000);

  it('a batch whose commit is fenced is redone from the changelog: each message once, no part counted twice', async () => {
    const prefix = uniquePrefix('asm-abort');
    const config = stageConfig(prefix, 1, 1, 'node-x');
    const kafka = await prepareTopics(config);
    const topicIn = `${prefix}customer-incoming-message-parts`;
    const pool = new StagePool({ threads: 1, nodeId: 'node-x', config, stages: [assemblerStage], logger: silentLogger, deliver: noDeliveries });
    await pool.start();
    const fencer = kafka.producer({ transactionalId: `${prefix}assembler-0`, idempotent: true, maxInFlightRequests: 1 });
    try {
      await produce(kafka, topicIn, [...parts(1), ...parts(2)]);
      await waitFor('parts 1 and 2 committed', async () => ((await pool.snapshot())[0]?.stages[0]?.handled ?? 0) >= 2 * COUNT, 60000, 100);

      // Another owner of the partition's transactional id (as a zombie's successor would be):
      // the stage's producer is fenced, so its next transaction aborts after process() has
      // already completed every message in its state.
      await fencer.connect();
      await (await fencer.transaction()).abort();
      await produce(kafka, topicIn, parts(3));

      const out = await readCommitted<MessageRecord>(kafka, `${prefix}customer-incoming-messages`, (all) => all.length >= COUNT, 90000);
      const stats = (await pool.snapshot())[0]!.stages[0]!;
      assert.ok(stats.failures >= 1, 'the fenced transaction failed and was retried');
      assert.equal(out.length, COUNT);
      assert.equal(new Set(out.map((m) => m.id)).size, COUNT);
      for (const m of out) {
        assert.deepEqual(m.partIds, [1, 2, 3].map((seq) => m.id.replace(/-1$/, `-${seq}`)));
        assert.equal(m.duplicatePartIds, undefined, `${m.id}: a part was counted again`);
      }
      // Had the aborted batch's changes stayed in state, its replay would have found the
      // messages already done and reported their parts as resends instead of sending them.
      const events = await readCommitted<LifecycleEvent>(kafka, `${prefix}message-events`, (all) => all.length >= COUNT, 30000);
      assert.deepEqual(events.map((e) => e.type).filter((t) => t !== 'assembled'), []);
      assert.equal(events.length, COUNT);
    } finally {
      await fencer.disconnect().catch(() => undefined);
      await pool.stop();
    }
  });
});
