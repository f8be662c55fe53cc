import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import { uniquePrefix, waitFor } from '../../support/env.js';
import { startGateway, type RunningGateway } from '../../support/gateway-process.js';
import { outboundConfig } from '../supplier/support.js';

const TOKEN = 'spec-admin-token-0123456789';

interface Answer { status: number; body: { status?: string; checks?: Record<string, { ok: boolean; error?: string }>; error?: { code: string } } }

async function get(port: number, path: string, token: string | null = TOKEN, method = 'GET'): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: token === null ? {} : { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10000) });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

describe('admin listener: /healthz and /readyz on a gateway started as users start it', function () {
  this.timeout(180000);
  const prefix = uniquePrefix('admin');
  let sim: ProviderSimulator;
  let gw: RunningGateway;
  let kafkaPaused = false;

  before(async () => {
    sim = await startProviderSimulator({ systemId: 'gw', password: 'gwpass', receiptDelayMs: 20 });
    gw = await startGateway(outboundConfig(prefix, [{ id: 'p', port: sim.address.port }], [{ provider: 'p' }], {
      admin: { host: '127.0.0.1', port: 0, token: TOKEN },
    }));
  });
  after(async () => {
    if (kafkaPaused) execFileSync('bash', ['scripts/kafka.sh', 'resume']);
    await gw?.stop();
    await sim?.close();
  });

  it('refuses a request without the bearer token, or with a wrong one', async () => {
    assert.ok(gw.adminPort, 'the node reported its admin port');
    for (const token of [null, 'not-the-token-at-all-000']) {
      const r = await get(gw.adminPort!, '/healthz', token);
      assert.equal(r.status, 401);
      assert.equal(r.body.error?.code, 'UNAUTHORIZED');
    }
  });

  it('answers /healthz while the process runs, and names what it does not serve', async () => {
    assert.deepEqual(await get(gw.adminPort!, '/healthz'), { status: 200, body: { status: 'ok' } });
    assert.equal((await get(gw.adminPort!, '/nope')).status, 404);
    assert.equal((await get(gw.adminPort!, '/readyz', TOKEN, 'POST')).status, 405);
  });

  it('is ready with every check passing, 503 naming Kafka while the broker hangs, and ready again after', async () => {
    const ready = await waitFor('the node to be ready', async () => {
      const r = await get(gw.adminPort!, '/readyz');
      return r.status === 200 ? r : undefined;
    }, 60000, 250);
    assert.equal(ready.body.status, 'ready');
    assert.deepEqual(Object.entries(ready.body.checks!).filter(([, c]) => !c.ok), []);
    assert.deepEqual(Object.keys(ready.body.checks!).sort(), ['kafka', 'listeners', 'node', 'redis', 'stages']);

    // SIGSTOP: the broker neither answers nor refuses, the worst case for a probe.
    execFileSync('bash', ['scripts/kafka.sh', 'pause']);
    kafkaPaused = true;
    try {
      const down = await get(gw.adminPort!, '/readyz');
      assert.equal(down.status, 503);
      assert.equal(down.body.status, 'not ready');
      assert.equal(down.body.checks!.kafka!.ok, false);
      assert.match(down.body.checks!.kafka!.error!, /Kafka did not answer within 2000 ms/);
      assert.equal(down.body.checks!.redis!.ok, true, 'only the failing check fails');
      assert.equal((await get(gw.adminPort!, '/healthz')).status, 200, 'alive all the same');
    } finally {
      execFileSync('bash', ['scripts/kafka.sh', 'resume']);
      kafkaPaused = false;
    }
    await waitFor('ready again once the broker answers', async () => (await get(gw.adminPort!, '/readyz')).status === 200, 60000, 250);
  });

  it('is not ready from the moment the node begins to stop', async () => {
    gw.proc.kill('SIGTERM');
    // The listener stays until the end of the stop; meanwhile it tells load balancers to go elsewhere.
    const r = await waitFor('a not-ready answer while stopping', async () => {
      try {
        const a = await get(gw.adminPort!, '/readyz');
        return a.status === 503 ? a : undefined;
      } catch {
        return undefined;
      }
    }, 20000, 20);
    assert.equal(r.body.checks!.node!.ok, false);
    assert.equal(await gw.exited, 0);
  });
});
