import { strict as assert } from 'node:assert';
import { decodeRecord, type OutgoingRecord, type MessageRecord } from '../../../src/domain/records.js';
import { decodeEvents } from '../../../src/domain/lifecycle.js';
import type { SmppConnection } from '../../../src/smpp/connection.js';
import type { PduFields } from '../../../src/smpp/pdu.js';
import { statusName } from '../../../src/smpp/status.js';
import { topicNames } from '../../../src/kafka/topics.js';
import { uniquePrefix } from '../../support/env.js';
import { connectClient, startTestEdge, type TestEdge } from './support.js';

const sm = (fields: PduFields = {}): PduFields => ({
  source_addr: 'ACME', source_addr_ton: 5, destination_addr: '447700900001', dest_addr_ton: 1, dest_addr_npi: 1,
  data_coding: 0, short_message: Buffer.from('hello'), ...fields,
});

describe('session edge: single-part messages routed where they are accepted', function () {
  this.timeout(60000);
  const prefix = uniquePrefix('edgeroute');
  const topics = topicNames(prefix);
  let t: TestEdge;
  let c: SmppConnection;

  before(async () => {
    t = await startTestEdge(prefix, {
      customers: [{ systemId: 'acme', password: 'acmepw' }],
      // Only UK numbers have a route: anything else is the router's to fail.
      routes: [{ provider: 'p', destinationPrefixes: ['44'] }],
      routeAtEdge: true,
    });
    c = await connectClient(t.port);
    assert.equal(statusName((await c.request('bind_transmitter', { system_id: 'acme', password: 'acmepw' })).command_status), 'ESME_ROK');
  });
  after(async () => {
    c?.destroy();
    await t?.stop();
  });

  it('writes a routable message to its provider\'s partition, with accepted and routed in one event record', async () => {
    t.writer.records.length = 0;
    const r = await c.request('submit_sm', sm());
    assert.equal(statusName(r.command_status), 'ESME_ROK');
    const id = r.message_id as string;
    assert.deepEqual(t.writer.records.map((o) => o.topic), [topics.providerOutgoing, topics.events]);
    const [out, ev] = t.writer.records as [typeof t.writer.records[0], typeof t.writer.records[0]];
    const routed = decodeRecord<OutgoingRecord>(out.value as Buffer);
    assert.equal(routed.message.id, id);
    assert.equal(routed.provider, 'p');
    assert.equal(routed.atEdge, true);
    assert.equal(out.partition, 0);
    assert.equal(ev.key, id);
    assert.deepEqual(decodeEvents(ev.value as Buffer).map((e) => [e.messageId, e.type]), [[id, 'accepted'], [id, 'routed']]);
  });

  it('hands a message no route takes to the router stage, and parts to the assembler', async () => {
    t.writer.records.length = 0;
    const r = await c.request('submit_sm', sm({ destination_addr: '33612345678' }));
    assert.equal(statusName(r.command_status), 'ESME_ROK');
    assert.deepEqual(t.writer.records.map((o) => o.topic), [topics.messages, topics.events]);
    assert.equal(decodeRecord<MessageRecord>(t.writer.records[0]!.value as Buffer).id, r.message_id);
    assert.deepEqual(decodeEvents(t.writer.records[1]!.value as Buffer).map((e) => e.type), ['accepted']);

    t.writer.records.length = 0;
    const udh = Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x02, 0x01]);
    const p = await c.request('submit_sm', sm({ esm_class: 0x40, short_message: Buffer.concat([udh, Buffer.from('part one')]) }));
    assert.equal(statusName(p.command_status), 'ESME_ROK');
    assert.deepEqual(t.writer.records.map((o) => o.topic), [topics.messageParts, topics.events]);
  });

  it('routes by the reloaded table', async () => {
    t.edge.reconfigure({ ...t.config, routes: [{ ...t.config.routes[0]!, destinationPrefixes: ['33'] }] });
    try {
      t.writer.records.length = 0;
      assert.equal(statusName((await c.request('submit_sm', sm({ destination_addr: '33612345678' }))).command_status), 'ESME_ROK');
      assert.equal(t.writer.records[0]!.topic, topics.providerOutgoing);
      t.writer.records.length = 0;
      assert.equal(statusName((await c.request('submit_sm', sm())).command_status), 'ESME_ROK');
      assert.equal(t.writer.records[0]!.topic, topics.messages);
    } finally {
      t.edge.reconfigure(t.config);
    }
  });
});
