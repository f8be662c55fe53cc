/**
 * The PDU codec: typed PDUs in and out, bytes kept raw.
 *
 * Encoding goes through the `smpp` package's encoder with its value filters switched off.
 * Decoding walks the package's parameter schema here instead of calling `new PDU(buffer)`,
 * because the package's reader (a) turns short_message/message_payload into lossy decoded text
 * and schedule/validity times into Dates, (b) reads C-strings as 'ascii', which clears the top
 * bit of every octet, (c) silently accepts truncated bodies and C-strings running off the end,
 * (d) throws a bare RangeError on an integer TLV shorter than its type, and (e) refuses anything
 * over its global 16384-octet limit even when we configured a larger one. Here every fault
 * becomes a PduDecodeError carrying the command_status to answer with.
 */
import smpp from 'smpp';
import type { SmppFieldType } from 'smpp';
import { GatewayError } from '../errors.js';
import { PduDecodeError } from './errors.js';
import { CommandId, commandName, isResponseId, Status, type CommandName } from './status.js';

export const HEADER_LENGTH = 16;

export interface DestAddress {
  dest_addr_ton?: number;
  dest_addr_npi?: number;
  destination_addr?: string;
  /** Set instead of the address fields for a distribution list entry. */
  dl_name?: string;
}

export interface UnsuccessSme {
  dest_addr_ton: number;
  dest_addr_npi: number;
  destination_addr: string;
  error_status_code: number;
}

/** A TLV we have no typed field for, kept verbatim so a relay can pass it on. */
export interface RawTlv {
  tag: number;
  value: Buffer;
}

/**
 * Body fields. C-strings are decoded and encoded as Latin-1 so every octet survives a round
 * trip; short_message and message_payload are the raw octets, including any UDH.
 */
export interface PduFields {
  system_id?: string;
  password?: string;
  system_type?: string;
  interface_version?: number;
  addr_ton?: number;
  addr_npi?: number;
  address_range?: string;
  service_type?: string;
  source_addr_ton?: number;
  source_addr_npi?: number;
  source_addr?: string;
  dest_addr_ton?: number;
  dest_addr_npi?: number;
  destination_addr?: string;
  esme_addr_ton?: number;
  esme_addr_npi?: number;
  esme_addr?: string;
  dest_address?: DestAddress[];
  unsuccess_sme?: UnsuccessSme[];
  esm_class?: number;
  protocol_id?: number;
  priority_flag?: number;
  /** Raw `YYMMDDhhmmsstnnp` text; interpreting it is the caller's business. */
  schedule_delivery_time?: string;
  validity_period?: string;
  registered_delivery?: number;
  replace_if_present_flag?: number;
  data_coding?: number;
  sm_default_msg_id?: number;
  short_message?: Buffer;
  message_id?: string;
  final_date?: string;
  /** query_sm_resp parameter, and the TLV of the same name on deliver_sm/data_sm. */
  message_state?: number;
  error_code?: number;
  // TLVs
  receipted_message_id?: string;
  network_error_code?: Buffer;
  sar_msg_ref_num?: number;
  sar_total_segments?: number;
  sar_segment_seqnum?: number;
  message_payload?: Buffer;
  user_message_reference?: number;
  source_port?: number;
  dest_port?: number;
  payload_type?: number;
  more_messages_to_send?: number;
  delivery_failure_reason?: number;
  additional_status_info_text?: string;
  ms_availability_status?: number;
  dpf_result?: number;
  set_dpf?: number;
  /** TLVs without a typed field above, in arrival order. */
  tlvs?: RawTlv[];
}

export interface Pdu extends PduFields {
  command: CommandName;
  command_id: number;
  command_status: number;
  sequence_number: number;
}

/** What encodePdu needs: a decoded Pdu qualifies, so decode → encode round-trips. */
export type OutgoingPdu = PduFields & {
  command: CommandName;
  sequence_number: number;
  command_status?: number;
};

type FieldKind = 'int8' | 'int16' | 'int32' | 'cstring' | 'octets' | 'dest_address_array' | 'unsuccess_sme_array';

interface ParamSpec {
  readonly name: string;
  readonly kind: FieldKind;
}

