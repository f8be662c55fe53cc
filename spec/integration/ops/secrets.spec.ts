import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import { Esme } from '../../../scripts/lib/esme-client.js';
import { brokers, redisUrl, uniquePrefix, waitFor } from '../../support/env.js';
import { runNode, startGatewayFile, writeConfig, type RunningGateway } from '../../support/gateway-process.js';
import { outboundConfig } from '../supplier/support.js';
import { Status } from '../../../src/smpp/status.js';

interface Run { code: number; stdout: string; stderr: string }

// Each distinctive, so a leak anywhere is found by a plain search.
const SECRETS = {
  customer: 'Q7zp!w9x',
  provider: 'Vv3#pq8z',
  refusedProvider: 'Kk5%wrng',
  adminToken: 'secret-admin-token-Jx93kd02',
  wrongAttempt: 'Bad!pw77',
  added: 'Nw2@pass',
  tooLong: 'Toolong#Secret99',
};

describe('no password of the configuration in any error or log line', function () {
  this.timeout(180000);
  const prefix = uniquePrefix('secrets');
  let sim: ProviderSimulator;
  let gw: RunningGateway;
  let configPath: string;
  let config: Record<string, unknown>;
  const outputs: string[] = [];

  const cli = (args: string[]): Promise<Run> => new Promise((resolve) => {
    execFile(process.execPath, ['dist/src/cli/main.js', '--prefix', prefix, ...args], {
      env: { ...process.env, REDIS_URL: redisUrl, SMSGW_KAFKA_BROKERS: brokers.join(',') }, timeout: 60000,
    }, (err, stdout, stderr) => {
      outputs.push(stdout, stderr);
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });

  before(async () => {
    sim = await startProviderSimulator({ systemId: 'gw', password: SECRETS.provider, receiptDelayMs: 20 });
    const base = outboundConfig(prefix, [{ id: 'p', port: sim.address.port, password: SECRETS.provider }, { id: 'refusing', port: sim.address.port, password: SECRETS.refusedProvider }], [{ provider: 'p' }]);
    config = {
      ...base,
      node: { ...base.node, logLevel: 'debug' },
      redis: { keyPrefix: prefix },
      customers: [{ systemId: 'acme', password: SECRETS.customer }],
      admin: { host: '127.0.0.1', port: 0, token: SECRETS.adminToken },
    };
    configPath = writeConfig(config);
    gw = await startGatewayFile(configPath);
  });
  after(async () => {
    await gw?.stop();
    await sim?.close();
  });

  it('keeps them out of everything a node, the CLI and a refused configuration print', async () => {
    // A provider refusing the gateway's password, a customer's wrong and right binds, a submit.
    await waitFor('the refused provider bind logged', () => gw.logs.some((l) => /refusing/.test(l) && /bind/.test(l)), 30000, 100);
    const wrong = await Esme.connect(gw.port);
    assert.equal((await wrong.bind('acme', SECRETS.wrongAttempt)).command_status, Status.ESME_RINVPASWD);
    wrong.close();
    const right = await Esme.connect(gw.port);
    assert.equal((await right.bind('acme', SECRETS.customer)).command_status, Status.ESME_ROK);
    assert.equal((await right.submit('447700900001', 'hello')).command_status, 0);
    right.close();

    // The live directory: a customer added with a password, and listed.
    assert.equal((await cli(['customer', 'add', 'added', '--password', SECRETS.added])).code, 0);
    assert.equal((await cli(['customer', 'list', '--json'])).code, 0);
    assert.equal((await cli(['customer', 'add', 'x', '--password', SECRETS.tooLong])).code, 2);

    // A reload of a file with a bad password: refused, the error logged.
    writeFileSync(configPath, JSON.stringify({ ...config, customers: [{ systemId: 'acme', password: SECRETS.tooLong }] }, null, 2));
    await waitFor('the reload refused', () => gw.logs.some((l) => l.includes('"configuration not reloaded')), 20000, 100);
    const refusedReload = gw.logs.find((l) => l.includes('"configuration not reloaded'))!;
    assert.match(refusedReload, /customers\[0\]\.password: must be at most 8 characters \(got <redacted>\)/);

    // A node started on a bad file: exit 78, the error on stderr.
    const bad = runNode(writeConfig({ ...config, providers: [{ ...(config.providers as object[])[0]!, password: SECRETS.tooLong }] }));
    assert.equal(await bad.exited, 78);
    assert.match(bad.logs.join('\n'), /providers\[0\]\.password: must be at most 8 characters \(got <redacted>\)/);

    // An admin request with a wrong token.
    const res = await fetch(`http://127.0.0.1:${gw.adminPort!}/metrics`, { headers: { authorization: 'Bearer not-the-token-0000000' } });
    assert.equal(res.status, 401);
    outputs.push(await res.text());

    const everything = [...gw.logs, ...bad.logs, ...outputs].join('\n');
    assert.ok(gw.logs.length > 50, 'the node logged at debug level');
    for (const [what, secret] of Object.entries(SECRETS)) {
      const at = everything.indexOf(secret);
      assert.equal(at, -1, `the ${what} password appears: …${everything.slice(Math.max(0, at - 200), at + 50)}`);
    }
  });
});
