import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import { Esme } from '../../../scripts/lib/esme-client.js';
import { brokers, redisUrl, uniquePrefix, waitFor } from '../../support/env.js';
import { startGatewayFile, writeConfig, type RunningGateway } from '../../support/gateway-process.js';
import { outboundConfig, receiptsFor, type Sent } from '../supplier/support.js';
import { Status } from '../../../src/smpp/status.js';

interface Run { code: number; stdout: string; stderr: string }

describe('customers and providers changed live with smsgw, on two nodes started as users start them', function () {
  this.timeout(240000);
  const prefix = uniquePrefix('live');
  let p: ProviderSimulator;
  let q: ProviderSimulator;
  const nodes: RunningGateway[] = [];
  const files: string[] = [];
  const esmes: Esme[] = [];
  let base: ReturnType<typeof outboundConfig>;

  const cli = (args: string[]): Promise<Run> => new Promise((resolve) => {
    execFile(process.execPath, ['dist/src/cli/main.js', '--prefix', `${prefix}`, ...args], {
      env: { ...process.env, REDIS_URL: redisUrl, SMSGW_KAFKA_BROKERS: brokers.join(',') }, timeout: 60000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
  const bind = async (node: RunningGateway, systemId: string, password: string, as: 'transceiver' | 'receiver' = 'transceiver') => {
    const e = await Esme.connect(node.port);
    esmes.push(e);
    return { e, status: (await e.bind(systemId, password, as)).command_status };
  };
  /** Writes every node's file (routes change by reload: each node watches its own). */
  const writeRoutes = (routes: unknown[]) => {
    files.forEach((f, i) => writeFileSync(f, JSON.stringify({ ...base, node: { ...base.node, id: `live-${'ab'[i]}` }, routes }, null, 2)));
  };

  before(async () => {
    p = await startProviderSimulator({ systemId: 'gw', password: 'gwpass', receiptDelayMs: 20 });
    // q's receipts come later than its bind could retire after its last submit: the bind must linger for them.
    q = await startProviderSimulator({ systemId: 'gwq', password: 'gwqpass', receiptDelayMs: 400 });
    base = outboundConfig(prefix, [{ id: 'p', port: p.address.port }], [{ provider: 'p' }]);
    // redis.keyPrefix = the topic prefix here; the CLI is told the same with --prefix.
    base = { ...base, redis: { keyPrefix: prefix }, http: { host: '127.0.0.1', port: 0 } } as typeof base;
    for (const id of ['a', 'b']) {
      const f = writeConfig({ ...base, node: { ...base.node, id: `live-${id}` } });
      files.push(f);
      nodes.push(await startGatewayFile(f));
    }
    // Both nodes publish a status naming the directory they run before changes start.
    await waitFor('both nodes in smsgw nodes', async () => (await cli(['nodes', '--json'])).stdout.includes('live-b'), 30000, 250);
  });
  after(async () => {
    for (const e of esmes) e.close();
    await Promise.all(nodes.map((n) => n.stop()));
    await p?.close();
    await q?.close();
  });

  it('adds a customer that can bind on both nodes within 5 s, its password stored hashed', async () => {
    const started = Date.now();
    const add = await cli(['customer', 'add', 'newbie', '--password', 'nb-pw-1', '--bind-types', 'transceiver,receiver']);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /customer newbie added; in force on 2 of 2 nodes/);
    for (const n of nodes) assert.equal((await bind(n, 'newbie', 'nb-pw-1')).status, Status.ESME_ROK);
    assert.ok(Date.now() - started <= 5000, `bound on both nodes ${Date.now() - started} ms after the command began`);
    const list = await cli(['customer', 'list', '--json']);
    assert.ok(!list.stdout.includes('nb-pw-1') && !/passwordHash/.test(list.stdout), 'no password or hash listed');
    assert.deepEqual((JSON.parse(list.stdout) as { systemId: string; source: string }[]).map((c) => [c.systemId, c.source]), [['acme', 'file'], ['newbie', 'cli']]);
  });

  it('changes its password: the old one is refused from the next bind, the new one accepted', async () => {
    const set = await cli(['customer', 'set', 'newbie', '--password', 'nb-pw-2']);
    assert.equal(set.code, 0, set.stderr);
    for (const n of nodes) {
      assert.equal((await bind(n, 'newbie', 'nb-pw-1')).status, Status.ESME_RINVPASWD);
      assert.equal((await bind(n, 'newbie', 'nb-pw-2')).status, Status.ESME_ROK);
    }
  });

  it('removes it: its sessions on every node are unbound and its binds refused', async () => {
    const sessions = await Promise.all(nodes.map((n) => bind(n, 'newbie', 'nb-pw-2', 'receiver')));
    assert.deepEqual(sessions.map((s) => s.status), [Status.ESME_ROK, Status.ESME_ROK]);
    const removed = await cli(['customer', 'remove', 'newbie']);
    assert.equal(removed.code, 0, removed.stderr);
    await waitFor('its sessions unbound and closed', () => sessions.every((s) => s.e.unbindReceived && s.e.closed), 10000, 50);
    for (const n of nodes) assert.equal((await bind(n, 'newbie', 'nb-pw-2')).status, Status.ESME_RINVSYSID);
    assert.doesNotMatch((await cli(['customer', 'list'])).stdout, /newbie/);
  });

  it('refuses a bad entry naming the flag, and writes nothing', async () => {
    const bad = await cli(['customer', 'add', 'x', '--password', 'waytoolongpassword']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--password: must be at most 8 characters \(got <redacted>\)/);
    assert.ok(!bad.stderr.includes('waytoolongpassword'));
    const noPort = await cli(['provider', 'add', 'r', '--host', '127.0.0.1', '--system-id', 's', '--password', 'p']);
    assert.equal(noPort.code, 2);
    assert.match(noPort.stderr, /port: is required/);
  });

  it('adds a provider: bound at once and routed to once a route names it; removed, it drains first and unbinds', async () => {
    const add = await cli(['provider', 'add', 'q', '--host', '127.0.0.1', '--port', String(q.address.port), '--system-id', 'gwq', '--password', 'gwqpass', '--rate', '4']);
    assert.equal(add.code, 0, add.stderr);
    await waitFor('q bound', () => q.boundSessions === 1, 10000, 50);
    writeRoutes([{ kind: 'failover', providers: ['q', 'p'] }]);
    // Each node takes the file (its watch) only if it can resolve q: both do.
    await waitFor('both nodes reloaded', () => nodes.every((n) => n.logs.some((l) => l.includes('"configuration reloaded"'))), 20000, 100)
      .catch((err: Error) => assert.fail(`${err.message}:\n${nodes.flatMap((n) => n.logs.filter((l) => /reload/.test(l))).join('\n')}`));

    const customer = await bind(nodes[0]!, 'acme', 'acmepw');
    assert.equal(customer.status, Status.ESME_ROK);
    const sent: Sent[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await customer.e.submit(`4477009${String(i).padStart(5, '0')}`, `live-${i}`);
      assert.equal(r.command_status, 0);
      sent.push({ id: r.message_id!, text: `live-${i}` });
    }
    // At 4/s q holds most of them queued when it is removed: they go out before it unbinds.
    await waitFor('q sending', () => q.submitted.length >= 1, 10000, 20);
    const removed = await cli(['provider', 'remove', 'q']);
    assert.equal(removed.code, 0, removed.stderr);
    const stats = await receiptsFor(customer.e, sent, 60000);
    assert.deepEqual([...new Set(stats.values())], ['DELIVRD'], 'every message delivered');
    const textOf = (m: { pdu: { short_message?: unknown } }) => Buffer.isBuffer(m.pdu.short_message) ? m.pdu.short_message.toString('latin1') : String(m.pdu.short_message ?? '');
    const viaQ = q.submitted.map(textOf);
    const viaP = p.submitted.map(textOf).filter((t) => t.startsWith('live-'));
    assert.equal(viaQ.length + viaP.length, sent.length, `each message sent once: q ${viaQ.length}, p ${viaP.length}`);
    assert.ok(viaQ.length >= 2, 'q took messages before it was removed');
    await waitFor('q unbound after draining', () => q.boundSessions === 0, 20000, 50);
    assert.ok(nodes.some((n) => n.logs.some((l) => l.includes('"provider bind retired"'))), 'the owner retired the bind');
  });

  it('mints an HTTP API key for a customer with smsgw: it works on both nodes at once, and not once revoked', async () => {
    assert.equal((await cli(['customer', 'add', 'keyed', '--password', 'kp-1'])).code, 0);
    const minted = await cli(['customer', 'key-add', 'keyed']);
    assert.equal(minted.code, 0, minted.stderr);
    const key = /API key for keyed \(shown once, keep it\): (sk_\S+)/.exec(minted.stdout)?.[1];
    const id = /key id: ([0-9a-f]{12})/.exec(minted.stdout)?.[1];
    assert.ok(key && id, minted.stdout);
    const post = (n: RunningGateway) => fetch(`http://127.0.0.1:${n.httpPort}/v1/messages`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: '447700900901', text: 'keyed' }), signal: AbortSignal.timeout(20000),
    });
    for (const n of nodes) assert.equal((await post(n)).status, 202);
    const list = await cli(['customer', 'list', '--json']);
    assert.ok(!list.stdout.includes(key), 'the key is never listed');
    assert.deepEqual((JSON.parse(list.stdout) as { systemId: string; apiKeys?: string[] }[]).find((c) => c.systemId === 'keyed')?.apiKeys, [id]);
    const revoked = await cli(['customer', 'key-revoke', 'keyed', id]);
    assert.equal(revoked.code, 0, revoked.stderr);
    for (const n of nodes) assert.equal((await post(n)).status, 401);
  });
});
