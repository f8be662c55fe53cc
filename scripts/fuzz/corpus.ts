/**
 * The seed corpus: one well-formed PDU for each shape a customer (or a confused peer) sends,
 * kept as mandatory fields plus a list of TLVs so mutations know where the TLVs start.
 */
import { encodePdu, HEADER_LENGTH, type OutgoingPdu, type RawTlv } from '../../src/smpp/pdu.js';
import type { CommandName } from '../../src/smpp/status.js';

export interface Credentials {
  systemId: string;
  password: string;
}

export interface CorpusEntry {
  name: string;
  command: CommandName;
  /** The encoded frame, sequence number 1. */
  frame: Buffer;
  /** Octets of header and mandatory parameters: the TLVs start here. */
  tlvStart: number;
}

const tlv = (tag: number, value: Buffer | number[] | string): RawTlv => ({
  tag,
  value: Buffer.isBuffer(value) ? value : typeof value === 'string' ? Buffer.from(`${value}\0`, 'latin1') : Buffer.from(value),
});
const u8 = (n: number) => [n & 0xff];
const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];

const TAG = {
  sar_msg_ref_num: 0x020c, sar_total_segments: 0x020e, sar_segment_seqnum: 0x020f, message_payload: 0x0424,
  user_message_reference: 0x0204, source_port: 0x020a, dest_port: 0x020b, receipted_message_id: 0x001e,
  message_state: 0x0427, network_error_code: 0x0423, payload_type: 0x0019, more_messages_to_send: 0x0426,
  vendor: 0x1401,
} as const;

type Shape = { name: string; pdu: Omit<OutgoingPdu, 'sequence_number'>; tlvs?: RawTlv[] };

