import { strict as assert } from 'node:assert';
import { Redis } from 'ioredis';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import { Esme } from '../../../scripts/lib/esme-client.js';
import { silentLogger } from '../../../src/log.js';
import { startGateway, type RunningGateway } from '../../support/gateway-process.js';
import { redisUrl, uniquePrefix, waitFor } from '../../support/env.js';
import { gatewayConfig, partitionOf, readTopic, type LifecycleEventRow } from './support.js';

const ESME_ROK = 0x00;
const ESME_RINVDSTADR = 0x0b;

const nodeName = (prefix: string, n: string) => `${n}-${prefix.slice(0, -1).replace(/[^A-Za-z0-9_.-]/g, '')}`;

describe('return path: receipts reach a customer bound on another node', function () {
  this.timeout(180000);
  const prefix = uniquePrefix('xnode');
  // One customer per partition of the outbox topic (3), so the delivery stages of both nodes
  // (two worker threads each: four group members for three partitions) own some of them.
  const names: string[] = [];
  for (let i = 0; names.length < 3; i++) {
    const name = `cust${i}`;
    if (!names.some((n) => partitionOf(n, 3) === partitionOf(name, 3))) names.push(name);
  }
  const customers = names.map((n) => ({ systemId: n, password: 'pw' }));
  let sim: ProviderSimulator;
  let a: RunningGateway;
  let b: RunningGateway;
  const esmes: Esme[] = [];

  before(async () => {
    sim = await startProviderSimulator({ host: '127.0.0.1', port: 0, systemId: 'gw', password: 'gwpass', receiptDelayMs: 50, logger: silentLogger });
    a = await startGateway(gatewayConfig(prefix, nodeName(prefix, 'a'), sim.address.port, customers));
    b = await startGateway(gatewayConfig(prefix, nodeName(prefix, 'b'), sim.address.port, customers));
  });
  after(async () => {
    esmes.forEach((e) => e.close());
    await Promise.all([a?.stop(), b?.stop()]);
    await sim?.close();
  });

  it('each customer, bound as receiver on node A only, gets the receipts of what it submitted on node B; node B delivered some through A', async () => {
    const receivers = new Map<string, Esme>();
    const submitted = new Map<string, string[]>();
    for (const c of customers) {
      const rx = await Esme.connect(a.port);
      esmes.push(rx);
      assert.equal((await rx.bind(c.systemId, c.password, 'receiver')).command_status, ESME_ROK);
      receivers.set(c.systemId, rx);
    }
    for (const c of customers) {
      const tx = await Esme.connect(b.port);
      esmes.push(tx);
      assert.equal((await tx.bind(c.systemId, c.password, 'transmitter')).command_status, ESME_ROK);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const resp = await tx.submit(`44770090${i}00${c.systemId.slice(-1)}`, `from B ${i}`);
        assert.equal(resp.command_status, ESME_ROK);
        ids.push(resp.message_id!);
      }
      submitted.set(c.systemId, ids);
    }
    for (const c of customers) {
      const rx = receivers.get(c.systemId)!;
      const ids = submitted.get(c.systemId)!;
      await waitFor(`receipts of ${c.systemId} on node A`, () => ids.every((id) => rx.delivers.some((d) => d.receiptedMessageId === id)), 90000);
      // Only its own receipts.
      assert.deepEqual(rx.delivers.filter((d) => !ids.includes(d.receiptedMessageId ?? '')), []);
    }
    const all = [...submitted.values()].flat();
    const events = await readTopic<LifecycleEventRow>(prefix, 'message-events',
      (evs) => all.every((id) => evs.some((e) => e.messageId === id && e.type === 'delivered')));
    const deliveredByB = events.filter((e) => e.type === 'delivered' && all.includes(e.messageId) && e.node === nodeName(prefix, 'b'));
    assert.ok(deliveredByB.length > 0, `node B's delivery stage delivered none (by node: ${JSON.stringify(events.filter((e) => e.type === 'delivered').map((e) => e.node))})`);
  });
});

