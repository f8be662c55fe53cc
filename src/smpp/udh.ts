/**
 * User Data Header (3GPP TS 23.040 section 9.2.3.24): the octets at the start of
 * short_message when esm_class has UDHI (0x40). Only concatenation is interpreted; other
 * information elements are returned for whoever needs them.
 */
import { GatewayError } from '../errors.js';
import type { Pdu } from './pdu.js';
import { EsmClass } from './status.js';

export const IEI_CONCAT_8BIT = 0x00;
export const IEI_CONCAT_16BIT = 0x08;

export interface InformationElement {
  iei: number;
  data: Buffer;
}

export interface ConcatInfo {
  ref: number;
  total: number;
  /** 1-based. */
  seq: number;
  refBits: 8 | 16;
}

export interface UdhConcat extends ConcatInfo {
  /** Octets the header takes including its length octet: where the text starts. */
  udhLength: number;
}

/** The information elements of a UDH at the start of `message`, or null when malformed. */
export function parseUdh(message: Buffer): { elements: InformationElement[]; udhLength: number } | null {
  if (message.length === 0) return null;
  const udhLength = (message[0] ?? 0) + 1;
  if (udhLength > message.length) return null;
  const elements: InformationElement[] = [];
  let at = 1;
  while (at < udhLength) {
    if (at + 2 > udhLength) return null;
    const iei = message[at] ?? 0;
    const len = message[at + 1] ?? 0;
    if (at + 2 + len > udhLength) return null;
    elements.push({ iei, data: message.subarray(at + 2, at + 2 + len) });
    at += 2 + len;
  }
  return { elements, udhLength };
}

/**
 * Concatenation info from the UDH at the start of `message`, or null when there is none.
 * Elements with total 0, seq 0 or seq > total are ignored as 23.040 asks.
 */
export function parseConcatUdh(message: Buffer): UdhConcat | null {
  const udh = parseUdh(message);
  if (!udh) return null;
  for (const { iei, data } of udh.elements) {
    let info: ConcatInfo | undefined;
    if (iei === IEI_CONCAT_8BIT && data.length === 3) {
      info = { ref: data[0] ?? 0, total: data[1] ?? 0, seq: data[2] ?? 0, refBits: 8 };
    } else if (iei === IEI_CONCAT_16BIT && data.length === 4) {
      info = { ref: data.readUInt16BE(0), total: data[2] ?? 0, seq: data[3] ?? 0, refBits: 16 };
    }
    if (info && info.total > 0 && info.seq > 0 && info.seq <= info.total) return { ...info, udhLength: udh.udhLength };
  }
  return null;
}

/** `05 00 03 RR TT SS` or, with refBits 16, `06 08 04 RRhi RRlo TT SS`. */
export function buildConcatUdh(info: { ref: number; total: number; seq: number; refBits?: 8 | 16 }): Buffer {
  const refBits = info.refBits ?? 8;
  const maxRef = refBits === 8 ? 0xff : 0xffff;
  const bad = (what: string, v: number) => new GatewayError('SMPP_INVALID_UDH', `concatenation ${what} ${v} out of range`);
  if (!Number.isInteger(info.ref) || info.ref < 0 || info.ref > maxRef) throw bad('ref', info.ref);
  if (!Number.isInteger(info.total) || info.total < 1 || info.total > 255) throw bad('total', info.total);
  if (!Number.isInteger(info.seq) || info.seq < 1 || info.seq > info.total) throw bad('seq', info.seq);
  return refBits === 8
    ? Buffer.from([0x05, IEI_CONCAT_8BIT, 0x03, info.ref, info.total, info.seq])
    : Buffer.from([0x06, IEI_CONCAT_16BIT, 0x04, info.ref >> 8, info.ref & 0xff, info.total, info.seq]);
}

/** Splits short_message into UDH and text octets; no UDH unless esm_class has UDHI. */
export function splitUdh(message: Buffer, esmClass: number): { udh: Buffer | undefined; body: Buffer } {
  if ((esmClass & EsmClass.UDH_INDICATOR) === 0 || message.length === 0) return { udh: undefined, body: message };
  const udhLength = (message[0] ?? 0) + 1;
  if (udhLength > message.length) return { udh: undefined, body: message };
  return { udh: message.subarray(0, udhLength), body: message.subarray(udhLength) };
}

/**
 * Concatenation info of a submit_sm/deliver_sm/data_sm from either source: a UDH (when UDHI is
 * set) or the SAR TLVs. Null for a single-part message.
 */
export function concatInfoOf(pdu: Pick<Pdu, 'esm_class' | 'short_message' | 'message_payload' | 'sar_msg_ref_num' | 'sar_total_segments' | 'sar_segment_seqnum'>): ConcatInfo | null {
  if ((pdu.esm_class ?? 0) & EsmClass.UDH_INDICATOR) {
    const body = pdu.short_message?.length ? pdu.short_message : pdu.message_payload;
    const info = body ? parseConcatUdh(body) : null;
    if (info) return { ref: info.ref, total: info.total, seq: info.seq, refBits: info.refBits };
  }
  const { sar_msg_ref_num: ref, sar_total_segments: total, sar_segment_seqnum: seq } = pdu;
  if (ref !== undefined && total !== undefined && seq !== undefined && total > 0 && seq > 0 && seq <= total) {
    return { ref, total, seq, refBits: 16 };
  }
  return null;
}
