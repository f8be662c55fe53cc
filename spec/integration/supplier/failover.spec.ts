import { strict as assert } from 'node:assert';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import type { Esme } from '../../../scripts/lib/esme-client.js';
import { connectRedis } from '../../../src/redis/client.js';
import { silentLogger } from '../../../src/log.js';
import { redisUrl, uniquePrefix, waitFor } from '../../support/env.js';
import { startGateway, type RunningGateway } from '../../support/gateway-process.js';
import { bindCustomer, outboundConfig, receiptsFor, submitMany, textOf } from './support.js';

describe('failover routes: traffic moves to the next provider when the first is down or refuses', function () {
  this.timeout(120000);
  const prefix = uniquePrefix('failover');
  let first: ProviderSimulator;
  let second: ProviderSimulator;
  let gw: RunningGateway;
  let esme: Esme;
  const handedBack = () => gw.logs.filter((l) => l.includes('"message handed back for the next provider"')).length;
  const sentTo = (sim: ProviderSimulator, label: string) => sim.submitted.map((s) => textOf(s.pdu)).filter((t) => t.startsWith(`${label}-`));

  before(async () => {
    first = await startProviderSimulator({ systemId: 'gw', password: 'gwpass', receiptDelayMs: 20 });
    second = await startProviderSimulator({ systemId: 'gw', password: 'gwpass', receiptDelayMs: 20 });
    gw = await startGateway(outboundConfig(prefix, [
      { id: 'first', port: first.address.port, failoverAfterMs: 1000 },
      { id: 'second', port: second.address.port },
    ], [{ name: 'main', kind: 'failover', providers: ['first', 'second'] }]));
    await waitFor('both provider binds', () => first.boundSessions > 0 && second.boundSessions > 0);
    esme = await bindCustomer(gw.port);
  });
  after(async () => {
    esme?.close();
    await gw?.stop();
    await first?.close();
    await second?.close();
  });

  it('sends to the first provider while it is up', async () => {
    const sent = await submitMany(esme, 'up', 10);
    const stats = await receiptsFor(esme, sent);
    assert.deepEqual(sent.map((s) => stats.get(s.id)), sent.map(() => 'DELIVRD'));
    assert.equal(sentTo(first, 'up').length, 10);
    assert.equal(sentTo(second, 'up').length, 0);
  });

  it('hands a message the first provider refuses for good to the second one', async () => {
    first.setBehaviour('rejecting');
    const handedBefore = handedBack();
    const sent = await submitMany(esme, 'refused', 10);
    const stats = await receiptsFor(esme, sent);
    assert.deepEqual(sent.map((s) => stats.get(s.id)), sent.map(() => 'DELIVRD'));
    assert.equal(first.counters.rejected, 10);
    assert.equal(handedBack() - handedBefore, 10, `each refused message went back to the router\n${gw.logs.filter((l) => l.includes('handed back')).slice(0, 4).join('\n')}`);
    assert.deepEqual(sentTo(second, 'refused').sort(), sent.map((s) => s.text).sort());
    first.setBehaviour('happy');
  });

  it('moves all traffic to the second provider when the first is down, and the bind state says down cluster-wide', async () => {
    await first.close();
    const redis = await connectRedis({ url: redisUrl, keyPrefix: prefix }, silentLogger);
    try {
      await waitFor('first provider claimed down in Redis', async () => {
        const v = await redis.get(`${prefix}bindstate:first`);
        return v !== null && (JSON.parse(v) as { state: string }).state === 'down';
      }, 20000);
    } finally {
      redis.disconnect();
    }
    // Routers read bind states at most a second old (availability-cache.ts): past that, every
    // routing decision has read the down claim.
    await new Promise((r) => setTimeout(r, 1500));
    const before = second.counters.accepted;
    const handedBefore = handedBack();
    const sent = await submitMany(esme, 'down', 20);
    const stats = await receiptsFor(esme, sent);
    assert.deepEqual(sent.map((s) => stats.get(s.id)), sent.map(() => 'DELIVRD'));
    assert.deepEqual(sentTo(second, 'down').sort(), sent.map((s) => s.text).sort());
    assert.equal(second.counters.accepted - before, 20);
    assert.equal(handedBack(), handedBefore, 'the routers skipped the down provider: nothing went to it first');
  });
});
