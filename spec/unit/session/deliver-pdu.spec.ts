import { strict as assert } from 'node:assert';
import { deliverSmFields } from '../../../src/actors/session/deliver-pdu.js';
import type { DeliveryRecord, MoDelivery } from '../../../src/domain/records.js';

const addr = (a: string) => ({ ton: 1, npi: 1, addr: a });

describe('deliverSmFields', () => {
  it('a receipt: esm_class 0x04, from the handset to the sender, standard text, TLVs with the gateway id', () => {
    const r: DeliveryRecord = {
      kind: 'receipt', customer: 'acme', messageId: '01a2aa', source: { ton: 5, npi: 0, addr: 'ACME' }, destination: addr('447700900001'),
      stat: 'UNDELIV', err: '012', submittedAt: Date.UTC(2026, 0, 2, 3, 4), doneAt: Date.UTC(2026, 0, 2, 3, 5), createdAt: 0,
    };
    const f = deliverSmFields(r);
    assert.equal(f.esm_class, 0x04);
    assert.equal(f.source_addr, '447700900001');
    assert.equal(f.destination_addr, 'ACME');
    assert.equal(f.dest_addr_ton, 5);
    assert.equal(f.receipted_message_id, '01a2aa');
    assert.equal(f.message_state, 5);
    assert.match(f.short_message!.toString('latin1'), /^id:01a2aa sub:001 dlvrd:000 submit date:\d{10} done date:\d{10} stat:UNDELIV err:012/);
  });

  it('an MO: esm_class 0, from the handset to the customer number, octets untouched', () => {
    const mo: MoDelivery = {
      kind: 'mo', customer: 'acme', messageId: 'm1', provider: 'p', source: addr('447999000111'), destination: addr('447700100123'),
      esmClass: 0, protocolId: 0, dataCoding: 8, body: Buffer.from('00480069', 'hex').toString('base64'), createdAt: 0,
    };
    const f = deliverSmFields(mo);
    assert.equal(f.esm_class, 0);
    assert.equal(f.source_addr, '447999000111');
    assert.equal(f.destination_addr, '447700100123');
    assert.equal(f.data_coding, 8);
    assert.deepEqual(f.short_message, Buffer.from('00480069', 'hex'));
    assert.equal(f.receipted_message_id, undefined);
  });

  it('an MO keeps only the UDH indicator of its esm_class, and goes in message_payload when over 254 octets', () => {
    const big = Buffer.alloc(300, 0x41);
    const f = deliverSmFields({
      kind: 'mo', customer: 'acme', messageId: 'm2', provider: 'p', source: addr('1'), destination: addr('2'),
      esmClass: 0x40 | 0x04, protocolId: 0, dataCoding: 0, body: big.toString('base64'), createdAt: 0,
    });
    assert.equal(f.esm_class, 0x40);
    assert.equal(f.short_message!.length, 0);
    assert.deepEqual(f.message_payload, big);
  });
});
