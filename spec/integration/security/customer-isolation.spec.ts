/**
 * Security checks on two gateway nodes started as users start them, sharing the real Kafka
 * and Redis, with the provider simulator returning receipts: a customer receives only the
 * receipts of its own messages (whichever node it submitted on and whichever node holds its
 * receiver bind), cannot query or cancel another customer's message, cannot bind as another
 * customer, and cannot exceed its bind limit or its rate by spreading over the nodes.
 *
 * MO isolation is not checked here: the gateway does not route mobile-originated messages to
 * customers yet (the supplier refuses them), so there is nothing to cross.
 */
import { strict as assert } from 'node:assert';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import { hashPassword } from '../../../src/actors/session/password.js';
import { silentLogger } from '../../../src/log.js';
import type { SmppConnection } from '../../../src/smpp/connection.js';
import type { Pdu, PduFields } from '../../../src/smpp/pdu.js';
import { Status, statusName } from '../../../src/smpp/status.js';
import { brokers, uniquePrefix, waitFor } from '../../support/env.js';
import { startGateway, type RunningGateway } from '../../support/gateway-process.js';
import { connectClient } from '../session/support.js';

const RATE = 20;
const BURST = 20;

async function config(prefix: string, node: string, providerPort: number) {
  return {
    node: { id: `${node}-${prefix.slice(0, -1).replace(/[^A-Za-z0-9_.-]/g, '')}`.slice(0, 60), threads: 1 },
    listeners: [{ name: 'smpp', host: '127.0.0.1', port: 0 }],
    // Every bind of this spec comes from 127.0.0.1, wrong ones included: no failed-bind delay.
    session: { enquireLinkIntervalMs: 0, bindFailures: { free: 1000 } },
    kafka: { brokers, topicPrefix: prefix, partitions: 3 },
    redis: { keyPrefix: prefix },
    customers: [
      { systemId: 'alice', password: 'alicepw' },
      { systemId: 'bob', passwordHash: await hashPassword('bobpw') },
      { systemId: 'carol', password: 'carolpw' },
      { systemId: 'limited', password: 'limitpw', maxBinds: 3 },
      { systemId: 'rated', password: 'ratedpw', rate: RATE, burst: BURST },
    ],
    providers: [{ id: 'sim', host: '127.0.0.1', port: providerPort, systemId: 'gw', password: 'gwpass', rate: 500, window: 20 }],
    routes: [{ provider: 'sim' }],
    delivery: { retryIntervalMs: 200 },
  };
}

/** A client that answers every deliver_sm and keeps what it got. */
interface Customer {
  conn: SmppConnection;
  delivered: Pdu[];
}

