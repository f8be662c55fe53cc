import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StagePool } from '../../../src/host/threads/stage-pool.js';
import { silentLogger } from '../../../src/log.js';
import { uniquePrefix, waitFor } from '../../support/env.js';
import { countProblems, prepareTopics, produce, readCommitted, stageConfig } from '../../support/runtime-harness.js';

const counterStage = new URL('../../support/stages/counter-stage.js', import.meta.url).href;
const noDeliveries = async () => { throw new Error('no deliveries in this spec'); };
const flakyStage = new URL('../../support/stages/flaky-start-stage.js', import.meta.url).href;

function inputs(from: number, to: number, keys: number, extra: Record<string, unknown> = {}) {
  const out: { key: string; value: string }[] = [];
  for (let i = from; i < to; i++) {
    const key = `k${i % keys}`;
    out.push({ key, value: JSON.stringify({ key, i, ...extra }) });
  }
  return out;
}

function expectedCounts(total: number, keys: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < total; i++) m.set(`k${i % keys}`, (m.get(`k${i % keys}`) ?? 0) + 1);
  return m;
}

describe('runtime: exactly-once stages on worker threads, against the real broker', function () {
  this.timeout(180000);

  it('two runtimes share the partitions; when one stops the other restores its state and continues, nothing lost or doubled', async () => {
    const prefix = uniquePrefix('eos-two');
    const configA = stageConfig(prefix, 4, 1, 'node-a');
    const configB = stageConfig(prefix, 4, 1, 'node-b');
    const kafka = await prepareTopics(configA);
    const topicIn = `${prefix}customer-incoming-message-parts`;
    const topicOut = `${prefix}customer-incoming-messages`;
    const keys = 24;
    const a = new StagePool({ threads: 1, nodeId: 'node-a', config: configA, stages: [counterStage], logger: silentLogger, deliver: noDeliveries });
    const b = new StagePool({ threads: 1, nodeId: 'node-b', config: configB, stages: [counterStage], logger: silentLogger, deliver: noDeliveries });
    await Promise.all([a.start(), b.start()]);
    try {
      // Both hold part of the group before one leaves.
      await waitFor('both runtimes assigned', async () => {
        const [sa, sb] = await Promise.all([a.snapshot(), b.snapshot()]);
        return (sa[0]?.stages[0]?.assignment.length ?? 0) > 0 && (sb[0]?.stages[0]?.assignment.length ?? 0) > 0;
      }, 60000);
      // Input only once both hold partitions, so both process and commit state of their own.
      await produce(kafka, topicIn, inputs(0, 1500, keys));
      await waitFor('both runtimes processed records', async () => {
        const [sa, sb] = await Promise.all([a.snapshot(), b.snapshot()]);
        return (sa[0]?.stages[0]?.handled ?? 0) > 0 && (sb[0]?.stages[0]?.handled ?? 0) > 0;
      }, 60000);
      await a.stop();
      await produce(kafka, topicIn, inputs(1500, 3000, keys));
      const outputs = await readCommitted<{ key: string; count: number }>(kafka, topicOut, (all) => all.length >= 3000, 120000);
      assert.deepEqual(countProblems(outputs, expectedCounts(3000, keys)), []);
      assert.equal(outputs.length, 3000);
      const sb = await b.snapshot();
      assert.deepEqual(sb[0]!.stages[0]!.assignment, [0, 1, 2, 3], 'the survivor holds every partition');
    } finally {
      await Promise.allSettled([a.stop(), b.stop()]);
    }
  });

  it('a worker that fails to start is started again and the pool starts; one that keeps failing fails the start', async () => {
    const prefix = uniquePrefix('eos-flaky');
    const config = stageConfig(prefix, 2, 1, 'node-f');
    const kafka = await prepareTopics(config);
    const marker = join(mkdtempSync(join(tmpdir(), 'smsgw-flaky-')), 'fail');
    process.env.SMSGW_SPEC_FLAKY_START = marker;
    writeFileSync(marker, '');
    const pool = new StagePool({
      threads: 1, nodeId: 'node-f', config, stages: [flakyStage], logger: silentLogger, deliver: noDeliveries,
      backoff: { initialMs: 50, maxMs: 50, factor: 1 },
    });
    try {
      await pool.start();
      assert.ok(!existsSync(marker), 'the first start failed');
      assert.equal(pool.restartsOf(0), 1, 'started again once');
      await produce(kafka, `${prefix}customer-incoming-message-parts`, inputs(0, 20, 4));
      const outputs = await readCommitted<{ key: string; count: number }>(kafka, `${prefix}customer-incoming-messages`, (all) => all.length >= 20, 60000);
      assert.deepEqual(countProblems(outputs, expectedCounts(20, 4)), [], 'and it works');
    } finally {
      await pool.stop();
    }

    // Failing every time: the restart budget runs out and start rejects with the cause.
    const always = new StagePool({
      threads: 1, nodeId: 'node-g', config, stages: [flakyStage], logger: silentLogger, deliver: noDeliveries,
      budget: { maxRestarts: 2, withinMs: 60000 }, backoff: { initialMs: 20, maxMs: 20, factor: 1 },
    });
    const refill = setInterval(() => writeFileSync(marker, ''), 5);
    writeFileSync(marker, '');
    try {
      await assert.rejects(always.start(), /does not host this topic-partition \(simulated\)/);
    } finally {
      clearInterval(refill);
      delete process.env.SMSGW_SPEC_FLAKY_START;
      await always.stop();
    }
  });

  it('a worker thread killed in the middle of a batch is replaced; the output has every record once', async () => {
    const prefix = uniquePrefix('eos-kill');
    const config = stageConfig(prefix, 4, 2, 'node-k');
    const kafka = await prepareTopics(config);
    const topicIn = `${prefix}customer-incoming-message-parts`;
    const topicOut = `${prefix}customer-incoming-messages`;
    const marker = join(mkdtempSync(join(tmpdir(), 'smsgw-kill-')), 'die');
    const keys = 16;
    // Slow records so the kill lands while batches are open, with a marker record among them.
    const first = inputs(0, 600, keys, { slowMs: 2 });
    first.splice(300, 0, ...inputs(600, 601, keys, { dieIfExists: marker, slowMs: 2 }));
    const pool = new StagePool({ threads: 2, nodeId: 'node-k', config, stages: [counterStage], logger: silentLogger, deliver: noDeliveries });
    const died: number[] = [];
    pool.on('workerDied', (i) => died.push(i));
    await pool.start();
    try {
      writeFileSync(marker, '');
      await produce(kafka, topicIn, first);
      await produce(kafka, topicIn, inputs(601, 1200, keys));
      const outputs = await readCommitted<{ key: string; count: number }>(kafka, topicOut, (all) => all.length >= 1200, 150000);
      assert.ok(!existsSync(marker), 'the marker record was processed and killed a worker');
      assert.equal(died.length, 1, 'one worker died');
      assert.equal(pool.restartsOf(died[0]!), 1, 'and was replaced');
      assert.deepEqual(countProblems(outputs, expectedCounts(1200, keys)), []);
      assert.equal(outputs.length, 1200);
    } finally {
      await pool.stop();
    }
  });
});
