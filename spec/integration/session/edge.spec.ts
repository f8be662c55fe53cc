import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { hashPassword } from '../../../src/actors/session/password.js';
import { BindSlots } from '../../../src/actors/session/bind-slots.js';
import { decodeRecord, partKey, type MessageRecord, type PartRecord } from '../../../src/domain/records.js';
import type { SmppConnection } from '../../../src/smpp/connection.js';
import type { PduFields } from '../../../src/smpp/pdu.js';
import { MessageState, Status, statusName } from '../../../src/smpp/status.js';
import { uniquePrefix, waitFor } from '../../support/env.js';
import { connectClient, startTestEdge, type TestEdge } from './support.js';

const sm = (fields: PduFields = {}): PduFields => ({
  source_addr: 'ACME', source_addr_ton: 5, destination_addr: '447700900001', dest_addr_ton: 1, dest_addr_npi: 1,
  data_coding: 0, short_message: Buffer.from('hello'), ...fields,
});

describe('session edge over real sockets and Redis', function () {
  this.timeout(60000);
  const prefix = uniquePrefix('edge');
  let t: TestEdge;
  const clients: SmppConnection[] = [];
  const client = async (useTls = false) => {
    const c = await connectClient(useTls ? t.tlsPort! : t.port, useTls);
    clients.push(c);
    return c;
  };
  const bound = async (systemId = 'acme', password = 'acmepw', as: 'transmitter' | 'receiver' | 'transceiver' = 'transceiver', useTls = false) => {
    const c = await client(useTls);
    const r = await c.request(`bind_${as}`, { system_id: systemId, password });
    assert.equal(statusName(r.command_status), 'ESME_ROK');
    return c;
  };
  const status = async (c: SmppConnection, command: Parameters<SmppConnection['request']>[0], fields: PduFields = {}) =>
    statusName((await c.request(command, fields)).command_status);

  before(async () => {
    t = await startTestEdge(prefix, {
      tls: true,
      session: { bindFailures: { free: 1000 } },
      customers: [
        { systemId: 'acme', passwordHash: await hashPassword('acmepw'), maxBinds: 3 },
        { systemId: 'other', password: 'otherpw' },
        { systemId: 'txonly', password: 'pw', bindTypes: ['transmitter'] },
        { systemId: 'office', password: 'pw', allowedIps: ['10.0.0.0/8'] },
        { systemId: 'slow', password: 'pw', rate: 1, burst: 3 },
      ],
    });
  });
  afterEach(() => { for (const c of clients.splice(0)) c.destroy(); });
  after(async () => { await t?.stop(); });

  describe('binds', () => {
    it('ESME_RINVSYSID, ESME_RINVPASWD, ESME_RBINDFAIL for bind type and for address', async () => {
      assert.equal(await status(await client(), 'bind_transmitter', { system_id: 'nobody', password: 'x' }), 'ESME_RINVSYSID');
      assert.equal(await status(await client(), 'bind_transmitter', { system_id: 'acme', password: 'wrong' }), 'ESME_RINVPASWD');
      assert.equal(await status(await client(), 'bind_receiver', { system_id: 'txonly', password: 'pw' }), 'ESME_RBINDFAIL');
      assert.equal(await status(await client(), 'bind_transmitter', { system_id: 'office', password: 'pw' }), 'ESME_RBINDFAIL');
    });

    it('ESME_RALYBND for a second bind on one session and beyond maxBinds across sessions; a closed session frees its slot', async () => {
      const a = await bound();
      assert.equal(await status(a, 'bind_transmitter', { system_id: 'acme', password: 'acmepw' }), 'ESME_RALYBND');
      const b = await bound();
      const c = await bound();
      assert.equal(await status(await client(), 'bind_transmitter', { system_id: 'acme', password: 'acmepw' }), 'ESME_RALYBND');
      const slots = new BindSlots(t.redis, prefix, 'reader');
      assert.equal(await slots.count('acme'), 3);
      await c.unbind();
      await waitFor('the slot to be released', async () => (await slots.count('acme')) === 2);
      await bound();
      b.destroy();
      a.destroy();
    });

    it('binds and submits over the TLS listener', async () => {
      const c = await bound('acme', 'acmepw', 'transmitter', true);
      assert.equal(await status(c, 'submit_sm', sm()), 'ESME_ROK');
    });
  });

  describe('bind state', () => {
    it('ESME_RINVBNDSTS before bind, for a receiver submitting or querying, and for SMSC-only commands', async () => {
      const c = await client();
      assert.equal(await status(c, 'submit_sm', sm()), 'ESME_RINVBNDSTS');
      assert.equal(await status(c, 'query_sm', { message_id: 'x' }), 'ESME_RINVBNDSTS');
      const r = await bound('acme', 'acmepw', 'receiver');
      assert.equal(await status(r, 'submit_sm', sm()), 'ESME_RINVBNDSTS');
      assert.equal(await status(r, 'data_sm', { destination_addr: '447700900001', dest_addr_ton: 1, dest_addr_npi: 1 }), 'ESME_RINVBNDSTS');
      assert.equal(await status(r, 'query_sm', { message_id: 'x' }), 'ESME_RINVBNDSTS');
      assert.equal(await status(r, 'cancel_sm', { message_id: 'x' }), 'ESME_RINVBNDSTS');
      const tx = await bound('other', 'otherpw', 'transmitter');
      assert.equal(await status(tx, 'deliver_sm', sm()), 'ESME_RINVBNDSTS');
    });

    it('answers the customer\'s unbind with unbind_resp and closes', async () => {
      const c = await bound('other', 'otherpw');
      const resp = await c.request('unbind');
      assert.equal(resp.command, 'unbind_resp');
      await once(c, 'close');
    });
  });

  describe('submit_sm', () => {
    it('answers validation failures with their specific status', async () => {
      const c = await bound('other', 'otherpw', 'transmitter');
      const cases: [PduFields, string][] = [
        [{ destination_addr: '' }, 'ESME_RINVDSTADR'],
        [{ dest_addr_ton: 8 }, 'ESME_RINVDSTTON'],
        [{ source_addr_npi: 2 }, 'ESME_RINVSRCNPI'],
        [{ source_addr: 'WAYTOOLONGNAME' }, 'ESME_RINVSRCADR'],
        [{ esm_class: 0x04 }, 'ESME_RINVESMCLASS'],
        [{ data_coding: 0x0c }, 'ESME_RINVDCS'],
        [{ registered_delivery: 3 }, 'ESME_RINVREGDLVFLG'],
        [{ priority_flag: 9 }, 'ESME_RINVPRTFLG'],
        [{ schedule_delivery_time: '99999999' }, 'ESME_RINVSCHED'],
        [{ validity_period: '2501' }, 'ESME_RINVEXPIRY'],
        [{ short_message: Buffer.from('x'), message_payload: Buffer.from('y') }, 'ESME_RINVMSGLEN'],
        [{ sar_msg_ref_num: 1 }, 'ESME_RMISSINGOPTPARAM'],
      ];
      for (const [fields, expected] of cases) assert.equal(await status(c, 'submit_sm', sm(fields)), expected, JSON.stringify(fields));
    });

    it('ESME_RSYSERR when Kafka does not acknowledge, ESME_RMSGQFUL when the writer is full, nothing acknowledged', async () => {
      const c = await bound('other', 'otherpw', 'transmitter');
      const before = t.writer.records.length;
      try {
        t.writer.behaviour = 'broker-down';
        assert.equal(await status(c, 'submit_sm', sm()), 'ESME_RSYSERR');
        t.writer.behaviour = 'queue-full';
        assert.equal(await status(c, 'submit_sm', sm()), 'ESME_RMSGQFUL');
      } finally {
        t.writer.behaviour = 'ack';
      }
      assert.equal(t.writer.records.length, before);
      assert.equal(await status(c, 'submit_sm', sm()), 'ESME_ROK');
    });

    it('writes UDH and SAR parts to the parts topic keyed by group, each with its own id; message_payload goes whole', async () => {
      const c = await bound('other', 'otherpw', 'transmitter');
      const ids: string[] = [];
      for (const seq of [1, 2]) {
        const r = await c.request('submit_sm', sm({ esm_class: 0x40, short_message: Buffer.concat([Buffer.from([5, 0, 3, 0x77, 2, seq]), Buffer.from(`part ${seq}`)]) }));
        assert.equal(r.command_status, Status.ESME_ROK);
        ids.push(r.message_id!);
      }
      const sar = await c.request('submit_sm', sm({ sar_msg_ref_num: 0x1234, sar_total_segments: 3, sar_segment_seqnum: 2, short_message: Buffer.from('sar') }));
      const payload = await c.request('submit_sm', sm({ short_message: undefined, message_payload: Buffer.from('p'.repeat(500)) }));
      assert.notEqual(ids[0], ids[1]);
      const parts = t.writer.records.filter((r) => r.topic.endsWith('customer-incoming-message-parts')).map((r) => ({ key: r.key, rec: decodeRecord<PartRecord>(r.value as Buffer) }));
      const udh = parts.filter((p) => p.rec.ref === 0x77);
      assert.deepEqual(udh.map((p) => [p.rec.partId, p.rec.seq, Buffer.from(p.rec.body, 'base64').toString()]), [[ids[0], 1, 'part 1'], [ids[1], 2, 'part 2']]);
      assert.equal(udh[0]!.key, partKey(udh[0]!.rec));
      assert.equal(udh[0]!.key, udh[1]!.key, 'both parts share one key, so one partition');
      const s = parts.find((p) => p.rec.partId === sar.message_id)!;
      assert.deepEqual([s.rec.scheme, s.rec.ref, s.rec.total, s.rec.seq], ['sar', 0x1234, 3, 2]);
      const whole = t.writer.records.find((r) => r.topic.endsWith('customer-incoming-messages') && r.key === payload.message_id);
      assert.ok(whole, 'message_payload submit written to the messages topic');
      assert.equal(Buffer.from(decodeRecord<MessageRecord>(whole.value as Buffer).body, 'base64').length, 500);
    });

    it('ESME_RTHROTTLED beyond the customer rate and burst, counted per part', async () => {
      const c = await bound('slow', 'pw', 'transmitter');
      // A 3-part message_payload takes the whole burst of 3.
      assert.equal(await status(c, 'submit_sm', sm({ short_message: undefined, message_payload: Buffer.alloc(400, 0x41) })), 'ESME_ROK');
      assert.equal(await status(c, 'submit_sm', sm()), 'ESME_RTHROTTLED');
    });
  });

  describe('data_sm, query_sm, cancel_sm, replace_sm', () => {
    it('data_sm is answered data_sm_resp with a message id', async () => {
      const c = await bound('other', 'otherpw', 'transceiver');
      const r = await c.request('data_sm', { source_addr: '4477', destination_addr: '447700900002', dest_addr_ton: 1, dest_addr_npi: 1, message_payload: Buffer.from('data') });
      assert.equal(r.command, 'data_sm_resp');
      assert.equal(r.command_status, Status.ESME_ROK);
      assert.match(r.message_id!, /^[0-9a-f]{24}$/);
    });

    it('query_sm reports en route, then the final state from the receipt; only to the owner', async () => {
      const c = await bound('other', 'otherpw', 'transmitter');
      const id = (await c.request('submit_sm', sm())).message_id!;
      let q = await c.request('query_sm', { message_id: id, source_addr: 'ACME' });
      assert.equal(q.command_status, Status.ESME_ROK);
      assert.equal(q.message_state, MessageState.ENROUTE);
      assert.equal(q.final_date, '');
      await t.states.receipt(id, { customer: 'other', source: 'ACME' }, 'DELIVRD', '000', Date.UTC(2025, 5, 1, 12, 0, 0));
      q = await c.request('query_sm', { message_id: id, source_addr: 'ACME' });
      assert.equal(q.message_state, MessageState.DELIVERED);
      assert.equal(q.final_date, '250601120000000+');
      assert.equal(await status(c, 'query_sm', { message_id: 'ffffffffffffffffffffffff' }), 'ESME_RINVMSGID');
      const stranger = await bound('acme', 'acmepw', 'transmitter');
      assert.equal(await status(stranger, 'query_sm', { message_id: id }), 'ESME_RINVMSGID');
    });

    it('cancel_sm fails with ESME_RCANCELFAIL once accepted (ESME_RINVMSGID for unknown ids); replace_sm with ESME_RREPLACEFAIL', async () => {
      const c = await bound('other', 'otherpw', 'transmitter');
      const id = (await c.request('submit_sm', sm())).message_id!;
      assert.equal(await status(c, 'cancel_sm', { message_id: id, source_addr: 'ACME', destination_addr: '447700900001' }), 'ESME_RCANCELFAIL');
      assert.equal(await status(c, 'cancel_sm', { message_id: 'nope', source_addr: 'ACME', destination_addr: '1' }), 'ESME_RINVMSGID');
      assert.equal(await status(c, 'replace_sm', { message_id: id, source_addr: 'ACME', short_message: Buffer.from('x') }), 'ESME_RREPLACEFAIL');
      assert.equal(await status(c, 'submit_multi', { source_addr: 'ACME', dest_address: [], short_message: Buffer.from('x') }), 'ESME_RINVCMDID');
    });
  });
});