describe('return path: held deliveries and MO on one node', function () {
  this.timeout(180000);
  const prefix = uniquePrefix('held');
  const customers = [
    { systemId: 'acme', password: 'acmepw', numbers: ['4477001*'] },
    { systemId: 'beta', password: 'betapw', numbers: ['4477002*', '447700300000'] },
  ];
  let sim: ProviderSimulator;
  let gw: RunningGateway;
  const esmes: Esme[] = [];
  const connect = async () => {
    const e = await Esme.connect(gw.port);
    esmes.push(e);
    return e;
  };
  const redis = new Redis(redisUrl);

  before(async () => {
    sim = await startProviderSimulator({ host: '127.0.0.1', port: 0, systemId: 'gw', password: 'gwpass', receiptDelayMs: 1500, logger: silentLogger });
    // One outbox partition: acme and beta share it, so a held acme must not hold beta up.
    gw = await startGateway(gatewayConfig(prefix, nodeName(prefix, 'h'), sim.address.port, customers, { partitions: { default: 3, deliveries: 1 } }));
  });
  after(async () => {
    esmes.forEach((e) => e.close());
    await gw?.stop();
    await sim?.close();
    redis.disconnect();
  });

  it('a customer that unbinds while its receipts arrive gets all of them, in outbox order, after it binds again; another customer on the same partition is served meanwhile', async () => {
    const acme = await connect();
    assert.equal((await acme.bind('acme', 'acmepw')).command_status, ESME_ROK);
    const acmeIds: string[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await acme.submit(`4477009100${String(i).padStart(2, '0')}`, `acme ${i}`);
      assert.equal(r.command_status, ESME_ROK);
      acmeIds.push(r.message_id!);
    }
    acme.close();
    await waitFor('acme closed', () => acme.closed);

    const beta = await connect();
    assert.equal((await beta.bind('beta', 'betapw')).command_status, ESME_ROK);
    const betaIds: string[] = [];
    for (let i = 0; i < 4; i++) betaIds.push((await beta.submit(`4477009200${i}`, `beta ${i}`)).message_id!);
    await waitFor('beta receipts while acme is away', () => betaIds.every((id) => beta.delivers.some((d) => d.receiptedMessageId === id)), 60000);

    // Every acme receipt is held apart (not blocking the partition).
    await waitFor('acme receipts held', async () => (await redis.zcard(`${prefix}held:acme`)) === acmeIds.length, 60000, 200);
    assert.equal(beta.delivers.filter((d) => acmeIds.includes(d.receiptedMessageId ?? '')).length, 0, 'acme receipts never go to beta');

    const again = await connect();
    assert.equal((await again.bind('acme', 'acmepw', 'receiver')).command_status, ESME_ROK);
    await waitFor('every acme receipt after the rebind', () => acmeIds.every((id) => again.delivers.some((d) => d.receiptedMessageId === id)), 60000);
    const got = again.delivers.map((d) => d.receiptedMessageId!);
    assert.equal(got.length, new Set(got).size, `no duplicates: ${got.join(',')}`);

    // Delivered in the order the correlator wrote them to the outbox.
    const outbox = await readTopic<{ customer: string; messageId: string }>(prefix, 'customer-outgoing-deliveries',
      (all) => all.filter((r) => r.customer === 'acme').length >= acmeIds.length);
    assert.deepEqual(got, outbox.filter((r) => r.customer === 'acme').map((r) => r.messageId));
    await waitFor('the hold released', async () => (await redis.sismember(`${prefix}held-customers:0`, 'acme')) === 0, 10000, 200);
  });

  it('a customer slow to answer has several receipts in flight at once, still in outbox order', async () => {
    const beta = await connect();
    beta.deliverAnswerDelayMs = 150;
    assert.equal((await beta.bind('beta', 'betapw')).command_status, ESME_ROK);
    const ids = await Promise.all(Array.from({ length: 30 }, async (_, i) => {
      const r = await beta.submit(`4477009300${String(i).padStart(2, '0')}`, `window ${i}`);
      assert.equal(r.command_status, ESME_ROK);
      return r.message_id!;
    }));
    await waitFor('every receipt', () => ids.every((id) => beta.delivers.some((d) => d.receiptedMessageId === id)), 60000);
    // The session's SMPP window (session.window, 10) bounds what one bind has open.
    assert.ok(beta.maxUnansweredDelivers > 1, `deliver_sm open at once: ${beta.maxUnansweredDelivers}`);
    assert.ok(beta.maxUnansweredDelivers <= 10, `deliver_sm open at once: ${beta.maxUnansweredDelivers}`);
    const got = beta.delivers.map((d) => d.receiptedMessageId!).filter((id) => ids.includes(id));
    assert.equal(got.length, ids.length, 'each receipt once');
    const outbox = await readTopic<{ customer: string; messageId: string }>(prefix, 'customer-outgoing-deliveries',
      (all) => ids.every((id) => all.some((r) => r.messageId === id)));
    assert.deepEqual(got, outbox.map((r) => r.messageId).filter((id) => ids.includes(id)));
  });

  it('an MO reaches the customer owning the destination number, and no other customer', async () => {
    const acme = await connect();
    const beta = await connect();
    assert.equal((await acme.bind('acme', 'acmepw', 'receiver')).command_status, ESME_ROK);
    assert.equal((await beta.bind('beta', 'betapw', 'receiver')).command_status, ESME_ROK);
    assert.equal(await sim.sendMo({ from: '447999000111', to: '447700100123', text: 'hello acme' }), ESME_ROK);
    assert.equal(await sim.sendMo({ from: '447999000222', to: '447700300000', text: 'hello beta' }), ESME_ROK);
    const mo = await waitFor('the MO at acme', () => acme.delivers.find((d) => d.text === 'hello acme'), 30000);
    assert.equal(mo.esmClass, 0);
    assert.equal(mo.source, '447999000111');
    assert.equal(mo.destination, '447700100123');
    await waitFor('the MO at beta', () => beta.delivers.find((d) => d.text === 'hello beta'), 30000);
    assert.equal(beta.delivers.some((d) => d.text === 'hello acme'), false);
    assert.equal(acme.delivers.some((d) => d.text === 'hello beta'), false);
  });

  it('an MO to a number nobody owns is refused with ESME_RINVDSTADR and reported', async () => {
    assert.equal(await sim.sendMo({ from: '447999000333', to: '15550001111', text: 'lost' }), ESME_RINVDSTADR);
    const events = await readTopic<LifecycleEventRow>(prefix, 'message-events', (evs) => evs.some((e) => e.type === 'mo_unroutable'));
    const ev = events.find((e) => e.type === 'mo_unroutable');
    assert.equal(ev?.detail?.destination, '15550001111');
  });
});

