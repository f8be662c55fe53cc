/**
 * Turns a customer's submit_sm or data_sm into what the gateway stores: a whole message
 * (single part or message_payload) for customer-incoming-messages, or one part of a
 * concatenated message (8/16-bit reference UDH or SAR TLVs) for customer-incoming-message-parts.
 * Pure: ids and time come in.
 */
import type { Pdu } from '../../smpp/pdu.js';
import { SmppStatusError } from '../../errors.js';
import { EsmClass, Status } from '../../smpp/status.js';
import { IEI_CONCAT_16BIT, IEI_CONCAT_8BIT, parseUdh } from '../../smpp/udh.js';
import type { ConcatScheme, MessageRecord, PartRecord, SmsAddress } from '../../domain/records.js';
import { checkAddress, checkDataCoding, checkFlags, checkText, partsFor } from './submit-validation.js';
import { parseSmppTime } from '../../smpp/time.js';

export interface SubmitContext {
  customer: string;
  messageId: string;
  node: string;
  now: number;
}

export type Accepted =
  | { kind: 'message'; record: MessageRecord; parts: number }
  | { kind: 'part'; record: PartRecord; parts: 1 };

/** A message longer than this many parts is refused: no handset reassembles more. */
export const MAX_PARTS = 255;

interface Concat {
  scheme: ConcatScheme;
  ref: number;
  total: number;
  seq: number;
}

function refuse(code: string, status: number, message: string): never {
  throw new SmppStatusError(code, status, message);
}

/** Validates and classifies a submit_sm or data_sm; throws SmppStatusError with the status to answer. */
export function acceptSubmit(pdu: Pdu, ctx: SubmitContext): Accepted {
  const isData = pdu.command === 'data_sm';
  // data_sm addresses are 65 octets in the PDU; submit_sm's are 21. Both include the NUL.
  const maxAddr = isData ? 64 : 20;
  const source: SmsAddress = { ton: pdu.source_addr_ton ?? 0, npi: pdu.source_addr_npi ?? 0, addr: pdu.source_addr ?? '' };
  const destination: SmsAddress = { ton: pdu.dest_addr_ton ?? 0, npi: pdu.dest_addr_npi ?? 0, addr: pdu.destination_addr ?? '' };
  checkAddress(source.ton, source.npi, source.addr, {
    tonStatus: Status.ESME_RINVSRCTON, npiStatus: Status.ESME_RINVSRCNPI, addrStatus: Status.ESME_RINVSRCADR, maxLength: maxAddr, required: false, what: 'source_addr',
  });
  checkAddress(destination.ton, destination.npi, destination.addr, {
    tonStatus: Status.ESME_RINVDSTTON, npiStatus: Status.ESME_RINVDSTNPI, addrStatus: Status.ESME_RINVDSTADR, maxLength: maxAddr, required: true, what: 'destination_addr',
  });
  checkFlags(pdu);
  const dataCoding = pdu.data_coding ?? 0;
  const alphabet = checkDataCoding(dataCoding);

  const short = pdu.short_message ?? Buffer.alloc(0);
  const payload = pdu.message_payload;
  if (short.length > 0 && payload !== undefined)
    refuse('SUBMIT_BOTH_BODIES', Status.ESME_RINVMSGLEN, 'short_message and message_payload are both set (sm_length must be 0)');
  const body = payload ?? short;

  const esmClass = pdu.esm_class ?? 0;
  let userData = body;
  let udhConcat: Concat | undefined;
  let otherIes: Buffer | undefined;
  if (esmClass & EsmClass.UDH_INDICATOR) {
    const udh = parseUdh(body);
    if (!udh) refuse('SUBMIT_BAD_UDH', Status.ESME_RINVESMCLASS, 'esm_class has UDHI but the message starts with no valid UDH');
    userData = body.subarray(udh.udhLength);
    const others: Buffer[] = [];
    for (const ie of udh.elements) {
      const concat = concatOf(ie.iei, ie.data);
      if (concat === undefined) others.push(Buffer.from([ie.iei, ie.data.length]), ie.data);
      else udhConcat ??= concat;
    }
    if (others.length > 0) otherIes = Buffer.concat(others);
  }
  checkText(userData, alphabet);
  const concat = udhConcat ?? sarOf(pdu);

  const { scheduledAt, validUntil } = timesOf(pdu, ctx.now);
  const common = {
    customer: ctx.customer, source, destination,
    serviceType: pdu.service_type ?? '', esmClass, protocolId: pdu.protocol_id ?? 0, priority: pdu.priority_flag ?? 0,
    registeredDelivery: pdu.registered_delivery ?? 0, dataCoding, acceptedAt: ctx.now, node: ctx.node,
    ...(validUntil === undefined ? {} : { validUntil }),
    ...(scheduledAt === undefined ? {} : { scheduledAt }),
  };
  if (concat) {
    const record: PartRecord = {
      ...common, partId: ctx.messageId, scheme: concat.scheme, ref: concat.ref, total: concat.total, seq: concat.seq,
      body: userData.toString('base64'),
      ...(otherIes ? { udhOther: otherIes.toString('base64') } : {}),
    };
    return { kind: 'part', record, parts: 1 };
  }
  const parts = partsFor(userData.length, alphabet);
  if (parts > MAX_PARTS) refuse('SUBMIT_TOO_LONG', Status.ESME_RINVMSGLEN, `message needs ${parts} parts, over ${MAX_PARTS}`);
  const record: MessageRecord = { ...common, id: ctx.messageId, body: body.toString('base64'), partIds: [ctx.messageId] };
  return { kind: 'message', record, parts };
}