describe('session edge: repeated failed binds from one address are slowed down', function () {
  this.timeout(30000);
  const prefix = uniquePrefix('guard');
  let t: TestEdge;
  before(async () => {
    t = await startTestEdge(prefix, { session: { bindFailures: { free: 2, delayMs: 400, maxDelayMs: 800 } }, customers: [{ systemId: 'acme', password: 'pw' }] });
  });
  after(async () => { await t?.stop(); });

  it('answers the free failures at once, then delays every bind from the address, the right one too', async () => {
    const c = await connectClient(t.port);
    try {
      for (let i = 0; i < 2; i++) assert.equal((await c.request('bind_transmitter', { system_id: 'acme', password: 'guess' })).command_status, Status.ESME_RINVPASWD);
      const started = Date.now();
      assert.equal((await c.request('bind_transmitter', { system_id: 'acme', password: 'pw' })).command_status, Status.ESME_ROK);
      // A lower bound only: the configured delay must have been waited.
      assert.ok(Date.now() - started >= 380, `answered after ${Date.now() - started} ms`);
    } finally {
      c.destroy();
    }
  });

  it('counts failures on every node: a guesser moving to another node meets the same delay there', async () => {
    const other = await startTestEdge(prefix, { nodeId: 'guard-b', session: { bindFailures: { free: 2, delayMs: 400, maxDelayMs: 800 } }, customers: [{ systemId: 'acme', password: 'pw' }] });
    const a = await connectClient(t.port);
    const b = await connectClient(other.port);
    try {
      // A fresh count: the right bind above cleared the address.
      for (let i = 0; i < 2; i++) assert.equal((await a.request('bind_transmitter', { system_id: 'acme', password: 'guess' })).command_status, Status.ESME_RINVPASWD);
      const started = Date.now();
      assert.equal((await b.request('bind_transmitter', { system_id: 'acme', password: 'guess' })).command_status, Status.ESME_RINVPASWD);
      assert.ok(Date.now() - started >= 380, `the other node answered after ${Date.now() - started} ms`);
    } finally {
      a.destroy();
      b.destroy();
      // Keys are the spec's prefix: the first edge's stop clears them.
      await other.edge.unbindAll(500, 2000);
      await other.edge.close();
      await other.system.shutdown({ drain: false });
      await other.redis.quit();
    }
  });

  it('unbinds its customers on shutdown (unbind from the gateway side)', async () => {
    const c = await connectClient(t.port);
    assert.equal((await c.request('bind_transceiver', { system_id: 'acme', password: 'pw' })).command_status, Status.ESME_ROK);
    const unbound = once(c, 'unbind');
    const closed = once(c, 'close');
    await t.edge.unbindAll(2000, 5000);
    await unbound;
    await closed;
  });
});
