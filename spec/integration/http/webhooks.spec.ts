import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import { uniquePrefix, waitFor } from '../../support/env.js';
import { startGateway, type RunningGateway } from '../../support/gateway-process.js';
import { outboundConfig } from '../supplier/support.js';
import { Esme } from '../../../scripts/lib/esme-client.js';
import { freePort } from '../../../scripts/lib/ports.js';
import { runLoadgen } from '../../../scripts/loadgen/generator.js';
import { parseLoadgenArgs, type LoadgenOptions } from '../../../scripts/loadgen/options.js';

const SECRET = 'spec-webhook-secret-0123456789';

interface Received { eventId: string; signatureOk: boolean; body: { type: string; id: string; stat?: string } }

/** A customer's webhook endpoint: records what it took (2xx) and can refuse everything for a while. */
class Receiver {
  readonly taken: Received[] = [];
  refused = 0;
  down = false;
  private server!: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.down) {
          this.refused++;
          res.writeHead(503).end();
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const expected = `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`;
        this.taken.push({ eventId: String(req.headers['x-smsgw-event-id']), signatureOk: req.headers['x-smsgw-signature'] === expected, body: JSON.parse(raw) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** The first time each event was taken, in that order. */
  firsts(): Received[] {
    const seen = new Set<string>();
    return this.taken.filter((t) => !seen.has(t.eventId) && seen.add(t.eventId));
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('webhooks: receipts as signed JSON POSTs from the durable outbox', function () {
  this.timeout(240000);
  const prefix = uniquePrefix('hook');
  let sim: ProviderSimulator;
  let gw: RunningGateway;
  let receiver: Receiver;
  let config: unknown;
  let loadgenPort: number;
  const auth = `Basic ${Buffer.from('hooked:hookpw').toString('base64')}`;

  async function send(to: string, text: string): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${gw.httpPort}/v1/messages`, {
      method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ to, text }), signal: AbortSignal.timeout(20000),
    });
    assert.equal(res.status, 202, await res.clone().text());
    return ((await res.json()) as { id: string }).id;
  }

  /** The receipt is in the customer's outbox once the message's state is final (written after it). */
  async function receiptWritten(id: string): Promise<void> {
    await waitFor(`the receipt of ${id} in the outbox`, async () => {
      const r = await fetch(`http://127.0.0.1:${gw.httpPort}/v1/messages/${id}`, { headers: { authorization: auth }, signal: AbortSignal.timeout(5000) });
      return ((await r.json()) as { state?: string }).state === 'DELIVERED';
    }, 30000, 100);
  }

  before(async () => {
    sim = await startProviderSimulator({ systemId: 'gw', password: 'gwpass', receiptDelayMs: 20 });
    receiver = new Receiver();
    await receiver.start();
    const c = outboundConfig(prefix, [{ id: 'p', port: sim.address.port }], [{ provider: 'p' }], {
      http: { host: '127.0.0.1', port: 0 }, delivery: { retryIntervalMs: 300, responseTimeoutMs: 2000 },
    }) as { customers: unknown[] };
    loadgenPort = await freePort();
    c.customers = [
      { systemId: 'hooked', password: 'hookpw', numbers: ['447700900999'], webhook: { url: `http://127.0.0.1:${receiver.port}/events`, secret: SECRET } },
      { systemId: 'both', password: 'bothpw', webhook: { url: `http://127.0.0.1:${receiver.port}/events`, secret: SECRET, preferSmpp: true } },
      { systemId: 'loaded', password: 'loadpw', webhook: { url: `http://127.0.0.1:${loadgenPort}/`, secret: SECRET } },
    ];
    config = c;
    gw = await startGateway(config);
  });
  after(async () => {
    await gw?.stop();
    await sim?.close();
    await receiver?.close();
  });

  it('POSTs the receipt of a message sent by REST, signed with the customer\'s secret, with an event id', async () => {
    const id = await send('447700900801', 'hook me');
    const got = await waitFor('the receipt webhook', () => receiver.taken.find((t) => t.body.id === id), 30000);
    assert.equal(got.body.type, 'receipt');
    assert.equal((got.body as { parts?: number }).parts, 1);
    assert.equal(got.body.stat, 'DELIVRD');
    assert.ok(got.signatureOk, 'X-Smsgw-Signature is the HMAC-SHA256 of the body');
    assert.match(got.eventId, /^[0-9a-f]{32}$/);
  });

  it('holds the events while the receiver refuses them for a minute, retrying with backoff, then brings every one, in order, none lost', async function () {
    this.timeout(240000);
    receiver.down = true;
    const downSince = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const id = await send(`44770090090${i}`, `while down ${i}`);
      await receiptWritten(id);
      ids.push(id);
    }
    await waitFor('the receiver to have refused some', () => receiver.refused >= 2, 20000);
    // Away for a minute.
    await new Promise((r) => setTimeout(r, Math.max(0, downSince + 60_000 - Date.now())));
    assert.equal(receiver.taken.filter((t) => ids.includes(t.body.id)).length, 0, 'nothing taken while down');
    // Retried with a doubling wait (300 ms, 600 ms, ...), not every 300 ms: a few tries, not dozens.
    const downForMs = Date.now() - downSince;
    assert.ok(receiver.refused <= 14, `${receiver.refused} tries in ${downForMs} ms while down`);
    receiver.down = false;
    // The next try comes within the wait it is in (at most a minute).
    await waitFor('every held event', () => ids.every((id) => receiver.taken.some((t) => t.body.id === id)), 90000);
    const order = receiver.firsts().map((t) => t.body.id).filter((id) => ids.includes(id));
    assert.deepEqual(order, ids, 'in the order of the outbox');
    assert.ok(receiver.taken.every((t) => t.signatureOk));
  });

  it('loses none when the node is killed with events pending: the restarted node brings them', async () => {
    receiver.down = true;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await send(`44770091000${i}`, `before the kill ${i}`);
      await receiptWritten(id);
      ids.push(id);
    }
    gw.proc.kill('SIGKILL');
    await gw.stop();
    receiver.down = false;
    gw = await startGateway(config, 60000);
    await waitFor('every event held at the kill', () => ids.every((id) => receiver.taken.some((t) => t.body.id === id)), 90000);
    const order = receiver.firsts().map((t) => t.body.id).filter((id) => ids.includes(id));
    assert.deepEqual(order, ids, 'in order');
  });

  it('carries the load generator\'s HTTP edge: every message POSTed is accepted and its receipt comes back by webhook', async () => {
    const parsed = parseLoadgenArgs([
      '--edge', 'http', '--port', String(gw.httpPort), '--webhook-port', String(loadgenPort), '--system-id', 'loaded', '--password', 'loadpw',
      '--rate', '40', '--duration', '3', '--multipart-ratio', '0.3', '--binds', '2', '--drain-ms', '30000', '--progress', 'off', '--quiet', '--seed', '3',
    ]);
    const report = await runLoadgen((parsed as { options: LoadgenOptions }).options);
    assert.ok(report.submits.sent >= 60, `sent ${report.submits.sent}`);
    assert.equal(report.submits.accepted, report.submits.sent);
    assert.equal(report.receipts.missing, 0);
    assert.equal(report.receipts.matched, report.submits.accepted);
    assert.equal(report.receipts.duplicates, 0);
  });

  it('POSTs an MO to the customer owning the number, its text decoded', async () => {
    const status = await sim.sendMo({ from: '447700900555', to: '447700900999', text: 'Привет from a handset' });
    assert.equal(status, 0);
    const got = await waitFor('the MO webhook', () => receiver.taken.find((t) => t.body.type === 'mo'), 30000);
    assert.deepEqual({ ...got.body, id: undefined, receivedAt: undefined },
      { type: 'mo', id: undefined, from: '447700900555', to: '447700900999', text: 'Привет from a handset', receivedAt: undefined });
    assert.ok(got.signatureOk);
  });

  it('with preferSmpp, delivers over the customer\'s receiving bind while it has one, by webhook once it has none', async () => {
    const esme = await Esme.connect(gw.port);
    try {
      assert.equal((await esme.bind('both', 'bothpw', 'transceiver')).command_status, 0);
      const auth2 = `Basic ${Buffer.from('both:bothpw').toString('base64')}`;
      const post = async (to: string) => {
        const r = await fetch(`http://127.0.0.1:${gw.httpPort}/v1/messages`, { method: 'POST', headers: { authorization: auth2, 'content-type': 'application/json' }, body: JSON.stringify({ to, text: 'both ways' }) });
        return ((await r.json()) as { id: string }).id;
      };
      const overSmpp = await post('447700900701');
      await waitFor('the receipt over SMPP', () => esme.delivers.some((d) => d.receiptedMessageId === overSmpp), 30000);
      assert.equal(receiver.taken.some((t) => t.body.id === overSmpp), false, 'not by webhook too');
      esme.close();
      await new Promise((r) => setTimeout(r, 500));
      const byWebhook = await post('447700900702');
      await waitFor('the receipt by webhook once unbound', () => receiver.taken.some((t) => t.body.id === byWebhook), 30000);
    } finally {
      esme.close();
    }
  });
});
