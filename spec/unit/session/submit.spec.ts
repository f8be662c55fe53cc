import { strict as assert } from 'node:assert';
import { acceptSubmit } from '../../../src/actors/session/submit.js';
import { partsFor } from '../../../src/actors/session/submit-validation.js';
import { SmppStatusError } from '../../../src/errors.js';
import type { Pdu } from '../../../src/smpp/pdu.js';
import { Status, statusName } from '../../../src/smpp/status.js';
import { encodeText } from '../../../src/smpp/encoding.js';

const ctx = { customer: 'acme', messageId: 'id-1', node: 'n1', now: 1000 };
const submit = (fields: Partial<Pdu> = {}): Pdu => ({
  command: 'submit_sm', command_id: 4, command_status: 0, sequence_number: 1,
  source_addr: 'ACME', source_addr_ton: 5, source_addr_npi: 0, destination_addr: '447700900001', dest_addr_ton: 1, dest_addr_npi: 1,
  data_coding: 0, short_message: Buffer.from('hello'), ...fields,
});

function refusedWith(fields: Partial<Pdu>, status: number): void {
  try {
    acceptSubmit(submit(fields), ctx);
  } catch (err) {
    assert.ok(err instanceof SmppStatusError, String(err));
    assert.equal(statusName(err.commandStatus), statusName(status), err.message);
    return;
  }
  assert.fail(`expected ${statusName(status)} for ${JSON.stringify(fields)}`);
}

describe('session/submit: validation statuses', () => {
  const cases: [string, Partial<Pdu>, number][] = [
    ['empty destination', { destination_addr: '' }, Status.ESME_RINVDSTADR],
    ['destination over 20 octets', { destination_addr: '1'.repeat(21) }, Status.ESME_RINVDSTADR],
    ['international destination with letters', { destination_addr: '4477ABC' }, Status.ESME_RINVDSTADR],
    ['destination TON 7', { dest_addr_ton: 7 }, Status.ESME_RINVDSTTON],
    ['destination NPI 2', { dest_addr_npi: 2 }, Status.ESME_RINVDSTNPI],
    ['source TON 9', { source_addr_ton: 9 }, Status.ESME_RINVSRCTON],
    ['source NPI 5', { source_addr_npi: 5 }, Status.ESME_RINVSRCNPI],
    ['alphanumeric source over 11', { source_addr: 'ABCDEFGHIJKL' }, Status.ESME_RINVSRCADR],
    ['source over 20 octets', { source_addr_ton: 1, source_addr: '1'.repeat(21) }, Status.ESME_RINVSRCADR],
    ['service_type over 5', { service_type: 'TOOLONG' }, Status.ESME_RINVSERTYP],
    ['esm_class delivery receipt type', { esm_class: 0x04 }, Status.ESME_RINVESMCLASS],
    ['priority 4', { priority_flag: 4 }, Status.ESME_RINVPRTFLG],
    ['registered_delivery 3', { registered_delivery: 3 }, Status.ESME_RINVREGDLVFLG],
    ['registered_delivery reserved bit', { registered_delivery: 0x81 }, Status.ESME_RINVREGDLVFLG],
    ['replace_if_present 2', { replace_if_present_flag: 2 }, Status.ESME_RINVREPFLAG],
    ['canned message', { sm_default_msg_id: 3 }, Status.ESME_RINVDFTMSGID],
    ['schedule not a time', { schedule_delivery_time: 'tomorrow' }, Status.ESME_RINVSCHED],
    ['schedule month 13', { schedule_delivery_time: '251301000000000+' }, Status.ESME_RINVSCHED],
    ['validity not a time', { validity_period: '2501010000' }, Status.ESME_RINVEXPIRY],
    ['validity quarter hours 49', { validity_period: '250101000000049+' }, Status.ESME_RINVEXPIRY],
    ['reserved data_coding 0x0B', { data_coding: 0x0b }, Status.ESME_RINVDCS],
    ['reserved data_coding 0x30', { data_coding: 0x30 }, Status.ESME_RINVDCS],
    ['GSM octet over 0x7F', { short_message: Buffer.from([0x41, 0x80]) }, Status.ESME_RINVDCS],
    ['UCS-2 odd length', { data_coding: 8, short_message: Buffer.from([0x00, 0x41, 0x00]) }, Status.ESME_RINVMSGLEN],
    ['short_message and message_payload', { message_payload: Buffer.from('x') }, Status.ESME_RINVMSGLEN],
    ['UDHI without a UDH', { esm_class: 0x40, short_message: Buffer.from([0x09, 0x00]) }, Status.ESME_RINVESMCLASS],
    ['concatenation part 3 of 2', { esm_class: 0x40, short_message: Buffer.from([5, 0, 3, 7, 2, 3, 0x41]) }, Status.ESME_RINVESMCLASS],
    ['SAR without its total', { sar_msg_ref_num: 1, sar_segment_seqnum: 1 }, Status.ESME_RMISSINGOPTPARAM],
    ['SAR segment 0', { sar_msg_ref_num: 1, sar_total_segments: 2, sar_segment_seqnum: 0 }, Status.ESME_RINVOPTPARAMVAL],
    ['message_payload over 255 parts', { short_message: undefined, message_payload: Buffer.alloc(153 * 256, 0x41) }, Status.ESME_RINVMSGLEN],
  ];
  for (const [name, fields, status] of cases) it(`${name} → ${statusName(status)}`, () => refusedWith(fields, status));

  it('accepts valid schedule and validity times, absolute and relative, and stores them as instants', () => {
    const now = Date.UTC(2025, 11, 31, 12);
    // 23:59:59 local, 12 h behind UTC: 11:59:59 UTC the next day; the validity is two days from now.
    const a = acceptSubmit(submit({ schedule_delivery_time: '251231235959048-', validity_period: '000002000000000R' }), { ...ctx, now });
    assert.equal(a.kind, 'message');
    assert.equal(a.record.scheduledAt, Date.UTC(2026, 0, 1, 11, 59, 59));
    assert.equal(a.record.validUntil, now + 2 * 86400_000);
    const part = acceptSubmit(submit({ validity_period: '000000000130000R', esm_class: 0x40, short_message: Buffer.from([5, 0, 3, 7, 2, 1, 0x41]) }), { ...ctx, now });
    assert.equal(part.kind, 'part');
    assert.equal(part.record.validUntil, now + 90_000);
    assert.equal(part.record.scheduledAt, undefined);
    assert.ok(!('scheduledAt' in part.record), 'no property set to undefined');
  });

  it('a validity period already passed → ESME_RINVEXPIRY; a schedule not before the validity → ESME_RINVSCHED', () => {
    const now = Date.UTC(2026, 10, 30, 12);
    const at = (fields: Partial<Pdu>, status: number) => {
      assert.throws(() => acceptSubmit(submit(fields), { ...ctx, now }), (err: unknown) => err instanceof SmppStatusError && err.commandStatus === status);
    };
    at({ validity_period: '261130115959000+' }, Status.ESME_RINVEXPIRY);
    at({ validity_period: '000000000000000R' }, Status.ESME_RINVEXPIRY);
    at({ schedule_delivery_time: '000000020000000R', validity_period: '000000010000000R' }, Status.ESME_RINVSCHED);
    assert.equal(acceptSubmit(submit({ schedule_delivery_time: '000000010000000R', validity_period: '000000020000000R' }), { ...ctx, now }).kind, 'message');
  });
});

