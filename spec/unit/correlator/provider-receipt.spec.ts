import { strict as assert } from 'node:assert';
import { isDeliveryReceipt, readProviderReceipt } from '../../../src/actors/correlator/provider-receipt.js';

const TEXT = 'id:0A1B2C3D sub:001 dlvrd:001 submit date:2501151200 done date:2501151201 stat:DELIVRD err:000 text:Hello';

describe('provider receipts', () => {
  it('recognises receipts and intermediate notifications by esm_class', () => {
    assert.equal(isDeliveryReceipt(0x04), true);
    assert.equal(isDeliveryReceipt(0x20), true);
    assert.equal(isDeliveryReceipt(0x44), true);
    assert.equal(isDeliveryReceipt(0x00), false);
    assert.equal(isDeliveryReceipt(0x08), false);
  });

  it('reads id, stat, err and dates from the text', () => {
    const r = readProviderReceipt({ esm_class: 0x04, short_message: Buffer.from(TEXT, 'latin1') });
    assert.ok(r);
    assert.equal(r.providerMessageId, '0A1B2C3D');
    assert.equal(r.idFrom, 'text');
    assert.equal(r.stat, 'DELIVRD');
    assert.equal(r.err, '000');
    assert.equal(r.submitDate?.toISOString(), '2025-01-15T12:00:00.000Z');
    assert.equal(r.doneDate?.toISOString(), '2025-01-15T12:01:00.000Z');
    assert.equal(r.text, 'Hello');
  });

  it('prefers receipted_message_id over the text id', () => {
    const r = readProviderReceipt({ esm_class: 0x04, short_message: Buffer.from(TEXT), receipted_message_id: '169552957' });
    assert.equal(r?.providerMessageId, '169552957');
    assert.equal(r?.idFrom, 'receipted_message_id');
  });

  it('falls back to the text id when receipted_message_id is empty', () => {
    const r = readProviderReceipt({ esm_class: 0x04, short_message: Buffer.from(TEXT), receipted_message_id: '' });
    assert.equal(r?.providerMessageId, '0A1B2C3D');
  });

  it('prefers message_state and network_error_code over the text', () => {
    const r = readProviderReceipt({
      esm_class: 0x04, short_message: Buffer.from(TEXT), message_state: 5, network_error_code: Buffer.from([0x01, 0x00, 0x22]),
    });
    assert.equal(r?.stat, 'UNDELIV');
    assert.equal(r?.err, '034');
  });

  it('ignores a message_state that says nothing (0 or out of range)', () => {
    assert.equal(readProviderReceipt({ esm_class: 0x04, short_message: Buffer.from(TEXT), message_state: 0 })?.stat, 'DELIVRD');
    assert.equal(readProviderReceipt({ esm_class: 0x04, short_message: Buffer.from(TEXT), message_state: 42 })?.stat, 'DELIVRD');
  });

  it('reads a receipt carried in message_payload, and only TLVs when there is no text', () => {
    const r = readProviderReceipt({ esm_class: 0x04, short_message: Buffer.alloc(0), message_payload: Buffer.from('id:77 stat:EXPIRED err:003') });
    assert.deepEqual([r?.providerMessageId, r?.stat, r?.err], ['77', 'EXPIRED', '003']);
    const t = readProviderReceipt({ esm_class: 0x04, receipted_message_id: 'abc', message_state: 2 });
    assert.deepEqual([t?.providerMessageId, t?.stat, t?.err], ['abc', 'DELIVRD', '000']);
  });

  it('returns null when no id is given anywhere, UNKNOWN when no stat', () => {
    assert.equal(readProviderReceipt({ esm_class: 0x04, short_message: Buffer.from('stat:DELIVRD') }), null);
    assert.equal(readProviderReceipt({ esm_class: 0x04, short_message: Buffer.from('id:5') })?.stat, 'UNKNOWN');
  });
});
