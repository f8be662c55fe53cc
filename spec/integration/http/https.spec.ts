import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import { uniquePrefix } from '../../support/env.js';
import { startGateway, type RunningGateway } from '../../support/gateway-process.js';
import { outboundConfig } from '../supplier/support.js';
import { selfSigned } from '../session/support.js';

describe('customer HTTP API over TLS (http.tls)', function () {
  this.timeout(120000);
  const prefix = uniquePrefix('https');
  let sim: ProviderSimulator;
  let gw: RunningGateway;
  let ca: Buffer;

  before(async () => {
    sim = await startProviderSimulator({ systemId: 'gw', password: 'gwpass', receiptDelayMs: 20 });
    const tls = selfSigned();
    ca = readFileSync(tls.certFile);
    gw = await startGateway(outboundConfig(prefix, [{ id: 'p', port: sim.address.port }], [{ provider: 'p' }], {
      http: { host: '127.0.0.1', port: 0, tls },
    }));
  });
  after(async () => {
    await gw?.stop();
    await sim?.close();
  });

  it('takes a message over HTTPS, and nothing in plain HTTP on that port', async () => {
    const body = JSON.stringify({ to: '447700900001', text: 'over TLS' });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1', port: gw.httpPort!, path: '/v1/messages', method: 'POST', ca, servername: 'localhost',
        headers: { authorization: `Basic ${Buffer.from('acme:acmepw').toString('base64')}`, 'content-type': 'application/json' },
      }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(status, 202);
    await assert.rejects(fetch(`http://127.0.0.1:${gw.httpPort}/v1/openapi.json`, { signal: AbortSignal.timeout(5000) }));
  });
});
