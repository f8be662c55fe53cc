import { strict as assert } from 'node:assert';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import { Esme } from '../../../scripts/lib/esme-client.js';
import { silentLogger } from '../../../src/log.js';
import { startGateway, type RunningGateway } from '../../support/gateway-process.js';
import { uniquePrefix, waitFor } from '../../support/env.js';
import { gatewayConfig, readTopic, startOwnRedis, type OwnRedis } from './support.js';

const ESME_ROK = 0x00;

describe('return path: a Redis restart (nothing kept on disk) loses no correlation and no held receipt', function () {
  this.timeout(180000);
  const prefix = uniquePrefix('redisrst');
  let redis: OwnRedis;
  let sim: ProviderSimulator;
  let gw: RunningGateway;
  const esmes: Esme[] = [];
  const connect = async () => {
    const e = await Esme.connect(gw.port);
    esmes.push(e);
    return e;
  };

  let start: () => Promise<RunningGateway>;

  before(async () => {
    redis = await startOwnRedis();
    // Receipts come late enough for Redis to be restarted between submit_sm_resp and receipt.
    sim = await startProviderSimulator({ host: '127.0.0.1', port: 0, systemId: 'gw', password: 'gwpass', receiptDelayMs: 4000, logger: silentLogger });
    const node = `rr-${prefix.slice(0, -1).replace(/[^A-Za-z0-9_.-]/g, '')}`;
    start = () => startGateway(gatewayConfig(prefix, node, sim.address.port, [{ systemId: 'acme', password: 'acmepw' }]), 40000, { REDIS_URL: redis.url });
    gw = await start();
  });
  after(async () => {
    esmes.forEach((e) => e.close());
    await gw?.stop();
    await sim?.close();
    await redis?.stop();
  });

  it('a receipt arriving after Redis restarted empty, at a restarted node, is still matched (correlation replayed from Kafka)', async () => {
    const esme = await connect();
    assert.equal((await esme.bind('acme', 'acmepw')).command_status, ESME_ROK);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await esme.submit(`44770096000${i}`, `survive ${i}`)).message_id!);
    await waitFor('the correlations in Redis', async () => (await redis.client.keys(`${prefix}corr:sim:*`)).length === ids.length, 30000, 100);
    assert.equal(sim.receiptsSent.length, 0, 'no receipt sent yet (the restart must come first)');
    await redis.restart();
    assert.deepEqual(await redis.client.keys(`${prefix}corr:*`), [], 'Redis came back empty');
    // The node restarts too: the supplier's memory of the correlations it wrote (which would
    // match the receipts without Redis) goes with it, so only the journal can bring them back.
    await gw.stop();
    gw = await start();
    const again = await connect();
    assert.equal((await again.bind('acme', 'acmepw')).command_status, ESME_ROK);
    await waitFor('every receipt', () => ids.every((id) => esme.delivers.concat(again.delivers).some((d) => d.receiptedMessageId === id)), 90000);
    assert.ok((await redis.client.exists(`${prefix}corr-restored`)) === 1, 'the correlations were rebuilt');
  });

  it('receipts held for an unbound customer survive a Redis restart and go out when it binds again', async () => {
    // No receiving bind of acme is left from the test before.
    esmes.forEach((e) => e.close());
    await waitFor('earlier binds closed', () => esmes.every((e) => e.closed));
    const tx = await connect();
    assert.equal((await tx.bind('acme', 'acmepw', 'transmitter')).command_status, ESME_ROK);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await tx.submit(`44770097000${i}`, `held ${i}`)).message_id!);
    await waitFor('the receipts held', async () => (await redis.client.zcard(`${prefix}held:acme`)) === ids.length, 60000, 200);
    await redis.restart();
    assert.equal(await redis.client.zcard(`${prefix}held:acme`), 0, 'Redis came back empty');
    const rx = await connect();
    assert.equal((await rx.bind('acme', 'acmepw', 'receiver')).command_status, ESME_ROK);
    await waitFor('every held receipt after the rebind', () => ids.every((id) => rx.delivers.some((d) => d.receiptedMessageId === id)), 60000);
    // In the order the correlator wrote them to the outbox (receipts of different provider ids
    // are correlated in parallel, so that need not be the submit order).
    const outbox = await readTopic<{ customer: string; messageId: string }>(prefix, 'customer-outgoing-deliveries',
      (all) => ids.every((id) => all.some((r) => r.messageId === id)));
    assert.deepEqual(
      rx.delivers.map((d) => d.receiptedMessageId).filter((id) => ids.includes(id!)),
      outbox.map((r) => r.messageId).filter((id) => ids.includes(id)));
  });
});
