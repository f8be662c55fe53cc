import { strict as assert } from 'node:assert';
import { PduDecodeError } from '../../../src/smpp/errors.js';
import { decodePdu, encodePdu } from '../../../src/smpp/pdu.js';
import { CommandId, Status, statusName, responseCommandFor } from '../../../src/smpp/status.js';
import { header } from './helpers.js';

function decodeError(buf: Buffer): PduDecodeError {
  try {
    decodePdu(buf);
  } catch (err) {
    assert.ok(err instanceof PduDecodeError, `expected PduDecodeError, got ${String(err)}`);
    return err;
  }
  assert.fail('decodePdu accepted a malformed PDU');
}

describe('smpp/pdu', () => {
  it('round-trips a submit_sm with raw short_message, UDH octets and TLVs', () => {
    const sm = Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x02, 0x01, 0x1b, 0x65, 0xff]);
    const buf = encodePdu({
      command: 'submit_sm', sequence_number: 42, source_addr: 'Ärzte', destination_addr: '4915112345678',
      esm_class: 0x40, data_coding: 0, registered_delivery: 1, validity_period: '000001000000000R', short_message: sm,
      sar_msg_ref_num: 0x1234, message_payload: Buffer.from([0x00, 0xff]),
    });
    const pdu = decodePdu(buf);
    assert.equal(pdu.command, 'submit_sm');
    assert.equal(pdu.command_id, CommandId.submit_sm);
    assert.equal(pdu.sequence_number, 42);
    assert.deepEqual(pdu.short_message, sm);
    assert.ok(Buffer.isBuffer(pdu.short_message));
    assert.equal(pdu.source_addr, 'Ärzte', 'C-strings keep octets above 0x7F');
    assert.equal(pdu.validity_period, '000001000000000R', 'times stay raw text, not Dates');
    assert.equal(pdu.sar_msg_ref_num, 0x1234);
    assert.deepEqual(pdu.message_payload, Buffer.from([0x00, 0xff]));
    assert.deepEqual(encodePdu(pdu), buf);
  });

  it('keeps TLVs it has no field for and re-encodes them', () => {
    const buf = encodePdu({ command: 'deliver_sm', sequence_number: 1, tlvs: [{ tag: 0x1401, value: Buffer.from('vendor') }] });
    const pdu = decodePdu(buf);
    assert.deepEqual(pdu.tlvs, [{ tag: 0x1401, value: Buffer.from('vendor') }]);
    assert.deepEqual(encodePdu(pdu), buf);
  });

  it('decodes receipt TLVs', () => {
    const pdu = decodePdu(encodePdu({
      command: 'deliver_sm', sequence_number: 9, esm_class: 4, receipted_message_id: 'abc123', message_state: 2,
      network_error_code: Buffer.from([3, 0, 1]),
    }));
    assert.equal(pdu.receipted_message_id, 'abc123');
    assert.equal(pdu.message_state, 2);
    assert.deepEqual(pdu.network_error_code, Buffer.from([3, 0, 1]));
  });

  it('accepts an error response without a body', () => {
    const pdu = decodePdu(header(16, CommandId.submit_sm_resp, Status.ESME_RTHROTTLED, 5));
    assert.equal(pdu.command, 'submit_sm_resp');
    assert.equal(pdu.command_status, Status.ESME_RTHROTTLED);
    assert.equal(pdu.message_id, undefined);
  });

  it('encodes an error response as a bare header', () => {
    const buf = encodePdu({ command: 'submit_sm_resp', sequence_number: 3, command_status: Status.ESME_RTHROTTLED, message_id: 'x' });
    assert.equal(buf.length, 16);
    assert.equal(buf.readUInt32BE(8), Status.ESME_RTHROTTLED);
  });

  it('reports an unknown command id with ESME_RINVCMDID and its sequence number', () => {
    const err = decodeError(header(16, 0x00000999, 0, 77));
    assert.equal(err.commandStatus, Status.ESME_RINVCMDID);
    assert.equal(err.sequenceNumber, 77);
    assert.equal(err.closeSession, false);
  });

  it('reports a truncated body with ESME_RINVMSGLEN', () => {
    const full = encodePdu({ command: 'submit_sm', sequence_number: 8, source_addr: '123', destination_addr: '456' });
    const cut = Buffer.from(full.subarray(0, 24));
    cut.writeUInt32BE(cut.length, 0);
    const err = decodeError(cut);
    assert.equal(err.commandStatus, Status.ESME_RINVMSGLEN);
    assert.equal(err.code, 'SMPP_INVALID_BODY');
    assert.equal(err.commandId, CommandId.submit_sm);
  });

  it('reports an sm_length past the end with ESME_RINVMSGLEN', () => {
    const full = encodePdu({ command: 'submit_sm', sequence_number: 8, short_message: Buffer.from('hello') });
    const bad = Buffer.from(full);
    bad[bad.length - 6] = 200; // sm_length claims 200 octets, 5 follow
    assert.equal(decodeError(bad).commandStatus, Status.ESME_RINVMSGLEN);
  });

  it('reports a zero-length integer TLV (which crashes the package reader) as ESME_RINVPARLEN', () => {
    const base = encodePdu({ command: 'deliver_sm', sequence_number: 2 });
    const tlv = Buffer.from([0x04, 0x27, 0x00, 0x00]); // message_state, length 0
    const buf = Buffer.concat([base, tlv]);
    buf.writeUInt32BE(buf.length, 0);
    assert.equal(decodeError(buf).commandStatus, Status.ESME_RINVPARLEN);
  });

  it('reports a TLV running past the end and stray trailing octets', () => {
    const base = encodePdu({ command: 'deliver_sm', sequence_number: 2 });
    const over = Buffer.concat([base, Buffer.from([0x14, 0x00, 0x00, 0x09, 0x01])]);
    over.writeUInt32BE(over.length, 0);
    assert.equal(decodeError(over).commandStatus, Status.ESME_RINVOPTPARSTREAM);
    const stray = Buffer.concat([base, Buffer.from([0x01, 0x02])]);
    stray.writeUInt32BE(stray.length, 0);
    assert.equal(decodeError(stray).commandStatus, Status.ESME_RINVOPTPARSTREAM);
  });

  it('reports a command_length that disagrees with the frame as ESME_RINVCMDLEN', () => {
    const err = decodeError(header(20, CommandId.enquire_link, 0, 1));
    assert.equal(err.commandStatus, Status.ESME_RINVCMDLEN);
    assert.equal(err.closeSession, true);
  });

  it('refuses to encode a short_message over 254 octets', () => {
    assert.throws(
      () => encodePdu({ command: 'submit_sm', sequence_number: 1, short_message: Buffer.alloc(255) }),
      (err: unknown) => err instanceof Error && (err as { code?: string }).code === 'SMPP_ENCODE_FAILED',
    );
  });

  it('names statuses and pairs commands with their responses', () => {
    assert.equal(statusName(0x58), 'ESME_RTHROTTLED');
    assert.equal(statusName(0x400), '0x00000400');
    assert.equal(responseCommandFor('submit_sm'), 'submit_sm_resp');
    assert.equal(responseCommandFor('outbind'), undefined);
  });
});
