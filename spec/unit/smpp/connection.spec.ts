import { strict as assert } from 'node:assert';
import net from 'node:net';
import { once } from 'node:events';
import { TimeoutError, UnavailableError } from '../../../src/errors.js';
import { INPUT_PAUSE_OCTETS, SmppConnection, type SmppConnectionOptions } from '../../../src/smpp/connection.js';
import { waitFor } from '../../support/env.js';
import { encodePdu } from '../../../src/smpp/pdu.js';
import { CommandId, Status } from '../../../src/smpp/status.js';
import { delay, header, RawPeer, startTestServer, stillPending, type TestServer } from './helpers.js';

/** A client-side SmppConnection to `port`. */
async function connectTo(port: number, options: SmppConnectionOptions = {}): Promise<SmppConnection> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  return new SmppConnection(socket, options);
}

describe('smpp/connection', () => {
  let server: TestServer | undefined;
  const opened: { destroy(): void }[] = [];

  afterEach(async () => {
    for (const o of opened.splice(0)) o.destroy();
    await server?.close();
    server = undefined;
  });

  async function rawPeer(connection: SmppConnectionOptions = {}, onConn?: (c: SmppConnection) => void): Promise<RawPeer> {
    const started = await startTestServer(connection, onConn);
    server = started;
    const peer = await RawPeer.connect(started.port);
    opened.push(peer);
    return peer;
  }

  /** Server and client SmppConnections joined by a real socket. */
  async function pair(serverOpts: SmppConnectionOptions = {}, clientOpts: SmppConnectionOptions = {}) {
    const started = await startTestServer(serverOpts);
    server = started;
    const client = await connectTo(started.port, clientOpts);
    opened.push(client);
    const serverSide = await started.nextConnection();
    return { client, serverSide };
  }

  it('answers enquire_link by itself', async () => {
    const peer = await rawPeer();
    peer.sendPdu({ command: 'enquire_link', sequence_number: 11 });
    const resp = await peer.next();
    assert.equal(resp.command, 'enquire_link_resp');
    assert.equal(resp.sequence_number, 11);
    assert.equal(resp.command_status, Status.ESME_ROK);
  });

  it('answers unbind with unbind_resp, emits unbind and closes', async () => {
    let unbound = false;
    const peer = await rawPeer({}, (c) => c.on('unbind', () => { unbound = true; }));
    peer.sendPdu({ command: 'unbind', sequence_number: 5 });
    const resp = await peer.next();
    assert.equal(resp.command, 'unbind_resp');
    assert.equal(resp.sequence_number, 5);
    assert.ok(await peer.closesWithin(1000), 'socket closed after unbind');
    assert.ok(unbound);
  });

  it('answers an unknown command id with generic_nack ESME_RINVCMDID and keeps working', async () => {
    const peer = await rawPeer();
    peer.send(header(16, 0x00000777, 0, 3));
    const nack = await peer.next();
    assert.equal(nack.command, 'generic_nack');
    assert.equal(nack.command_status, Status.ESME_RINVCMDID);
    assert.equal(nack.sequence_number, 3);
    peer.sendPdu({ command: 'enquire_link', sequence_number: 4 });
    assert.equal((await peer.next()).command, 'enquire_link_resp');
  });

  for (const length of [0, 15, 2 ** 31]) {
    it(`answers command_length ${length} with generic_nack ESME_RINVCMDLEN and closes`, async () => {
      const peer = await rawPeer();
      peer.send(header(length, CommandId.enquire_link, 0, 21));
      const nack = await peer.next();
      assert.equal(nack.command, 'generic_nack');
      assert.equal(nack.command_status, Status.ESME_RINVCMDLEN);
      assert.equal(nack.sequence_number, 21);
      assert.ok(await peer.closesWithin(1000));
    });
  }

  it('treats garbage bytes as lost framing: generic_nack, then close', async () => {
    const peer = await rawPeer();
    peer.send(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    const nack = await peer.next();
    assert.equal(nack.command, 'generic_nack');
    assert.equal(nack.command_status, Status.ESME_RINVCMDLEN);
    assert.ok(await peer.closesWithin(1000));
  });

  it('answers a truncated body with the matching *_resp ESME_RINVMSGLEN and keeps working', async () => {
    let requests = 0;
    const peer = await rawPeer({}, (c) => c.on('request', (_pdu, respond) => { requests++; respond(Status.ESME_ROK, { message_id: 'm1' }); }));
    const full = encodePdu({ command: 'submit_sm', sequence_number: 7, source_addr: '123', destination_addr: '456' });
    const cut = Buffer.from(full.subarray(0, 22));
    cut.writeUInt32BE(cut.length, 0);
    peer.send(cut);
    const resp = await peer.next();
    assert.equal(resp.command, 'submit_sm_resp');
    assert.equal(resp.command_status, Status.ESME_RINVMSGLEN);
    assert.equal(resp.sequence_number, 7);
    assert.equal(requests, 0, 'the handler never saw the broken PDU');
    peer.send(full);
    const ok = await peer.next();
    assert.equal(ok.command_status, Status.ESME_ROK);
    assert.equal(ok.message_id, 'm1');
  });

  it('reassembles requests split across writes and splits coalesced ones', async () => {
    const seen: number[] = [];
    const peer = await rawPeer({}, (c) => c.on('request', (pdu, respond) => { seen.push(pdu.sequence_number); respond(Status.ESME_ROK); }));
    const bytes = Buffer.concat([1, 2, 3].map((seq) => encodePdu({ command: 'submit_sm', sequence_number: seq, short_message: Buffer.from('x') })));
    peer.send(bytes.subarray(0, 10));
    await delay(20);
    peer.send(bytes.subarray(10, 70));
    await delay(20);
    peer.send(bytes.subarray(70));
    const seqs = [(await peer.next()).sequence_number, (await peer.next()).sequence_number, (await peer.next()).sequence_number];
    assert.deepEqual(seqs, [1, 2, 3]);
    assert.deepEqual(seen, [1, 2, 3]);
  });

  it('answers ESME_RSYSERR when a request handler throws, and keeps reading', async () => {
    let calls = 0;
    const peer = await rawPeer({}, (c) => c.on('request', (_pdu, respond) => {
      calls++;
      if (calls === 1) throw new Error('handler bug');
      respond(Status.ESME_ROK, { message_id: 'fine' });
    }));
    peer.sendPdu({ command: 'submit_sm', sequence_number: 1 });
    assert.equal((await peer.next()).command_status, Status.ESME_RSYSERR);
    peer.sendPdu({ command: 'submit_sm', sequence_number: 2 });
    const second = await peer.next();
    assert.equal(second.command_status, Status.ESME_ROK);
    assert.equal(second.message_id, 'fine');
  });

  it('resolves a request with its response, whatever the status', async () => {
    const { client, serverSide } = await pair();
    serverSide.on('request', (_pdu, respond) => respond(Status.ESME_RTHROTTLED));
    const resp = await client.request('submit_sm', { destination_addr: '1' });
    assert.equal(resp.command, 'submit_sm_resp');
    assert.equal(resp.command_status, Status.ESME_RTHROTTLED);
    assert.equal(client.inFlight, 0);
  });

  it('holds the (window+1)th request until a response frees a slot', async () => {
    const { client, serverSide } = await pair({}, { window: 2 });
    const held: (() => void)[] = [];
    const arrived: number[] = [];
    serverSide.on('request', (pdu, respond) => {
      arrived.push(pdu.sequence_number);
      held.push(() => respond(Status.ESME_ROK, { message_id: String(pdu.sequence_number) }));
    });
    const r1 = client.request('submit_sm');
    const r2 = client.request('submit_sm');
    const r3 = client.request('submit_sm');
    await delay(100);
    assert.equal(arrived.length, 2, 'only two requests went out');
    assert.equal(client.inFlight, 2);
    assert.ok(await stillPending(r3, 20));
    held.shift()!();
    assert.equal((await r1).message_id, '1');
    await delay(50);
    assert.equal(arrived.length, 3, 'the third went out once a slot freed');
    held.splice(0).forEach((f) => f());
    assert.equal((await r2).message_id, '2');
    assert.equal((await r3).message_id, '3');
  });

  it('rejects with TimeoutError when no response comes and frees the slot', async () => {
    const { client, serverSide } = await pair({}, { window: 1, responseTimeoutMs: 100 });
    let answer = false;
    serverSide.on('request', (_pdu, respond) => { if (answer) respond(Status.ESME_ROK); });
    await assert.rejects(client.request('submit_sm'), TimeoutError);
    assert.equal(client.inFlight, 0);
    answer = true;
    assert.equal((await client.request('submit_sm')).command_status, Status.ESME_ROK, 'the slot was released');
  });

  it('takes an answer that arrived while the process stalled past the timeout instead of timing it out', async () => {
    let conn: SmppConnection | undefined;
    const peer = await rawPeer({ responseTimeoutMs: 150, enquireLinkIntervalMs: 0 }, (c) => { conn = c; });
    await waitFor('the server side of the connection', () => conn);
    const asked = conn!.request('deliver_sm', { source_addr: '447700900001', destination_addr: '123', short_message: Buffer.from('hi') });
    const req = await peer.next();
    assert.equal(req.command, 'deliver_sm');
    peer.sendPdu({ command: 'deliver_sm_resp', sequence_number: req.sequence_number, command_status: Status.ESME_ROK });
    // The answer is in the socket's buffer; the loop is held (as a SIGSTOP or a long GC would)
    // until the response timer is overdue.
    const until = Date.now() + 400;
    while (Date.now() < until) { /* stalled */ }
    const resp = await asked;
    assert.equal(resp.command, 'deliver_sm_resp');
    assert.equal(resp.command_status, Status.ESME_ROK);
  });

  it('rejects outstanding and queued requests with UnavailableError on close', async () => {
    const { client, serverSide } = await pair({}, { window: 1 });
    serverSide.on('request', () => undefined);
    const outstanding = client.request('submit_sm');
    const queued = client.request('submit_sm');
    await delay(30);
    serverSide.destroy();
    await assert.rejects(outstanding, UnavailableError);
    await assert.rejects(queued, UnavailableError);
    await assert.rejects(client.request('submit_sm'), UnavailableError);
    assert.ok(client.closed);
  });

  it('resolves a request answered by generic_nack with the nack', async () => {
    const peer = await rawPeer();
    const conn = await server!.nextConnection();
    const pending = conn.request('submit_sm');
    const sent = await peer.next();
    assert.equal(sent.command, 'submit_sm');
    peer.send(header(16, CommandId.generic_nack, Status.ESME_RINVCMDID, sent.sequence_number));
    const nack = await pending;
    assert.equal(nack.command, 'generic_nack');
    assert.equal(nack.command_status, Status.ESME_RINVCMDID);
    assert.equal(conn.inFlight, 0);
  });

  it('stops writing requests while the socket is full, and resumes on drain', async () => {
    // A peer that accepts the connection but does not read until told to.
    const stalled: net.Socket[] = [];
    const sink = net.createServer((s) => { s.pause(); stalled.push(s); });
    sink.listen(0, '127.0.0.1');
    await once(sink, 'listening');
    const { port } = sink.address() as net.AddressInfo;
    const socket = net.connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    const conn = new SmppConnection(socket, { window: 5000, responseTimeoutMs: 5000, enquireLinkIntervalMs: 0 });
    try {
      const payload = Buffer.alloc(16000, 0x41);
      const requests = Array.from({ length: 2000 }, () => conn.request('submit_sm', { message_payload: payload }).catch(() => undefined));
      await delay(200);
      // Without backpressure all 32 MB would sit in the socket's user-space buffer.
      assert.ok(socket.writableLength < 2_000_000, `buffered ${socket.writableLength} octets`);
      const before = socket.bytesWritten + socket.writableLength;
      stalled[0]!.resume();
      await delay(200);
      assert.ok(socket.bytesWritten + socket.writableLength > before, 'writing resumed after drain');
      conn.destroy();
      await Promise.all(requests);
    } finally {
      for (const s of stalled) s.destroy();
      await new Promise((resolve) => sink.close(resolve));
    }
  });

  it('stops reading a peer that sends requests without reading the responses, and resumes once it reads', async () => {
    const started = await startTestServer({ enquireLinkIntervalMs: 0, inactivityTimeoutMs: 0 });
    server = started;
    const socket = net.connect({ host: '127.0.0.1', port: started.port });
    await once(socket, 'connect');
    opened.push(socket);
    socket.pause();
    const serverSide = await started.nextConnection();
    // 16 MB of enquire_link, far more than the kernel buffers of both ends hold.
    const chunk = Buffer.concat(Array.from({ length: 4096 }, () => encodePdu({ command: 'enquire_link', sequence_number: 1 })));
    const total = chunk.length * 256;
    for (let i = 0; i < 256; i++) socket.write(chunk);
    // Until the server's answers pile up to the pause mark (or it has read everything), then a while longer.
    await waitFor('answers to pile up', () => serverSide.outputBuffered >= INPUT_PAUSE_OCTETS || socket.writableLength === 0, 60000, 50);
    await delay(1500);
    // Without the pause the server reads on and buffers an answer for every request.
    assert.ok(serverSide.outputBuffered < INPUT_PAUSE_OCTETS + 4 * chunk.length, `server buffered ${serverSide.outputBuffered} octets`);
    assert.ok(socket.writableLength > 0, 'the server stopped reading before taking everything');
    let received = 0;
    socket.on('data', (b: Buffer) => { received += b.length; });
    socket.resume();
    // Every request is still answered once the peer reads: enquire_link_resp is 16 octets too.
    await waitFor('every enquire_link answered', () => received === total, 60000, 50);
  });

  it('sends enquire_link when idle', async () => {
    const peer = await rawPeer({ enquireLinkIntervalMs: 80 });
    const probe = await peer.next(1000);
    assert.equal(probe.command, 'enquire_link');
    peer.sendPdu({ command: 'enquire_link_resp', sequence_number: probe.sequence_number });
    assert.equal(await peer.closesWithin(100), false, 'an answered probe keeps the connection');
  });

  it('closes a slow-loris peer that dribbles a partial PDU', async () => {
    const peer = await rawPeer({ enquireLinkIntervalMs: 0, inactivityTimeoutMs: 250 });
    // Long enough that the trickle outlasts the test: only the inactivity timer can end it.
    const pdu = encodePdu({ command: 'submit_sm', sequence_number: 1, short_message: Buffer.alloc(200, 0x41) });
    let i = 0;
    const dribble = setInterval(() => { if (i < pdu.length - 1) peer.send(pdu.subarray(i, ++i)); }, 20);
    try {
      const started = Date.now();
      assert.ok(await peer.closesWithin(1000), 'closed despite a steady trickle of bytes');
      assert.ok(Date.now() - started >= 200);
    } finally {
      clearInterval(dribble);
    }
  });

  it('unbind() sends unbind, waits for unbind_resp and closes', async () => {
    const { client, serverSide } = await pair();
    const peerUnbound = once(serverSide, 'unbind');
    await client.unbind(1000);
    await peerUnbound;
    assert.ok(client.closed);
  });

  it('sends the PDUs written in one run of callbacks in one socket write', async () => {
    const started = await startTestServer({});
    server = started;
    const socket = net.connect({ host: '127.0.0.1', port: started.port });
    await once(socket, 'connect');
    // Count what reaches the socket's handle: one _write per lone chunk, one _writev per batch.
    const raw = socket as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
    let writes = 0;
    const write = raw._write.bind(socket);
    const writev = raw._writev.bind(socket);
    raw._write = (...a) => { writes++; write(...a); };
    raw._writev = (...a) => { writes++; writev(...a); };
    const client = new SmppConnection(socket, { window: 10 });
    opened.push(client);
    const answers = await Promise.all(Array.from({ length: 5 }, () => client.request('enquire_link')));
    assert.deepEqual(answers.map((a) => a.command), Array(5).fill('enquire_link_resp'));
    assert.equal(writes, 1, 'five requests of one tick, one write');
    await client.request('enquire_link');
    assert.equal(writes, 2, 'a request of a later tick is written on its own, without waiting for company');
  });

  it('a connection destroyed right after answering still delivers the answers it wrote', async () => {
    let n = 0;
    // Like a provider that answers three submits and drops the line on the fourth, all read in one chunk.
    const peer = await rawPeer({}, (c) => c.on('request', (_pdu, respond) => {
      if (++n < 4) respond(Status.ESME_ROK, { message_id: `m${n}` });
      else c.destroy();
    }));
    peer.send(Buffer.concat([1, 2, 3, 4].map((i) => encodePdu({ command: 'submit_sm', sequence_number: i, short_message: Buffer.from('x') }))));
    const answers = [await peer.next(), await peer.next(), await peer.next()];
    assert.deepEqual(answers.map((a) => a.message_id), ['m1', 'm2', 'm3']);
    assert.ok(await peer.closesWithin(2000), 'then the connection is gone');
  });

  it('assigns increasing sequence numbers', async () => {
    const peer = await rawPeer();
    const conn = await server!.nextConnection();
    void conn.request('enquire_link').catch(() => undefined);
    void conn.request('enquire_link').catch(() => undefined);
    const a = await peer.next();
    const b = await peer.next();
    assert.equal(b.sequence_number, a.sequence_number + 1);
  });
});
