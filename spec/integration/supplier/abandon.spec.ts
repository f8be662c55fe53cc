/**
 * A provider bind whose partition moved to another owner drops the submits still waiting for
 * their turn (the new owner sends those) and lets the one already sent finish: against the
 * provider simulator on loopback and the real Redis.
 */
import { strict as assert } from 'node:assert';
import { Redis } from 'ioredis';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import { validateConfig } from '../../../src/config/validate.js';
import { GatewayError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { BindStateStore } from '../../../src/redis/stores/bind-state.js';
import { ProviderBind, SUBMITS_ABANDONED } from '../../../src/actors/supplier/provider-bind.js';
import { Status } from '../../../src/smpp/status.js';
import { redisUrl, uniquePrefix, waitFor } from '../../support/env.js';

describe('supplier: a provider bind whose partition moved', function () {
  this.timeout(30000);
  let sim: ProviderSimulator;
  let redis: Redis;
  let bind: ProviderBind;

  before(async () => {
    sim = await startProviderSimulator({ systemId: 'gw', password: 'gwpass', receiptDelayMs: 20, logger: silentLogger });
    redis = new Redis(redisUrl);
    // One submit a second: the others wait in the bind's queue.
    const config = validateConfig({
      listeners: [{ port: 0 }], customers: [{ systemId: 'x', password: 'x' }], routes: [{ provider: 'p' }],
      providers: [{ id: 'p', host: '127.0.0.1', port: sim.address.port, systemId: 'gw', password: 'gwpass', rate: 1, window: 5 }],
    });
    bind = new ProviderBind(config.providers[0]!, { log: silentLogger, bindStates: new BindStateStore(redis, uniquePrefix('abandon')), nodeId: 'n' }, (_pdu, respond) => respond(Status.ESME_ROK));
    bind.start();
    await bind.waitBound(10000);
  });
  after(async () => {
    await bind?.stop();
    await sim?.close();
    redis?.disconnect();
  });

  it('drops the submits that had not started, finishes the one sent, and refuses new ones', async () => {
    const field = (i: number) => ({ source_addr: 'GW', destination_addr: `44770090090${i}`, short_message: Buffer.from(`queued ${i}`) });
    const sends = [0, 1, 2].map((i) => bind.send(field(i), false).then((r) => ({ ok: true as const, status: r.resp.command_status }), (err: unknown) => ({ ok: false as const, err })));
    await waitFor('the first submit at the provider', () => sim.submitted.length >= 1, 10000);
    assert.equal(bind.abandonQueued(), 2);
    const [first, second, third] = await Promise.all(sends);
    assert.deepEqual(first, { ok: true, status: Status.ESME_ROK });
    for (const r of [second, third]) assert.ok(!r!.ok && r!.err instanceof GatewayError && r!.err.code === SUBMITS_ABANDONED, JSON.stringify(r));
    await assert.rejects(bind.send(field(3), false), (err: unknown) => err instanceof GatewayError && err.code === SUBMITS_ABANDONED);
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(sim.submitted.map((s) => s.pdu.short_message?.toString('latin1')), ['queued 0'], 'only the started one reached the provider');
  });
});