describe('return path: retention', function () {
  this.timeout(120000);
  const prefix = uniquePrefix('retain');
  let sim: ProviderSimulator;
  let gw: RunningGateway;
  const redis = new Redis(redisUrl);

  before(async () => {
    sim = await startProviderSimulator({ host: '127.0.0.1', port: 0, systemId: 'gw', password: 'gwpass', receiptDelayMs: 300, logger: silentLogger });
    gw = await startGateway(gatewayConfig(prefix, nodeName(prefix, 'r'), sim.address.port, [{ systemId: 'acme', password: 'acmepw' }], { retentionSeconds: 3 }));
  });
  after(async () => {
    await gw?.stop();
    await sim?.close();
    redis.disconnect();
  });

  it('held receipts older than delivery.retentionSeconds are dropped with a delivery_expired event and never delivered', async () => {
    const tx = await Esme.connect(gw.port);
    assert.equal((await tx.bind('acme', 'acmepw', 'transmitter')).command_status, ESME_ROK);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await tx.submit(`447700950${i}`, `x ${i}`)).message_id!);
    tx.close();
    const events = await readTopic<LifecycleEventRow>(prefix, 'message-events',
      (evs) => ids.every((id) => evs.some((e) => e.messageId === id && e.type === 'delivery_expired')), 60000);
    for (const id of ids) assert.ok(events.some((e) => e.messageId === id && e.type === 'delivery_held'), `${id} was held first`);
    assert.equal(await redis.zcard(`${prefix}held:acme`), 0);
    const rx = await Esme.connect(gw.port);
    try {
      assert.equal((await rx.bind('acme', 'acmepw', 'receiver')).command_status, ESME_ROK);
      await new Promise((r) => setTimeout(r, 1500));
      assert.deepEqual(rx.delivers.filter((d) => ids.includes(d.receiptedMessageId ?? '')), []);
    } finally {
      rx.close();
    }
  });
});