describe('security: customers are isolated from each other across two gateway nodes', function () {
  this.timeout(180000);
  const prefix = uniquePrefix('sec');
  let sim: ProviderSimulator;
  const nodes: RunningGateway[] = [];
  const conns: SmppConnection[] = [];

  const connect = async (node: number): Promise<SmppConnection> => {
    const c = await connectClient(nodes[node]!.port);
    conns.push(c);
    return c;
  };
  const bind = async (node: number, systemId: string, password: string, as: 'transmitter' | 'receiver' | 'transceiver' = 'transceiver'): Promise<[SmppConnection, string]> => {
    const c = await connect(node);
    const r = await c.request(`bind_${as}`, { system_id: systemId, password });
    return [c, statusName(r.command_status)];
  };
  const customer = async (node: number, systemId: string, password: string, as: 'receiver' | 'transceiver' = 'transceiver'): Promise<Customer> => {
    const [conn, status] = await bind(node, systemId, password, as);
    assert.equal(status, 'ESME_ROK', `${systemId} binds on node ${node}`);
    const delivered: Pdu[] = [];
    conn.on('request', (pdu, respond) => {
      delivered.push(pdu);
      respond(Status.ESME_ROK);
    });
    return { conn, delivered };
  };
  const sm = (fields: PduFields = {}): PduFields => ({
    source_addr: 'SAME', source_addr_ton: 5, destination_addr: '447700900777', dest_addr_ton: 1, dest_addr_npi: 1,
    data_coding: 0, short_message: Buffer.from('isolation'), ...fields,
  });

  before(async () => {
    sim = await startProviderSimulator({ host: '127.0.0.1', port: 0, systemId: 'gw', password: 'gwpass', receiptDelayMs: 50, logger: silentLogger });
    // One after the other: both at once would double the start-up load on a busy machine.
    nodes.push(await startGateway(await config(prefix, 'a', sim.address.port), 90000));
    nodes.push(await startGateway(await config(prefix, 'b', sim.address.port), 90000));
  });
  afterEach(() => { for (const c of conns.splice(0)) c.destroy(); });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await sim?.close();
  });

  it('each customer receives the receipts of its own messages only, on whichever node it is bound', async () => {
    // Each customer holds a bind on each node; carol only listens and must hear nothing.
    const alice = [await customer(0, 'alice', 'alicepw'), await customer(1, 'alice', 'alicepw')];
    const bob = [await customer(0, 'bob', 'bobpw'), await customer(1, 'bob', 'bobpw')];
    const carol = [await customer(0, 'carol', 'carolpw', 'receiver'), await customer(1, 'carol', 'carolpw', 'receiver')];
    const ids = { alice: new Set<string>(), bob: new Set<string>() };
    // Same source and destination for both, interleaved over both nodes: only the customer differs.
    for (let i = 0; i < 10; i++) {
      for (const [name, binds] of [['alice', alice], ['bob', bob]] as const) {
        const r = await binds[i % 2]!.conn.request('submit_sm', sm({ registered_delivery: 1 }));
        assert.equal(statusName(r.command_status), 'ESME_ROK');
        ids[name].add(r.message_id!);
      }
    }
    const receiptIds = (binds: Customer[]) => binds.flatMap((b) => b.delivered.map((p) => p.receipted_message_id ?? ''));
    const covers = (binds: Customer[], want: Set<string>) => {
      const got = new Set(receiptIds(binds));
      return [...want].every((id) => got.has(id));
    };
    await waitFor('every receipt delivered', () => covers(alice, ids.alice) && covers(bob, ids.bob), 60000, 100);
    // Every receipt the simulator sent has gone out by now: any stray one would show.
    await waitFor('the simulator to have sent all receipts', () => sim.receiptsSent.length >= 20, 30000, 100);
    await new Promise((r) => setTimeout(r, 1000));

    for (const [name, binds] of [['alice', alice], ['bob', bob]] as const) {
      const got = receiptIds(binds);
      assert.deepEqual(new Set(got), ids[name], `${name} received receipts for exactly its own ids`);
      for (const p of binds.flatMap((b) => b.delivered)) {
        assert.match(p.short_message!.toString('latin1'), new RegExp(`^id:${p.receipted_message_id} `), 'the text names the same id');
      }
    }
    assert.equal(receiptIds(carol).length, 0, 'carol, who sent nothing, received nothing');
  });

  it('a customer cannot query or cancel another customer\'s message', async () => {
    const [alice] = await bind(0, 'alice', 'alicepw');
    const [bob] = await bind(1, 'bob', 'bobpw');
    const r = await alice.request('submit_sm', sm());
    assert.equal(statusName(r.command_status), 'ESME_ROK');
    const id = r.message_id!;
    assert.equal(statusName((await alice.request('query_sm', { message_id: id, source_addr: 'SAME', source_addr_ton: 5 })).command_status), 'ESME_ROK');
    const q = await bob.request('query_sm', { message_id: id, source_addr: 'SAME', source_addr_ton: 5 });
    assert.equal(statusName(q.command_status), 'ESME_RINVMSGID', 'bob cannot see alice\'s message');
    assert.equal(q.message_state, undefined, 'nothing about the message leaks');
    assert.equal(statusName((await bob.request('cancel_sm', { message_id: id, ...sm() })).command_status), 'ESME_RINVMSGID');
  });

  it('a customer cannot bind as another: wrong, borrowed and near-miss passwords and system_ids are refused', async () => {
    const cases: [string, string, string][] = [
      ['alice', 'wrong', 'ESME_RINVPASWD'],
      ['alice', 'bobpw', 'ESME_RINVPASWD'], // bob's password under alice's system_id
      ['bob', 'alicepw', 'ESME_RINVPASWD'], // alice's password under bob's (hashed) system_id
      ['alice', 'alicep', 'ESME_RINVPASWD'],
      ['alice', 'alicepw2', 'ESME_RINVPASWD'],
      ['alice', '', 'ESME_RINVPASWD'],
      ['bob', '', 'ESME_RINVPASWD'],
      ['ALICE', 'alicepw', 'ESME_RINVSYSID'],
      ['alice ', 'alicepw', 'ESME_RINVSYSID'],
      ['', 'alicepw', 'ESME_RINVSYSID'],
    ];
    for (const node of [0, 1]) {
      for (const [systemId, password, expected] of cases) {
        const [c, status] = await bind(node, systemId, password, 'transmitter');
        assert.equal(status, expected, `node ${node}: bind ${JSON.stringify(systemId)} / ${JSON.stringify(password)}`);
        // A refused bind leaves the session unbound: nothing can be submitted on it.
        assert.equal(statusName((await c.request('submit_sm', sm())).command_status), 'ESME_RINVBNDSTS');
        c.destroy();
      }
    }
  });

  it('the bind limit holds across both nodes: of 8 simultaneous binds over two nodes, maxBinds (3) succeed', async () => {
    const attempts = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      const [conn, status] = await bind(i % 2, 'limited', 'limitpw', 'transmitter');
      return { node: i % 2, conn, status };
    }));
    const statuses = attempts.map((a) => a.status).join();
    const ok = attempts.filter((a) => a.status === 'ESME_ROK');
    assert.equal(ok.length, 3, statuses);
    assert.ok(attempts.every((a) => a.status === 'ESME_ROK' || a.status === 'ESME_RALYBND'), statuses);
    // A slot released on one node can be taken on the other, and the limit still holds afterwards.
    const released = ok[0]!;
    await released.conn.unbind();
    await waitFor('the freed slot to be taken on the other node', async () => {
      const [c, s] = await bind(1 - released.node, 'limited', 'limitpw', 'transmitter');
      if (s !== 'ESME_ROK') c.destroy();
      return s === 'ESME_ROK';
    }, 20000, 200);
    for (const node of [0, 1]) assert.equal((await bind(node, 'limited', 'limitpw', 'transmitter'))[1], 'ESME_RALYBND', `node ${node} after re-bind`);
  });

  it('the rate limit holds across both nodes: accepted submits stay within rate x time + burst', async () => {
    const binds = [(await bind(0, 'rated', 'ratedpw', 'transmitter'))[0], (await bind(1, 'rated', 'ratedpw', 'transmitter'))[0]];
    const counts = { ok: [0, 0], throttled: 0, other: [] as string[] };
    const started = Date.now();
    const runFor = 4000;
    // Each bind keeps 5 submits in flight, well beyond the rate, for the measured window.
    await Promise.all(binds.flatMap((c, node) => Array.from({ length: 5 }, async () => {
      while (Date.now() - started < runFor) {
        const r = await c.request('submit_sm', sm());
        if (r.command_status === Status.ESME_ROK) counts.ok[node]!++;
        else if (r.command_status === Status.ESME_RTHROTTLED) counts.throttled++;
        else counts.other.push(statusName(r.command_status));
        await new Promise((res) => setTimeout(res, 20));
      }
    })));
    const elapsedS = (Date.now() - started) / 1000;
    const accepted = counts.ok[0]! + counts.ok[1]!;
    const allowed = RATE * elapsedS + BURST;
    process.stdout.write(`      [rate] ${accepted} accepted (node a ${counts.ok[0]}, node b ${counts.ok[1]}), ${counts.throttled} throttled in ${elapsedS.toFixed(1)} s; one bucket allows ${allowed.toFixed(0)}\n`);
    assert.deepEqual(counts.other, []);
    assert.ok(counts.throttled > 0, 'the limit engaged');
    // Generous on counts; two separate per-node buckets would allow about twice `allowed`.
    assert.ok(accepted <= allowed * 1.25 + 5, `${accepted} accepted, one cluster bucket allows ${allowed.toFixed(0)}`);
    assert.ok(accepted >= BURST / 2, `${accepted} accepted`);
  });
});