/** TLVs we give typed fields; ids per SMPP 3.4 section 5.3.2. */
const TYPED_TLVS: Readonly<Record<string, { tag: number; kind: FieldKind }>> = {
  receipted_message_id: { tag: 0x001e, kind: 'cstring' },
  message_state: { tag: 0x0427, kind: 'int8' },
  network_error_code: { tag: 0x0423, kind: 'octets' },
  sar_msg_ref_num: { tag: 0x020c, kind: 'int16' },
  sar_total_segments: { tag: 0x020e, kind: 'int8' },
  sar_segment_seqnum: { tag: 0x020f, kind: 'int8' },
  message_payload: { tag: 0x0424, kind: 'octets' },
  user_message_reference: { tag: 0x0204, kind: 'int16' },
  source_port: { tag: 0x020a, kind: 'int16' },
  dest_port: { tag: 0x020b, kind: 'int16' },
  payload_type: { tag: 0x0019, kind: 'int8' },
  more_messages_to_send: { tag: 0x0426, kind: 'int8' },
  delivery_failure_reason: { tag: 0x0425, kind: 'int8' },
  additional_status_info_text: { tag: 0x001d, kind: 'cstring' },
  ms_availability_status: { tag: 0x0422, kind: 'int8' },
  dpf_result: { tag: 0x0420, kind: 'int8' },
  set_dpf: { tag: 0x0421, kind: 'int8' },
};

const TLV_BY_TAG = new Map(Object.entries(TYPED_TLVS).map(([name, def]) => [def.tag, { name, kind: def.kind }]));

const INT_SIZE: Partial<Record<FieldKind, number>> = { int8: 1, int16: 2, int32: 4 };

function kindOf(type: SmppFieldType): FieldKind {
  const t = smpp.types;
  if (type === t.int8) return 'int8';
  if (type === t.int16) return 'int16';
  if (type === t.int32) return 'int32';
  if (type === t.cstring) return 'cstring';
  if (type === t.buffer) return 'octets';
  if (type === t.dest_address_array) return 'dest_address_array';
  if (type === t.unsuccess_sme_array) return 'unsuccess_sme_array';
  throw new GatewayError('SMPP_SCHEMA', 'unexpected parameter type in the smpp package schema');
}

/** Mandatory parameters per command, in wire order, taken once from the package's schema. */
const PARAMS = new Map<CommandName, readonly ParamSpec[]>(
  (Object.keys(CommandId) as CommandName[]).map((command) => {
    const def = smpp.commands[command];
    if (!def || def.id !== CommandId[command]) {
      throw new GatewayError('SMPP_SCHEMA', `smpp package does not define ${command} as expected`);
    }
    const params = Object.entries(def.params ?? {}).map(([name, p]) => ({ name, kind: kindOf(p.type) }));
    return [command, params];
  }),
);

/** Package prototype with the value filters disabled: values are written exactly as given. */
const rawPduPrototype: object = Object.create(smpp.PDU.prototype, {
  _filter: { value: () => undefined },
});

export function encodePdu(pdu: OutgoingPdu): Buffer {
  const { command, sequence_number, command_status = 0, tlvs, ...fields } = pdu;
  if (!(command in CommandId)) {
    throw new GatewayError('SMPP_ENCODE_FAILED', `unknown command ${String(command)}`);
  }
  if (fields.short_message && fields.short_message.length > 254) {
    throw new GatewayError('SMPP_ENCODE_FAILED', `short_message is ${fields.short_message.length} octets, over 254; use message_payload`);
  }
  // The package copies keys that are present even when undefined, then crashes sizing them.
  const options: Record<string, unknown> = { sequence_number, command_status };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) options[key] = value;

  let body: Buffer;
  try {
    const instance = Object.create(rawPduPrototype) as InstanceType<typeof smpp.PDU>;
    smpp.PDU.call(instance, command, options);
    body = instance.toBuffer();
  } catch (err) {
    throw new GatewayError('SMPP_ENCODE_FAILED', `cannot encode ${command}`, { cause: err });
  }
  // The package drops the body of any PDU with a non-zero status, so raw TLVs would follow a
  // bare header and be misread as mandatory parameters.
  if (!tlvs?.length || command_status !== 0) return body;
  const parts = [body];
  for (const tlv of tlvs) {
    const head = Buffer.alloc(4);
    head.writeUInt16BE(tlv.tag, 0);
    head.writeUInt16BE(tlv.value.length, 2);
    parts.push(head, tlv.value);
  }
  const out = Buffer.concat(parts);
  out.writeUInt32BE(out.length, 0);
  return out;
}

