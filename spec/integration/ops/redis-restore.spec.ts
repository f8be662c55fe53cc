import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import { Esme } from '../../../scripts/lib/esme-client.js';
import { brokers, uniquePrefix, waitFor } from '../../support/env.js';
import { startGateway, type RunningGateway } from '../../support/gateway-process.js';
import { startOwnRedis, type OwnRedis } from '../delivery/support.js';
import { outboundConfig } from '../supplier/support.js';
import { controlKeys } from '../../../src/redis/keys.js';
import { Status } from '../../../src/smpp/status.js';

interface Run { code: number; stdout: string; stderr: string }

describe('operator controls outlive Redis: journalled in Kafka, rebuilt when Redis comes back empty', function () {
  this.timeout(240000);
  const prefix = uniquePrefix('ctl');
  let redis: OwnRedis;
  let sim: ProviderSimulator;
  let gw: RunningGateway | undefined;
  const esmes: Esme[] = [];
  const config = () => ({
    ...outboundConfig(prefix, [{ id: 'sim', port: sim.address.port }], [{ provider: 'sim' }]),
    customers: [
      { systemId: 'acme', password: 'acmepw', bindTypes: ['transceiver'] },
      { systemId: 'shady', password: 'shadypw', bindTypes: ['transceiver'] },
    ],
  });
  const start = async () => (gw = await startGateway(config(), 60000, { REDIS_URL: redis.url }));
  const cli = (args: string[]): Promise<Run> => new Promise((resolve) => {
    execFile(process.execPath, ['dist/src/cli/main.js', '--prefix', prefix, ...args], {
      env: { ...process.env, REDIS_URL: redis.url, SMSGW_KAFKA_BROKERS: brokers.join(',') }, timeout: 60000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
  const bind = async (customer: string) => {
    const e = await Esme.connect(gw!.port);
    esmes.push(e);
    return { e, status: (await e.bind(customer, `${customer}pw`)).command_status };
  };
  const keys = controlKeys(prefix);
  /** What Redis holds of the four controls the spec set. */
  const inRedis = async () => ({
    blocked: await redis.client.sismember(keys.blocked, 'shady'),
    customerRate: await redis.client.hget(keys.customerRates, 'acme'),
    paused: await redis.client.sismember(keys.pausedProviders, 'sim'),
    providerRate: await redis.client.hget(keys.providerRates, 'sim'),
  });
  const expected = { blocked: 1, customerRate: '4', paused: 1, providerRate: '9' };
  const sentText = (text: string) => sim.submitted.some((s) => s.pdu.short_message?.toString('latin1') === text);

  before(async () => {
    redis = await startOwnRedis();
    sim = await startProviderSimulator({ systemId: 'gw', password: 'gwpass', receiptDelayMs: 20 });
    await start();
    await waitFor('the provider bound', () => sim.counters.binds > 0, 60000, 200);
  });
  after(async () => {
    for (const e of esmes) e.close();
    await gw?.stop();
    await sim?.close();
    await redis?.stop();
  });

  it('block, customer rate, pause and provider rate are written to Kafka and Redis', async () => {
    for (const args of [['block', 'shady'], ['rate', 'customer', 'acme', '4'], ['pause', 'sim'], ['rate', 'provider', 'sim', '9']]) {
      const r = await cli(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    }
    assert.deepEqual(await inRedis(), expected);
    assert.equal((await bind('shady')).status, Status.ESME_RBINDFAIL);
  });

  it('Redis restarted empty while the node runs: the controls stay in force and are back in Redis within seconds', async () => {
    await redis.restart();
    assert.deepEqual(await inRedis(), { blocked: 0, customerRate: null, paused: 0, providerRate: null }, 'Redis is empty');
    // At once, before any node rebuilt Redis: the node knows them from the journal.
    assert.equal((await bind('shady')).status, Status.ESME_RBINDFAIL, 'still blocked');
    await waitFor('the controls back in Redis', async () => JSON.stringify(await inRedis()) === JSON.stringify(expected), 15000, 200);
    assert.ok(gw!.logs.some((l) => l.includes('"operator controls written to Redis from their journal"')), 'the node says it restored them');
    // acme's operator rate (4/s, not unlimited) still holds: a burst of 12 is partly throttled.
    const { e, status } = await bind('acme');
    assert.equal(status, Status.ESME_ROK);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => e.submit('447700900001', `burst-${i}`)));
    const throttled = answers.filter((a) => a.command_status === Status.ESME_RTHROTTLED).length;
    assert.ok(throttled >= 4, `${throttled} of 12 throttled at 4/s`);
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(!answers.some((a, i) => a.command_status === Status.ESME_ROK && sentText(`burst-${i}`)), 'the paused provider sent nothing');
  });

  it('Redis restarted empty while the node was down: the node started again binds the provider paused at the operator\'s rate', async () => {
    for (const e of esmes.splice(0)) e.close();
    await gw!.stop();
    await redis.restart();
    await start();
    assert.deepEqual(await inRedis(), expected, 'rebuilt at start');
    type Row = { state: string; paused: boolean; rate: number };
    const row = await waitFor('the provider bound again', async () => {
      const r = await cli(['providers', '--json']);
      return r.code === 0 ? (JSON.parse(r.stdout) as Row[]).find((p) => p.state !== 'down') : undefined;
    }, 60000, 500);
    assert.deepEqual({ paused: row.paused, rate: row.rate }, { paused: true, rate: 9 });
    assert.equal((await bind('shady')).status, Status.ESME_RBINDFAIL, 'still blocked');
    const { e } = await bind('acme');
    assert.equal((await e.submit('447700900002', 'held across both restarts')).command_status, Status.ESME_ROK);
    await new Promise((r) => setTimeout(r, 2000));
    assert.ok(!sentText('held across both restarts'), 'nothing sent while paused');

    // Undone the same way: resume and unblock are journalled too.
    assert.equal((await cli(['resume', 'sim'])).code, 0);
    assert.equal((await cli(['unblock', 'shady'])).code, 0);
    await waitFor('the held message at the provider once resumed', () => sentText('held across both restarts'), 30000);
    await redis.restart();
    await waitFor('the controls back in Redis', async () => (await redis.client.exists(keys.controlsRestored)) === 1, 15000, 200);
    assert.equal(await redis.client.sismember(keys.pausedProviders, 'sim'), 0, 'resumed stays resumed');
    assert.equal((await bind('shady')).status, Status.ESME_ROK, 'unblocked stays unblocked');
  });
});
