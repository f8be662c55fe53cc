/**
 * Records no stage can handle never stop a partition. Undecodable records (garbage bytes, an
 * empty value, JSON of the wrong shape) are written into every partition of every stage's
 * input topic before a gateway starts on that broker, as users start it: the node comes up,
 * serves every message through to its receipt, and the bad records end in the dead-letter
 * topic, where `smsgw dead-letters` lists them and `replay` puts one back.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import { createKafka } from '../../../src/kafka/client.js';
import { ensureTopics, type Topics } from '../../../src/kafka/topics.js';
import { readDeadLetterLog } from '../../../src/kafka/dead-letter-log.js';
import { silentLogger } from '../../../src/log.js';
import { Esme } from '../../../scripts/lib/esme-client.js';
import { startGateway, type RunningGateway } from '../../support/gateway-process.js';
import { brokers, kafkaConfigFor, redisUrl, uniquePrefix, waitFor } from '../../support/env.js';

const PARTITIONS = 3;
const BAD_VALUES: { what: string; value: Buffer }[] = [
  { what: 'garbage bytes', value: Buffer.from([0xff, 0x00, 0x13, 0x37, 0xc3]) },
  { what: 'an empty value', value: Buffer.alloc(0) },
  { what: 'JSON of the wrong shape', value: Buffer.from('{"hello":"world","id":42}') },
];
const STAGE_INPUTS: { stage: string; topic: keyof Topics }[] = [
  { stage: 'assembler', topic: 'messageParts' },
  { stage: 'router', topic: 'messages' },
  { stage: 'supplier', topic: 'providerOutgoing' },
  { stage: 'correlator', topic: 'providerEvents' },
  { stage: 'delivery', topic: 'deliveries' },
];

interface Row { ref: string; stage: string; topic: string; partition: number; offset: string; error: string }

describe('poison records: set aside in the dead letters, never a stuck partition', function () {
  this.timeout(180000);
  const prefix = uniquePrefix('poison');
  const kafkaConfig = kafkaConfigFor(prefix, PARTITIONS);
  const kafka = createKafka(kafkaConfig, 'spec', silentLogger);
  let topics: Topics;
  let sim: ProviderSimulator;
  let gw: RunningGateway;
  let esme: Esme;

  const cli = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => new Promise((resolve) => {
    execFile(process.execPath, ['dist/src/cli/main.js', '--prefix', prefix, ...args], {
      env: { ...process.env, REDIS_URL: redisUrl, SMSGW_KAFKA_BROKERS: brokers.join(',') }, timeout: 90000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
  const deadLetters = async () => (await readDeadLetterLog(kafka, topics.deadLetters, { timeoutMs: 30000, logger: silentLogger }))?.entries ?? [];

  before(async () => {
    topics = await ensureTopics(kafka, kafkaConfig, silentLogger);
    const producer = kafka.producer();
    await producer.connect();
    for (const { topic } of STAGE_INPUTS) {
      for (let partition = 0; partition < PARTITIONS; partition++) {
        await producer.send({ topic: topics[topic], acks: -1, messages: BAD_VALUES.map(({ value }, i) => ({ partition, key: `bad-${i}`, value })) });
      }
    }
    await producer.disconnect();
    sim = await startProviderSimulator({ host: '127.0.0.1', port: 0, systemId: 'gw', password: 'gwpass', receiptDelayMs: 50, logger: silentLogger });
    // Started on a broker whose topics already hold the bad records: it must come up and serve.
    gw = await startGateway({
      node: { id: `spec-${prefix.slice(0, -1).replace(/[^A-Za-z0-9_.-]/g, '')}`, threads: 2 },
      listeners: [{ name: 'smpp', host: '127.0.0.1', port: 0 }],
      session: { enquireLinkIntervalMs: 0 },
      kafka: { brokers, topicPrefix: prefix, partitions: PARTITIONS },
      redis: { keyPrefix: prefix },
      customers: [{ systemId: 'acme', password: 'acmepw' }],
      providers: [{ id: 'sim', host: '127.0.0.1', port: sim.address.port, systemId: 'gw', password: 'gwpass', rate: 500 }],
      routes: [{ provider: 'sim' }],
      delivery: { retryIntervalMs: 200 },
    }, 90000);
    esme = await Esme.connect(gw.port);
    assert.equal((await esme.bind('acme', 'acmepw')).command_status, 0);
  });
  after(async () => {
    esme?.close();
    if (gw) await gw.stop();
    if (process.env.SPEC_DUMP_LOGS) (await import('node:fs')).writeFileSync(process.env.SPEC_DUMP_LOGS, gw.logs.join('\n'));
    if (sim) await sim.close();
  });

  it('serves every message to its receipt while the bad records are set aside', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) {
      const resp = await esme.submit(`4477009${String(i).padStart(5, '0')}`, `poison spec ${i}`, { registered_delivery: 1 });
      assert.equal(resp.command_status, 0);
      ids.push(resp.message_id!);
    }
    await waitFor('a receipt for every message', () => ids.every((id) => esme.delivers.some((d) => d.receiptedMessageId === id)), 90000);
    const expected = STAGE_INPUTS.length * PARTITIONS * BAD_VALUES.length;
    const entries = await waitFor(`all ${expected} bad records in the dead letters`, async () => {
      const e = await deadLetters();
      return e.length >= expected ? e : null;
    }, 60000, 500);
    assert.equal(entries.length, expected, 'each bad record set aside once');
    for (const { stage, topic } of STAGE_INPUTS) {
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const here = entries.filter((e) => e.letter?.stage === stage && e.letter.topic === topics[topic] && e.letter.partition === partition);
        assert.deepEqual(here.map((e) => e.letter!.offset).sort(), ['0', '1', '2'], `${stage} partition ${partition}`);
        assert.deepEqual(here.map((e) => e.letter!.value?.toString('hex')).sort(), BAD_VALUES.map((b) => b.value.toString('hex')).sort());
      }
    }
  });

  it('lists them with smsgw dead-letters and replays one to its topic, where it is set aside again', async () => {
    const listed = await cli(['dead-letters', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const rows = JSON.parse(listed.stdout) as Row[];
    assert.equal(rows.length, STAGE_INPUTS.length * PARTITIONS * BAD_VALUES.length);
    assert.deepEqual([...new Set(rows.map((r) => r.stage))].sort(), STAGE_INPUTS.map((s) => s.stage).sort());
    const routerRow = rows.find((r) => r.stage === 'router')!;
    assert.ok(routerRow.error.length > 0);

    const before = (await deadLetters()).length;
    const replay = await cli(['dead-letters', 'replay', routerRow.ref]);
    assert.equal(replay.code, 0, replay.stderr);
    // Back in its topic, it fails again and is set aside again: one more dead letter, from the
    // router, at an offset after the original's.
    const again = await waitFor('the replayed record dead-lettered again', async () => {
      const e = await deadLetters();
      return e.length > before ? e.slice(before) : null;
    }, 60000, 500);
    assert.equal(again.length, 1);
    assert.equal(again[0]!.letter!.stage, 'router');
    assert.equal(again[0]!.letter!.topic, routerRow.topic);
    assert.ok(BigInt(again[0]!.letter!.offset) >= 3n, `replayed to a new offset (got ${again[0]!.letter!.offset})`);
  });

  it('shows the dead letters per stage in smsgw lag', async () => {
    const lag = await cli(['lag']);
    assert.equal(lag.code, 0, lag.stderr);
    assert.match(lag.stdout, /dead letters/i);
    for (const { stage } of STAGE_INPUTS) assert.match(lag.stdout, new RegExp(`${stage}\\s+\\d+`));
  });
});