const addr = { source_addr_ton: 5, source_addr_npi: 0, source_addr: 'ACME', dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900001' };

function shapes(creds: Credentials): Shape[] {
  const bind = { system_id: creds.systemId, password: creds.password, system_type: '', interface_version: 0x34, addr_ton: 0, addr_npi: 0, address_range: '' };
  const gsm = (text: string) => Buffer.from(text, 'latin1');
  return [
    { name: 'bind_transmitter', pdu: { command: 'bind_transmitter', ...bind } },
    { name: 'bind_receiver', pdu: { command: 'bind_receiver', ...bind } },
    { name: 'bind_transceiver', pdu: { command: 'bind_transceiver', ...bind } },
    { name: 'submit_sm plain', pdu: { command: 'submit_sm', ...addr, data_coding: 0, short_message: gsm('hello fuzz') } },
    { name: 'submit_sm receipt+times', pdu: { command: 'submit_sm', ...addr, registered_delivery: 1, schedule_delivery_time: '000000001000000R', validity_period: '000001000000000R', data_coding: 0, short_message: gsm('timed') } },
    { name: 'submit_sm udh8', pdu: { command: 'submit_sm', ...addr, esm_class: 0x40, data_coding: 0, short_message: Buffer.concat([Buffer.from([5, 0, 3, 0x2a, 2, 1]), gsm('part one')]) } },
    { name: 'submit_sm udh16', pdu: { command: 'submit_sm', ...addr, esm_class: 0x40, data_coding: 8, short_message: Buffer.concat([Buffer.from([6, 8, 4, 0xbe, 0xef, 3, 2]), Buffer.from('00410042', 'hex')]) } },
    {
      name: 'submit_sm sar', pdu: { command: 'submit_sm', ...addr, data_coding: 0, short_message: gsm('sar part') },
      tlvs: [tlv(TAG.sar_msg_ref_num, u16(0x0102)), tlv(TAG.sar_total_segments, u8(2)), tlv(TAG.sar_segment_seqnum, u8(1))],
    },
    {
      name: 'submit_sm message_payload', pdu: { command: 'submit_sm', ...addr, data_coding: 0 },
      tlvs: [tlv(TAG.message_payload, gsm('long '.repeat(60)))],
    },
    {
      name: 'submit_sm binary with ports and vendor TLV', pdu: { command: 'submit_sm', ...addr, data_coding: 4, short_message: Buffer.from([0, 1, 0xfe, 0xff]) },
      tlvs: [tlv(TAG.source_port, u16(2948)), tlv(TAG.dest_port, u16(2948)), tlv(TAG.user_message_reference, u16(7)), tlv(TAG.vendor, [1, 2, 3])],
    },
    {
      name: 'data_sm payload', pdu: { command: 'data_sm', service_type: '', ...addr, esm_class: 0, registered_delivery: 1, data_coding: 0 },
      tlvs: [tlv(TAG.message_payload, gsm('data sm')), tlv(TAG.more_messages_to_send, u8(0))],
    },
    { name: 'query_sm', pdu: { command: 'query_sm', message_id: '0123456789abcdef01234567', source_addr_ton: 5, source_addr_npi: 0, source_addr: 'ACME' } },
    { name: 'cancel_sm', pdu: { command: 'cancel_sm', service_type: '', message_id: '0123456789abcdef01234567', ...addr } },
    { name: 'replace_sm', pdu: { command: 'replace_sm', message_id: 'abc', source_addr_ton: 5, source_addr_npi: 0, source_addr: 'ACME', short_message: gsm('new') } },
    {
      name: 'submit_multi', pdu: {
        command: 'submit_multi', source_addr_ton: 5, source_addr_npi: 0, source_addr: 'ACME', data_coding: 0, short_message: gsm('multi'),
        dest_address: [{ dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '447700900001' }, { dl_name: 'list' }],
      },
    },
    { name: 'enquire_link', pdu: { command: 'enquire_link' } },
    { name: 'enquire_link_resp', pdu: { command: 'enquire_link_resp' } },
    { name: 'unbind', pdu: { command: 'unbind' } },
    { name: 'unbind_resp', pdu: { command: 'unbind_resp' } },
    { name: 'generic_nack', pdu: { command: 'generic_nack', command_status: 3 } },
    { name: 'deliver_sm_resp', pdu: { command: 'deliver_sm_resp', message_id: '' } },
    { name: 'submit_sm_resp', pdu: { command: 'submit_sm_resp', message_id: 'x1' } },
    { name: 'data_sm_resp', pdu: { command: 'data_sm_resp', message_id: 'x2' } },
    { name: 'bind_transceiver_resp', pdu: { command: 'bind_transceiver_resp', system_id: 'peer' } },
    {
      name: 'deliver_sm receipt', pdu: {
        command: 'deliver_sm', ...addr, esm_class: 0x04, data_coding: 0,
        short_message: gsm('id:abc sub:001 dlvrd:001 submit date:2401010000 done date:2401010001 stat:DELIVRD err:000 text:'),
      },
      tlvs: [tlv(TAG.receipted_message_id, 'abc'), tlv(TAG.message_state, u8(2)), tlv(TAG.network_error_code, [3, 0, 0])],
    },
    { name: 'outbind', pdu: { command: 'outbind', system_id: 'smsc', password: 'pw' } },
    { name: 'alert_notification', pdu: { command: 'alert_notification', source_addr_ton: 1, source_addr_npi: 1, source_addr: '4477', esme_addr_ton: 0, esme_addr_npi: 0, esme_addr: 'ACME' } },
  ];
}

export function buildCorpus(creds: Credentials): CorpusEntry[] {
  return shapes(creds).map(({ name, pdu, tlvs }) => {
    const base = { ...pdu, sequence_number: 1 } as OutgoingPdu;
    const mandatory = encodePdu(base);
    const frame = tlvs?.length ? encodePdu({ ...base, tlvs }) : mandatory;
    return { name, command: pdu.command, frame, tlvStart: mandatory.length };
  });
}

/** A copy of `frame` with another sequence number. */
export function withSequence(frame: Buffer, seq: number): Buffer {
  const out = Buffer.from(frame);
  if (out.length >= HEADER_LENGTH) out.writeUInt32BE(seq >>> 0, 12);
  return out;
}
