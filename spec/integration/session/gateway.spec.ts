/**
 * A gateway node started as users start it (`node dist/src/main.js`), real Kafka and Redis:
 * every text encoding and concatenation scheme lands in Kafka intact, and a stream of
 * malformed and hostile PDUs neither stops the node nor disturbs another customer.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { createKafka } from '../../../src/kafka/client.js';
import { silentLogger } from '../../../src/log.js';
import { decodeRecord, type OutgoingRecord, type PartRecord } from '../../../src/domain/records.js';
import { decodeText, encodeText } from '../../../src/smpp/encoding.js';
import { CommandId, Status, statusName } from '../../../src/smpp/status.js';
import type { PduFields } from '../../../src/smpp/pdu.js';
import type { SmppConnection } from '../../../src/smpp/connection.js';
import { Esme } from '../../../scripts/lib/esme-client.js';
import { brokers, kafkaConfigFor, uniquePrefix, waitFor } from '../../support/env.js';
import { startGateway, type RunningGateway } from '../../support/gateway-process.js';
import { header, RawPeer } from '../../unit/smpp/helpers.js';
import { connectClient } from './support.js';

function config(prefix: string, inactivityTimeoutMs = 90000) {
  return {
    node: { id: `spec-${prefix.slice(0, -1).replace(/[^A-Za-z0-9_.-]/g, '')}` },
    listeners: [{ name: 'smpp', host: '127.0.0.1', port: 0 }],
    // Short, so the slow-loris sessions of the hostile spec are closed quickly.
    session: { enquireLinkIntervalMs: 0, inactivityTimeoutMs },
    kafka: { brokers, topicPrefix: prefix, partitions: 3 },
    redis: { keyPrefix: prefix },
    customers: [{ systemId: 'good', password: 'goodpw' }, { systemId: 'bad', password: 'badpw' }],
    // Nothing listens here: the supplier just keeps reconnecting, which these specs do not need.
    providers: [{ id: 'sim', host: '127.0.0.1', port: 9, systemId: 'gw', password: 'gwpass' }],
    routes: [{ provider: 'sim' }],
  };
}

describe('gateway node: encodings and concatenation through real Kafka', function () {
  this.timeout(90000);
  const prefix = uniquePrefix('enc');
  let gw: RunningGateway;
  let c: SmppConnection;
  before(async () => {
    gw = await startGateway(config(prefix));
    c = await connectClient(gw.port);
    assert.equal((await c.request('bind_transmitter', { system_id: 'good', password: 'goodpw' })).command_status, Status.ESME_ROK);
  });
  after(async () => {
    c?.destroy();
    await gw?.stop();
  });

  async function readTopic<T>(topic: string, want: (seen: Map<string, T>) => boolean): Promise<Map<string, T>> {
    const kafka = createKafka(kafkaConfigFor(prefix), 'spec-reader', silentLogger);
    const consumer = kafka.consumer({ groupId: `${prefix}reader-${randomBytes(3).toString('hex')}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}${topic}`, fromBeginning: true });
    const seen = new Map<string, T>();
    await consumer.run({ eachMessage: async ({ message }) => { seen.set(message.key!.toString() + '#' + seen.size, decodeRecord<T>(message.value!)); } });
    try {
      await waitFor(`records in ${topic}`, () => want(seen), 30000);
    } finally {
      await consumer.disconnect();
    }
    return seen;
  }

  it('keeps the octets of GSM (with extension characters), IA5, Latin-1, UCS-2 (with a surrogate pair) and binary', async () => {
    const texts: [string, number, Buffer][] = [
      ['GSM {braces} [x] ~ | ^ \\ € @£$', 0, encodeText('GSM {braces} [x] ~ | ^ \\ € @£$', 0)],
      ['IA5 plain', 1, encodeText('IA5 plain', 1)],
      ['Latin-1 àéîõü ÿ', 3, encodeText('Latin-1 àéîõü ÿ', 3)],
      ['UCS-2 Привет 😀 你好', 8, encodeText('UCS-2 Привет 😀 你好', 8)],
      ['', 4, Buffer.from([0x00, 0xff, 0x10, 0x80])],
    ];
    const ids = new Map<string, [string, number, Buffer]>();
    for (const t of texts) {
      const r = await c.request('submit_sm', { source_addr: '4477', destination_addr: '447700900001', dest_addr_ton: 1, dest_addr_npi: 1, data_coding: t[1], short_message: t[2] });
      assert.equal(statusName(r.command_status), 'ESME_ROK', `data_coding ${t[1]}`);
      ids.set(r.message_id!, t);
    }
    // Single-part messages are routed at the edge: their one whole-message record is the routed one.
    const seen = await readTopic<OutgoingRecord>('provider-outgoing-messages', (m) => [...ids.keys()].every((id) => [...m.values()].some((r) => r.message.id === id)));
    for (const [id, [text, dc, octets]] of ids) {
      const rec = [...seen.values()].find((r) => r.message.id === id)!.message;
      const body = Buffer.from(rec.body, 'base64');
      assert.deepEqual(body, octets, `octets of data_coding ${dc}`);
      assert.equal(rec.dataCoding, dc);
      if (dc !== 4) assert.equal(decodeText(body, dc), text);
    }
  });

  it('writes 8-bit UDH, 16-bit UDH and SAR parts to the parts topic and message_payload whole, routed at the edge', async () => {
    const base: PduFields = { source_addr: '4477', destination_addr: '447700900002', dest_addr_ton: 1, dest_addr_npi: 1, data_coding: 0 };
    const submits: PduFields[] = [
      { ...base, esm_class: 0x40, short_message: Buffer.concat([Buffer.from([5, 0, 3, 0x11, 2, 1]), Buffer.from('eight one ')]) },
      { ...base, esm_class: 0x40, short_message: Buffer.concat([Buffer.from([5, 0, 3, 0x11, 2, 2]), Buffer.from('eight two')]) },
      { ...base, esm_class: 0x40, short_message: Buffer.concat([Buffer.from([6, 8, 4, 0xbe, 0xef, 2, 1]), Buffer.from('sixteen')]) },
      { ...base, sar_msg_ref_num: 0x0102, sar_total_segments: 2, sar_segment_seqnum: 2, short_message: Buffer.from('sar two') },
    ];
    const partIds: string[] = [];
    for (const s of submits) {
      const r = await c.request('submit_sm', s);
      assert.equal(statusName(r.command_status), 'ESME_ROK');
      partIds.push(r.message_id!);
    }
    const payload = await c.request('submit_sm', { ...base, message_payload: encodeText('long '.repeat(80), 0) });
    assert.equal(payload.command_status, Status.ESME_ROK);
    const parts = await readTopic<PartRecord>('customer-incoming-message-parts', (m) => partIds.every((id) => [...m.values()].some((p) => p.partId === id)));
    const got = partIds.map((id) => [...parts.values()].find((p) => p.partId === id)!);
    assert.deepEqual(got.map((p) => [p.scheme, p.ref, p.total, p.seq, Buffer.from(p.body, 'base64').toString()]), [
      ['udh8', 0x11, 2, 1, 'eight one '], ['udh8', 0x11, 2, 2, 'eight two'], ['udh16', 0xbeef, 2, 1, 'sixteen'], ['sar', 0x0102, 2, 2, 'sar two'],
    ]);
    const messages = await readTopic<OutgoingRecord>('provider-outgoing-messages', (m) => [...m.values()].some((r) => r.message.id === payload.message_id));
    const whole = [...messages.values()].find((r) => r.message.id === payload.message_id)!.message;
    assert.equal(decodeText(Buffer.from(whole.body, 'base64'), 0), 'long '.repeat(80));
  });
});

describe('gateway node: hostile input', function () {
  this.timeout(120000);
  const prefix = uniquePrefix('hostile');
  let gw: RunningGateway;
  before(async () => { gw = await startGateway(config(prefix, 3000)); });
  after(async () => { await gw?.stop(); });

  it('stays up, answers or closes every bad session, and another customer submits undisturbed', async () => {
    // The well-behaved customer: a steady stream of submits for the whole spec.
    const good = await Esme.connect(gw.port);
    assert.equal((await good.bind('good', 'goodpw', 'transmitter')).command_status, Status.ESME_ROK);
    const goodStatuses: number[] = [];
    let running = true;
    const pump = (async () => {
      for (let i = 0; running; i++) {
        const r = await good.submit(`4477009${String(i % 100000).padStart(5, '0')}`, `steady ${i}`);
        goodStatuses.push(r.command_status);
      }
    })();

    const peers: RawPeer[] = [];
    const peer = async () => {
      const p = await RawPeer.connect(gw.port);
      peers.push(p);
      return p;
    };
    const bindRaw = async (p: RawPeer) => {
      p.sendPdu({ command: 'bind_transmitter', sequence_number: 1, system_id: 'bad', password: 'badpw' });
      assert.equal((await p.next(5000)).command_status, Status.ESME_ROK);
    };
    try {
      // Framing lost: generic_nack ESME_RINVCMDLEN then close, for each length.
      for (const length of [0, 15, 2 ** 31, 10_000_000]) {
        const p = await peer();
        await bindRaw(p);
        p.send(header(length, CommandId.submit_sm, 0, 77));
        const nack = await p.next(5000);
        assert.equal(nack.command, 'generic_nack', `length ${length}`);
        assert.equal(statusName(nack.command_status), 'ESME_RINVCMDLEN');
        assert.ok(await p.closesWithin(5000), `closed after command_length ${length}`);
      }

      // A truncated body (frame complete, mandatory fields missing): submit_sm_resp ESME_RINVMSGLEN, session goes on.
      {
        const p = await peer();
        await bindRaw(p);
        const frame = Buffer.concat([header(24, CommandId.submit_sm, 0, 5), Buffer.from('CMT\0AB\0\0')]);
        p.send(frame);
        const resp = await p.next(5000);
        assert.equal(resp.command, 'submit_sm_resp');
        assert.equal(statusName(resp.command_status), 'ESME_RINVMSGLEN');
        // A TLV running past the end: ESME_RINVOPTPARSTREAM.
        const good = Buffer.from(encodeFrame());
        p.send(good);
        assert.equal(statusName((await p.next(5000)).command_status), 'ESME_RINVOPTPARSTREAM');
        // Unknown command ids: generic_nack ESME_RINVCMDID, session goes on.
        for (const id of [0x00000777, 0x7fffffff, 0x00010203]) {
          p.send(header(16, id, 0, 9));
          const n = await p.next(5000);
          assert.equal(n.command, 'generic_nack');
          assert.equal(statusName(n.command_status), 'ESME_RINVCMDID');
        }
        p.sendPdu({ command: 'enquire_link', sequence_number: 10 });
        assert.equal((await p.next(5000)).command, 'enquire_link_resp', 'the session still works');
      }

      // Garbage bytes: whatever they parse as, the peer is answered and/or closed, never left hanging.
      for (let i = 0; i < 10; i++) {
        const p = await peer();
        p.send(randomBytes(64 + i * 13));
        const answered = await p.next(4000).then(() => true, () => false);
        const closed = await p.closesWithin(answered ? 5000 : 1000);
        assert.ok(answered || closed, 'garbage got an answer or a close');
      }

      // Slow loris: half a header, a byte at a time, and silent connections; all closed by the inactivity timeout.
      const lorises = await Promise.all([0, 1, 2, 3, 4].map(() => peer()));
      const drip = setInterval(() => { for (const l of lorises.slice(0, 3)) l.send([0x00]); }, 300);
      try {
        for (const l of lorises) assert.ok(await l.closesWithin(10000), 'slow-loris connection closed');
      } finally {
        clearInterval(drip);
      }

      // A flood of submits on one bad session beyond any window still gets every one answered.
      {
        const p = await peer();
        await bindRaw(p);
        const n = 300;
        const burst = [];
        for (let i = 0; i < n; i++) burst.push(encodeSubmit(1000 + i));
        p.send(Buffer.concat(burst));
        const statuses = new Set<string>();
        for (let i = 0; i < n; i++) statuses.add(statusName((await p.next(10000)).command_status));
        assert.ok([...statuses].every((s) => s === 'ESME_ROK' || s === 'ESME_RMSGQFUL' || s === 'ESME_RTHROTTLED'), [...statuses].join());
      }
    } finally {
      running = false;
      await pump.catch(() => undefined);
      for (const p of peers) p.destroy();
      good.close();
    }
    assert.equal(gw.proc.exitCode, null, 'the node is still running');
    assert.ok(goodStatuses.length > 20, `the good customer submitted ${goodStatuses.length}`);
    assert.ok(goodStatuses.every((s) => s === Status.ESME_ROK), `good customer statuses: ${[...new Set(goodStatuses)].join()}`);
  });
});

/** A bound submit_sm whose last TLV claims more octets than the PDU has. */
function encodeFrame(): Buffer {
  const body = Buffer.concat([Buffer.from('\0\x01\x014477\0\x01\x01447700900001\0\0\0\0\0\0\x01\0\0\0\x02hi'), Buffer.from([0x04, 0x24, 0x00, 0x10, 0x41])]);
  const h = header(16 + body.length, CommandId.submit_sm, 0, 6);
  return Buffer.concat([h, body]);
}

function encodeSubmit(seq: number): Buffer {
  const body = Buffer.from('\0\x01\x014477\0\x01\x01447700900001\0\0\0\0\0\0\0\0\0\0\x02hi');
  return Buffer.concat([header(16 + body.length, CommandId.submit_sm, 0, seq), body]);
}
