import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { SmppStatusError, UnavailableError } from '../../../src/errors.js';
import { SmppClient, type SmppClientOptions } from '../../../src/smpp/client.js';
import type { SmppConnection } from '../../../src/smpp/connection.js';
import { createSmppServer } from '../../../src/smpp/server.js';
import { Status } from '../../../src/smpp/status.js';
import { delay, startTestServer, type TestServer } from './helpers.js';

/** An SMSC that accepts binds with password 'secret' and answers submits with id 'm-<seq>'. */
function smscHandler(conn: SmppConnection): void {
  conn.on('request', (pdu, respond) => {
    if (pdu.command.startsWith('bind_')) {
      respond(pdu.password === 'secret' ? Status.ESME_ROK : Status.ESME_RINVPASWD, { system_id: 'TESTSMSC' });
    } else if (pdu.command === 'submit_sm') {
      respond(Status.ESME_ROK, { message_id: `m-${pdu.sequence_number}` });
    } else {
      respond(Status.ESME_RINVCMDID);
    }
  });
}

describe('smpp/client', () => {
  let server: TestServer | undefined;
  let client: SmppClient | undefined;

  afterEach(async () => {
    await client?.stop();
    await server?.close();
    client = undefined;
    server = undefined;
  });

  function makeClient(port: number, overrides: Partial<SmppClientOptions> = {}): SmppClient {
    client = new SmppClient({
      host: '127.0.0.1', port, systemId: 'gw', password: 'secret', bindType: 'transceiver',
      reconnect: { initialMs: 50, maxMs: 200 }, ...overrides,
    });
    return client;
  }

  it('binds, sends requests, and rejects with UnavailableError before binding', async () => {
    server = await startTestServer({}, smscHandler);
    const c = makeClient(server.port);
    await assert.rejects(c.request('submit_sm'), UnavailableError);
    const bound = once(c, 'bound');
    c.start();
    const [info] = await bound;
    assert.deepEqual(info, { systemId: 'TESTSMSC' });
    assert.equal(c.state, 'bound');
    const resp = await c.request('submit_sm', { destination_addr: '1', short_message: Buffer.from('hi') });
    assert.match(resp.message_id ?? '', /^m-\d+$/);
  });

  it('reconnects and rebinds after the server drops it', async () => {
    const srv = await startTestServer({}, smscHandler);
    server = srv;
    const c = makeClient(srv.port);
    c.start();
    await once(c, 'bound');
    const first = await srv.nextConnection();
    const unbound = once(c, 'unbound');
    const rebound = new Promise<void>((resolve) => c.once('bound', () => resolve()));
    first.destroy();
    const [reason] = await unbound;
    assert.ok(reason instanceof Error);
    assert.notEqual(c.state, 'bound');
    await assert.rejects(c.request('submit_sm'), UnavailableError);
    await rebound;
    assert.equal(c.state, 'bound');
    assert.equal((await c.request('submit_sm')).command_status, Status.ESME_ROK);
  });

  it('retries with backoff when the bind is refused', async () => {
    server = await startTestServer({}, smscHandler);
    const c = makeClient(server.port, { password: 'wrong' });
    const failures: Error[] = [];
    c.on('bindFailed', (err) => failures.push(err));
    c.start();
    await delay(400);
    assert.ok(failures.length >= 2, `retried (${failures.length} attempts)`);
    const first = failures[0];
    assert.ok(first instanceof SmppStatusError);
    assert.equal(first.commandStatus, Status.ESME_RINVPASWD);
    assert.notEqual(c.state, 'bound');
  });

  it('keeps retrying while nothing listens, then binds once the SMSC appears', async () => {
    const probe = await startTestServer();
    const port = probe.port;
    await probe.close();
    const c = makeClient(port);
    const failures: Error[] = [];
    c.on('bindFailed', (err) => failures.push(err));
    c.start();
    await delay(150);
    assert.ok(failures.length >= 1);
    // Reuse the port the client keeps dialling.
    const late = createSmppServer({ host: '127.0.0.1', port }, smscHandler);
    await late.listen();
    try {
      await once(c, 'bound');
      assert.equal(c.state, 'bound');
    } finally {
      await c.stop();
      await late.close();
    }
  });

  it('stop() unbinds cleanly and does not reconnect', async () => {
    const srv = await startTestServer({}, smscHandler);
    server = srv;
    const c = makeClient(srv.port);
    c.start();
    await once(c, 'bound');
    const serverSide = await srv.nextConnection();
    const peerSawUnbind = once(serverSide, 'unbind');
    await c.stop();
    await peerSawUnbind;
    assert.equal(c.state, 'stopped');
    await delay(150);
    assert.equal(srv.server.connections.size, 0, 'no reconnection after stop');
  });

  it('passes requests from the SMSC (deliver_sm) to its listener', async () => {
    const srv = await startTestServer({}, smscHandler);
    server = srv;
    const c = makeClient(srv.port);
    c.on('request', (pdu, respond) => respond(pdu.command === 'deliver_sm' ? Status.ESME_ROK : Status.ESME_RSYSERR));
    c.start();
    await once(c, 'bound');
    const serverSide = await srv.nextConnection();
    const resp = await serverSide.request('deliver_sm', { esm_class: 4, short_message: Buffer.from('id:1 stat:DELIVRD') });
    assert.equal(resp.command, 'deliver_sm_resp');
    assert.equal(resp.command_status, Status.ESME_ROK);
  });
});