describe('session/submit: what is stored', () => {
  it('a single-part submit is a whole message with its short_message as sent', () => {
    const a = acceptSubmit(submit({ registered_delivery: 1 }), ctx);
    assert.equal(a.kind, 'message');
    if (a.kind !== 'message') return;
    assert.equal(a.parts, 1);
    assert.deepEqual(a.record.partIds, ['id-1']);
    assert.equal(Buffer.from(a.record.body, 'base64').toString(), 'hello');
    assert.deepEqual(a.record.destination, { ton: 1, npi: 1, addr: '447700900001' });
  });

  it('8-bit reference UDH: a part without its concatenation header, other IEs kept apart', () => {
    // Port addressing IE 0x05 (4 octets) then concatenation 8-bit ref 0x2A, part 2 of 3.
    const udh = Buffer.from([11, 0x05, 4, 0x0b, 0x84, 0x23, 0xf0, 0x00, 3, 0x2a, 3, 2]);
    const a = acceptSubmit(submit({ esm_class: 0x40, short_message: Buffer.concat([udh, Buffer.from('part two')]) }), ctx);
    assert.equal(a.kind, 'part');
    if (a.kind !== 'part') return;
    assert.deepEqual([a.record.scheme, a.record.ref, a.record.total, a.record.seq], ['udh8', 0x2a, 3, 2]);
    assert.equal(Buffer.from(a.record.body, 'base64').toString(), 'part two');
    assert.deepEqual(Buffer.from(a.record.udhOther!, 'base64'), Buffer.from([0x05, 4, 0x0b, 0x84, 0x23, 0xf0]));
    assert.equal(a.record.partId, 'id-1');
  });

  it('16-bit reference UDH', () => {
    const a = acceptSubmit(submit({ esm_class: 0x40, short_message: Buffer.from([6, 8, 4, 0x12, 0x34, 2, 1, 0x41, 0x42]) }), ctx);
    assert.equal(a.kind, 'part');
    if (a.kind !== 'part') return;
    assert.deepEqual([a.record.scheme, a.record.ref, a.record.total, a.record.seq], ['udh16', 0x1234, 2, 1]);
    assert.equal(Buffer.from(a.record.body, 'base64').toString(), 'AB');
    assert.equal(a.record.udhOther, undefined);
  });

  it('SAR TLVs', () => {
    const a = acceptSubmit(submit({ sar_msg_ref_num: 513, sar_total_segments: 4, sar_segment_seqnum: 4 }), ctx);
    assert.equal(a.kind, 'part');
    if (a.kind !== 'part') return;
    assert.deepEqual([a.record.scheme, a.record.ref, a.record.total, a.record.seq], ['sar', 513, 4, 4]);
  });

  it('message_payload is a whole message counted in parts', () => {
    const text = 'x'.repeat(400);
    const a = acceptSubmit(submit({ short_message: Buffer.alloc(0), message_payload: encodeText(text, 0) }), ctx);
    assert.equal(a.kind, 'message');
    assert.equal(a.parts, 3);
    if (a.kind === 'message') assert.equal(Buffer.from(a.record.body, 'base64').length, 400);
  });

  it('data_sm is accepted like submit_sm, from its message_payload', () => {
    const a = acceptSubmit(submit({ command: 'data_sm', short_message: undefined, message_payload: Buffer.from('via data_sm') }), ctx);
    assert.equal(a.kind, 'message');
  });

  it('counts parts per alphabet', () => {
    assert.equal(partsFor(160, 'gsm'), 1);
    assert.equal(partsFor(161, 'gsm'), 2);
    assert.equal(partsFor(140, 'ucs2'), 1);
    assert.equal(partsFor(141, 'ucs2'), 2);
    assert.equal(partsFor(134 * 3, 'binary'), 3);
  });
});