/** schedule_delivery_time and validity_period as instants (their format is checked already). */
function timesOf(pdu: Pdu, now: number): { scheduledAt: number | undefined; validUntil: number | undefined } {
  const scheduledAt = parseSmppTime(pdu.schedule_delivery_time ?? '', now);
  const validUntil = parseSmppTime(pdu.validity_period ?? '', now);
  if (validUntil !== undefined && validUntil <= now) refuse('SUBMIT_VALIDITY_PASSED', Status.ESME_RINVEXPIRY, 'validity_period has already passed');
  if (scheduledAt !== undefined && validUntil !== undefined && scheduledAt >= validUntil) {
    refuse('SUBMIT_SCHEDULE_AFTER_VALIDITY', Status.ESME_RINVSCHED, 'schedule_delivery_time is not before validity_period');
  }
  return { scheduledAt, validUntil };
}

/** A concatenation IE's values, undefined for other IEs; a concatenation IE with bad values is refused. */
function concatOf(iei: number, data: Buffer): Concat | undefined {
  let c: Concat | undefined;
  if (iei === IEI_CONCAT_8BIT && data.length === 3) c = { scheme: 'udh8', ref: data[0] ?? 0, total: data[1] ?? 0, seq: data[2] ?? 0 };
  else if (iei === IEI_CONCAT_16BIT && data.length === 4) c = { scheme: 'udh16', ref: data.readUInt16BE(0), total: data[2] ?? 0, seq: data[3] ?? 0 };
  else if (iei === IEI_CONCAT_8BIT || iei === IEI_CONCAT_16BIT) refuse('SUBMIT_BAD_CONCAT_UDH', Status.ESME_RINVESMCLASS, `concatenation IE 0x${iei.toString(16)} has length ${data.length}`);
  if (c && (c.total === 0 || c.seq === 0 || c.seq > c.total))
    refuse('SUBMIT_BAD_CONCAT_UDH', Status.ESME_RINVESMCLASS, `concatenation part ${c.seq} of ${c.total} is impossible`);
  return c;
}

function sarOf(pdu: Pdu): Concat | undefined {
  const { sar_msg_ref_num: ref, sar_total_segments: total, sar_segment_seqnum: seq } = pdu;
  const given = [ref, total, seq].filter((v) => v !== undefined).length;
  if (given === 0) return undefined;
  if (ref === undefined || total === undefined || seq === undefined)
    refuse('SUBMIT_PARTIAL_SAR', Status.ESME_RMISSINGOPTPARAM, 'sar_msg_ref_num, sar_total_segments and sar_segment_seqnum go together');
  if (total === 0 || seq === 0 || seq > total)
    refuse('SUBMIT_BAD_SAR', Status.ESME_RINVOPTPARAMVAL, `SAR segment ${seq} of ${total} is impossible`);
  return { scheme: 'sar', ref, total, seq };
}
