import { strict as assert } from 'node:assert';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../../support/env.js';

interface Run { code: number; stdout: string; stderr: string }

/** The environment of an operator's shell: none of the overrides the specs use. */
function operatorEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['REDIS_URL', 'SMSGW_REDIS_PREFIX', 'SMSGW_CONFIG', 'SMSGW_NODE_ID']) delete env[k];
  return env;
}

const npx = (args: string[]): Promise<Run> => new Promise((resolve) => {
  execFile('npx', ['--no-install', ...args], { env: operatorEnv(), timeout: 60000 }, (err, stdout, stderr) =>
    resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
});

describe('npm start, then npx smsgw with no flags', function () {
  this.timeout(240000);
  let start: ChildProcess;
  const logs: string[] = [];

  before(async () => {
    // As users start it: the demo configuration, its simulator, 127.0.0.1:2775 and the admin port 9775.
    // The broker of the test run is reused (SMSGW_KAFKA_BROKERS), as npm start does with one that answers.
    start = spawn('npm', ['start'], { env: operatorEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (c: Buffer) => logs.push(...c.toString().split('\n').filter(Boolean));
    start.stdout!.on('data', collect);
    start.stderr!.on('data', collect);
    await waitFor('the demo node ready on 127.0.0.1:9775', async () => {
      if (start.exitCode !== null) throw new Error(`npm start exited with ${start.exitCode}:\n${logs.slice(-20).join('\n')}`);
      try {
        return (await fetch('http://127.0.0.1:9775/readyz', { signal: AbortSignal.timeout(2000) })).status === 200;
      } catch {
        return false;
      }
    }, 180000, 500);
  });
  after(async () => {
    if (start && start.exitCode === null) {
      process.kill(-start.pid!, 'SIGINT');
      await new Promise((r) => start.once('exit', r));
    }
  });

  it('shows the node in smsgw nodes, and the demo customer and provider', async () => {
    const nodes = await npx(['smsgw', 'nodes', '--json']);
    assert.equal(nodes.code, 0, nodes.stderr);
    const rows = JSON.parse(nodes.stdout) as { node: string; listeners: string[] }[];
    assert.ok(rows.some((r) => r.listeners.includes('127.0.0.1:2775')), nodes.stdout);
    const customers = await npx(['smsgw', 'customer', 'list']);
    assert.equal(customers.code, 0, customers.stderr);
    assert.match(customers.stdout, /^demo\s/m);
    const providers = await npx(['smsgw', 'provider', 'list']);
    assert.match(providers.stdout, /^simulator\s+127\.0\.0\.1:2776/m);
  });

  it('serves the customer HTTP API on 127.0.0.1:13013: Kannel\'s sendsms with its dlr-url, and the REST API', async () => {
    // The integration's own endpoint for Kannel's delivery reports.
    const calls: URL[] = [];
    const dlrServer = createServer((req, res) => {
      calls.push(new URL(req.url ?? '/', 'http://x'));
      res.end('ok');
    });
    await new Promise<void>((r) => dlrServer.listen(0, '127.0.0.1', r));
    try {
      const dlrUrl = `http://127.0.0.1:${(dlrServer.address() as AddressInfo).port}/dlr?type=%d&to=%p&id=%I`;
      const kannel = await fetch(`http://127.0.0.1:13013/cgi-bin/sendsms?username=demo&password=demo&to=447700900001&text=Hi&dlr-mask=3&dlr-url=${encodeURIComponent(dlrUrl)}`, { signal: AbortSignal.timeout(20000) });
      assert.equal(kannel.status, 202);
      assert.equal(await kannel.text(), '0: Accepted for delivery');
      const call = await waitFor('the dlr-url called', () => calls[0], 60000, 200);
      assert.equal(call.searchParams.get('type'), '1', 'delivered');
      assert.equal(call.searchParams.get('to'), '447700900001');
      assert.match(call.searchParams.get('id') ?? '', /\S/);
    } finally {
      dlrServer.close();
    }
    const auth = `Basic ${Buffer.from('demo:demo').toString('base64')}`;
    const sent = await fetch('http://127.0.0.1:13013/v1/messages', {
      method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ to: '+447700900002', text: 'Hello from the demo' }), signal: AbortSignal.timeout(20000),
    });
    assert.equal(sent.status, 202);
    const { id } = (await sent.json()) as { id: string };
    await waitFor('the demo message delivered', async () => {
      const r = await fetch(`http://127.0.0.1:13013/v1/messages/${id}`, { headers: { authorization: auth }, signal: AbortSignal.timeout(5000) });
      return ((await r.json()) as { state?: string }).state === 'DELIVERED';
    }, 60000, 500);
  });
});
