/**
 * A partition actor that stops for good (its restart budget spent) never holds its partition
 * dead: the stage host is told of its end (death-watch) and a fresh actor takes the
 * partition, well inside the consumer session timeout, and every record is handled.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StagePool } from '../../../src/host/threads/stage-pool.js';
import { silentLogger } from '../../../src/log.js';
import { uniquePrefix, waitFor } from '../../support/env.js';
import { prepareTopics, produce, readCommitted, stageConfig } from '../../support/runtime-harness.js';

const mortalStage = new URL('../../support/stages/mortal-stage.js', import.meta.url).href;
const noDeliveries = async () => { throw new Error('no deliveries in this spec'); };
/** The consumer group's session timeout (src/kafka/group-consumer.ts). */
const SESSION_TIMEOUT_MS = 10000;

describe('runtime: death-watch of partition actors, against the real broker', function () {
  this.timeout(120000);

  it('serves the partition of an actor stopped for good again within the session timeout', async () => {
    const prefix = uniquePrefix('death');
    const config = stageConfig(prefix, 1, 1, 'node-d');
    const kafka = await prepareTopics(config);
    const topicIn = `${prefix}customer-incoming-message-parts`;
    const marker = join(mkdtempSync(join(tmpdir(), 'smsgw-death-')), 'die');
    writeFileSync(marker, '');
    const pool = new StagePool({ threads: 1, nodeId: 'node-d', config, stages: [mortalStage], logger: silentLogger, deliver: noDeliveries });
    await pool.start();
    try {
      await waitFor('partition assigned', async () => ((await pool.snapshot())[0]?.stages[0]?.assignment.length ?? 0) > 0, 60000);
      await produce(kafka, topicIn, [{ key: 'k', value: JSON.stringify({ i: 0 }) }]);
      await readCommitted(kafka, `${prefix}customer-incoming-messages`, (all) => all.length >= 1, 30000, 0);
      const diedAt = Date.now();
      await produce(kafka, topicIn, [
        { key: 'k', value: JSON.stringify({ i: 1, dieIfExists: marker }) },
        ...Array.from({ length: 20 }, (_, j) => ({ key: 'k', value: JSON.stringify({ i: 2 + j }) })),
      ]);
      const outputs = await readCommitted<{ i: number }>(kafka, `${prefix}customer-incoming-messages`, (all) => all.length >= 22, SESSION_TIMEOUT_MS, 0);
      const servedAfterMs = Date.now() - diedAt;
      assert.ok(!existsSync(marker), 'the actor did die');
      assert.deepEqual([...new Set(outputs.map((o) => o.i))].sort((a, b) => a - b), Array.from({ length: 22 }, (_, i) => i), `served again ${servedAfterMs} ms after the death`);
      const stats = (await pool.snapshot())[0]!.stages[0]!;
      assert.equal(stats.actorDeaths, 1, 'one actor stopped for good and was replaced');
      assert.deepEqual(stats.assignment, [0], 'the partition is held by a live actor');
      assert.equal(stats.deadLettered, 0);
    } finally {
      await pool.stop();
    }
  });
});