/** Decodes one complete frame. Throws PduDecodeError, never anything else. */
export function decodePdu(buf: Buffer): Pdu {
  if (buf.length < HEADER_LENGTH) {
    throw new PduDecodeError('SMPP_INVALID_COMMAND_LENGTH', Status.ESME_RINVCMDLEN,
      `PDU of ${buf.length} octets is shorter than the header`, 0, 0, { closeSession: true });
  }
  const length = buf.readUInt32BE(0);
  const id = buf.readUInt32BE(4);
  const status = buf.readUInt32BE(8);
  const seq = buf.readUInt32BE(12);
  if (length !== buf.length) {
    throw new PduDecodeError('SMPP_INVALID_COMMAND_LENGTH', Status.ESME_RINVCMDLEN,
      `command_length ${length} does not match the ${buf.length} octets framed`, id, seq, { closeSession: true });
  }
  const command = commandName(id);
  if (command === undefined) {
    throw new PduDecodeError('SMPP_UNKNOWN_COMMAND_ID', Status.ESME_RINVCMDID,
      `unknown command_id 0x${id.toString(16).padStart(8, '0')}`, id, seq);
  }
  const fail = (code: string, commandStatus: number, message: string, cause?: unknown): never => {
    throw new PduDecodeError(code, commandStatus, `${command}: ${message}`, id, seq, { cause });
  };

  const out: Record<string, unknown> = { command, command_id: id, command_status: status, sequence_number: seq };
  let offset = HEADER_LENGTH;
  for (const param of PARAMS.get(command) ?? []) {
    if (offset >= length) {
      // Error responses legitimately carry no body, and some SMSCs omit trailing fields of
      // successful ones too; a request without its mandatory fields is malformed.
      if (isResponseId(id)) break;
      fail('SMPP_INVALID_BODY', Status.ESME_RINVMSGLEN, `body ends before ${param.name}`);
    }
    const read = readField(buf, offset, length, param.kind);
    if (read === undefined) fail('SMPP_INVALID_BODY', Status.ESME_RINVMSGLEN, `${param.name} runs past the end of the PDU`);
    else {
      out[param.name] = read.value;
      offset = read.next;
    }
  }

  const raw: RawTlv[] = [];
  while (offset < length) {
    if (offset + 4 > length) fail('SMPP_INVALID_TLV', Status.ESME_RINVOPTPARSTREAM, `${length - offset} stray octets after the last TLV`);
    const tag = buf.readUInt16BE(offset);
    const tlvLength = buf.readUInt16BE(offset + 2);
    const start = offset + 4;
    const end = start + tlvLength;
    if (end > length) fail('SMPP_INVALID_TLV', Status.ESME_RINVOPTPARSTREAM, `TLV 0x${tag.toString(16)} runs past the end of the PDU`);
    const def = TLV_BY_TAG.get(tag);
    if (def === undefined) {
      raw.push({ tag, value: Buffer.from(buf.subarray(start, end)) });
    } else {
      const size = INT_SIZE[def.kind];
      if (size !== undefined && size !== tlvLength) {
        fail('SMPP_INVALID_TLV', Status.ESME_RINVPARLEN, `TLV ${def.name} has length ${tlvLength}, expected ${size}`);
      }
      out[def.name] = readTlvValue(buf, start, end, def.kind);
    }
    offset = end;
  }
  if (raw.length > 0) out.tlvs = raw;
  return out as unknown as Pdu;
}

function readField(buf: Buffer, offset: number, end: number, kind: FieldKind): { value: unknown; next: number } | undefined {
  switch (kind) {
    case 'int8':
    case 'int16':
    case 'int32': {
      const size = INT_SIZE[kind] ?? 1;
      if (offset + size > end) return undefined;
      return { value: buf.readUIntBE(offset, size), next: offset + size };
    }
    case 'cstring': {
      const nul = buf.indexOf(0, offset);
      if (nul < 0 || nul >= end) return undefined;
      return { value: buf.toString('latin1', offset, nul), next: nul + 1 };
    }
    case 'octets': {
      const len = buf.readUInt8(offset);
      if (offset + 1 + len > end) return undefined;
      return { value: Buffer.from(buf.subarray(offset + 1, offset + 1 + len)), next: offset + 1 + len };
    }
    case 'dest_address_array':
    case 'unsuccess_sme_array': {
      // Rare (submit_multi only): let the package read them, then check it stayed in bounds.
      const type = kind === 'dest_address_array' ? smpp.types.dest_address_array : smpp.types.unsuccess_sme_array;
      try {
        const value = type.read(buf.subarray(0, end), offset);
        const next = offset + type.size(value);
        return next <= end ? { value, next } : undefined;
      } catch {
        return undefined;
      }
    }
  }
}

function readTlvValue(buf: Buffer, start: number, end: number, kind: FieldKind): unknown {
  switch (kind) {
    case 'cstring': {
      // The NUL is optional in practice; stop at the first one but never read past the TLV.
      const nul = buf.indexOf(0, start);
      return buf.toString('latin1', start, nul >= 0 && nul < end ? nul : end);
    }
    case 'octets':
      return Buffer.from(buf.subarray(start, end));
    default:
      return end > start ? buf.readUIntBE(start, end - start) : 0;
  }
}

/** Reads command_id and sequence_number from a frame too broken to decode. */
export function peekHeader(buf: Buffer): { commandId: number; sequenceNumber: number } {
  return {
    commandId: buf.length >= 8 ? buf.readUInt32BE(4) : 0,
    sequenceNumber: buf.length >= 16 ? buf.readUInt32BE(12) : 0,
  };
}
