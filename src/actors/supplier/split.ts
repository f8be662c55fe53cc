/**
 * Cuts a whole message into the submit_sm PDUs a provider takes, as that provider is
 * configured to receive long messages. Pure: a MessageRecord in, PDU field sets out.
 *
 * - A message that fits in one short_message (140 octets of user data: 160 GSM-7 septets, 70
 *   UCS-2 characters, 140 octets) goes as one submit_sm without a concatenation header, in
 *   every mode.
 * - Otherwise `udh8` and `udh16` put a concatenation UDH in every part (153/152 septets, 67/66
 *   characters, 134/133 octets a part); `sar` sends the same part sizes as `udh8` (the SMSC adds
 *   an 8-bit UDH on the air) with sar_msg_ref_num, sar_total_segments and sar_segment_seqnum;
 *   `payload` sends one submit_sm with the whole message in message_payload and sm_length 0.
 * - A part never ends between a GSM escape (0x1B) and the character it introduces, nor
 *   between the two halves of a UTF-16 surrogate pair; such a part is one unit shorter.
 * - The reference number is a hash of the gateway message id, so a retried message carries the
 *   same reference and the handset can still join parts that were sent twice.
 * - A body that already carries a UDH (esm_class UDHI) keeps its elements other than
 *   concatenation (port addressing, say) in every part; their octets come off each part's room.
 *   A UDH that does not parse, or one that makes the body a part of a longer message (total
 *   above 1: a part that reached the supplier unassembled), is passed through untouched.
 * - GSM text travels unpacked (one septet per octet), as everywhere in the gateway.
 */
import { formatSmppTime } from '../../smpp/time.js';
import { GatewayError } from '../../errors.js';
import type { Concatenation } from '../../config/types.js';
import type { MessageRecord } from '../../domain/records.js';
import { encodingClass, type EncodingClass } from '../../domain/encoding-class.js';
import { stableHash32 } from '../../domain/hash.js';
import type { PduFields } from '../../smpp/pdu.js';
import { IEI_CONCAT_16BIT, IEI_CONCAT_8BIT, parseConcatUdh, parseUdh } from '../../smpp/udh.js';

const UDHI = 0x40;
const GSM_ESCAPE = 0x1b;
/** Octets of user data in one SMS. */
const USER_DATA_OCTETS = 140;
/** `00 03 RR TT SS` and `08 04 RRhi RRlo TT SS`: a concatenation element without the UDH length octet. */
const CONCAT8_IE = 5;
const CONCAT16_IE = 6;
const MAX_PARTS = 255;

export interface SplitOptions {
  concatenation: Concatenation;
}

export interface SplitResult {
  /** One field set per submit_sm, in order. registered_delivery is the caller's to add. */
  submits: PduFields[];
  /** submit_sm PDUs to send: what the provider's throttle counts. */
  parts: number;
  /** SMS the handset receives (differs from `parts` only in `payload` mode). */
  segments: number;
  /** The concatenation reference, when the message was cut. */
  ref?: number;
}

/** A message longer than 255 parts: no concatenation scheme can carry it. */
export class MessageTooLongError extends GatewayError {
  constructor(readonly segments: number) {
    super('MESSAGE_TOO_LONG', `the message needs ${segments} parts; at most ${MAX_PARTS} can be joined`);
  }
}

/**
 * Octets of message body one SMS carries with a UDH of `udhOctets` (length octet included, 0
 * for none): GSM-7 counts septets (fill bits align the text after the UDH), UCS-2 whole
 * characters.
 */
export function bodyCapacity(cls: EncodingClass, udhOctets: number): number {
  const room = USER_DATA_OCTETS - udhOctets;
  if (cls === 'gsm7') return Math.floor((room * 8) / 7);
  if (cls === 'ucs2') return 2 * Math.floor(room / 2);
  return room;
}

/**
 * Cuts `body` into chunks of at most `capacity` octets without breaking a unit: a GSM escape
 * pair (gsm7) or a surrogate pair (ucs2).
 */
export function chunkBody(body: Buffer, cls: EncodingClass, capacity: number): Buffer[] {
  if (capacity < 4) throw new GatewayError('UDH_TOO_LONG', `the user data header leaves ${capacity} octets a part`);
  const chunks: Buffer[] = [];
  let start = 0;
  let at = 0;
  while (at < body.length) {
    const unit = unitLength(body, at, cls);
    if (at + unit - start > capacity) {
      chunks.push(body.subarray(start, at));
      start = at;
    }
    at += unit;
  }
  if (at > start || chunks.length === 0) chunks.push(body.subarray(start));
  return chunks;
}

function unitLength(body: Buffer, at: number, cls: EncodingClass): number {
  if (cls === 'gsm7') return body[at] === GSM_ESCAPE && at + 1 < body.length ? 2 : 1;
  if (cls === 'ucs2') {
    if (at + 1 >= body.length) return 1; // an odd trailing octet: garbage in, kept as is
    const hi = body.readUInt16BE(at);
    if (hi >= 0xd800 && hi <= 0xdbff && at + 3 < body.length) {
      const lo = body.readUInt16BE(at + 2);
      if (lo >= 0xdc00 && lo <= 0xdfff) return 4;
    }
    return 2;
  }
  return 1;
}

/** The concatenation reference of a message: 8 or 16 bits of the hash of its id. */
export function concatRef(messageId: string, bits: 8 | 16): number {
  return stableHash32(messageId) & (bits === 8 ? 0xff : 0xffff);
}

export function splitForProvider(m: MessageRecord, opts: SplitOptions): SplitResult {
  const cls = encodingClass(m.dataCoding);
  const base: PduFields = {
    service_type: m.serviceType,
    source_addr_ton: m.source.ton, source_addr_npi: m.source.npi, source_addr: m.source.addr,
    dest_addr_ton: m.destination.ton, dest_addr_npi: m.destination.npi, destination_addr: m.destination.addr,
    // Store-and-forward whatever mode the customer asked: the gateway needs the provider's receipt.
    esm_class: m.esmClass & ~0x03 & ~UDHI,
    protocol_id: m.protocolId, priority_flag: m.priority, data_coding: m.dataCoding,
    // The customer's times, as absolute UTC: a relative one would count from our send, not its submit.
    ...(m.scheduledAt === undefined ? {} : { schedule_delivery_time: formatSmppTime(new Date(m.scheduledAt)) }),
    ...(m.validUntil === undefined ? {} : { validity_period: formatSmppTime(new Date(m.validUntil)) }),
  };
  const raw = Buffer.from(m.body, 'base64');

  let body = raw;
  let other = Buffer.alloc(0); // UDH elements to keep, without the length octet
  if (m.esmClass & UDHI) {
    const udh = parseUdh(raw);
    // Malformed, or one part of a message nobody assembled: not ours to cut, sent as it came.
    if (!udh || (parseConcatUdh(raw)?.total ?? 1) > 1) return single({ ...base, esm_class: base.esm_class! | UDHI, short_message: raw });
    other = Buffer.concat(udh.elements
      .filter((e) => e.iei !== IEI_CONCAT_8BIT && e.iei !== IEI_CONCAT_16BIT)
      .map((e) => Buffer.concat([Buffer.from([e.iei, e.data.length]), e.data])));
    body = raw.subarray(udh.udhLength);
  }
  const withUdh = (elements: Buffer) => Buffer.concat([Buffer.from([elements.length]), elements]);
  const udhi = (present: boolean) => base.esm_class! | (present ? UDHI : 0);

  if (body.length <= bodyCapacity(cls, other.length ? other.length + 1 : 0)) {
    const short = other.length ? Buffer.concat([withUdh(other), body]) : body;
    return single({ ...base, esm_class: udhi(other.length > 0), short_message: short });
  }

  const concatIe = opts.concatenation === 'udh16' ? CONCAT16_IE : CONCAT8_IE;
  const chunks = chunkBody(body, cls, bodyCapacity(cls, 1 + concatIe + other.length));
  if (chunks.length > MAX_PARTS) throw new MessageTooLongError(chunks.length);
  const total = chunks.length;

  if (opts.concatenation === 'payload') {
    const payload = other.length ? Buffer.concat([withUdh(other), body]) : body;
    return {
      submits: [{ ...base, esm_class: udhi(other.length > 0), short_message: Buffer.alloc(0), message_payload: payload }],
      parts: 1, segments: total,
    };
  }
  if (opts.concatenation === 'sar') {
    const ref = concatRef(m.id, 16);
    const submits = chunks.map((chunk, i): PduFields => ({
      ...base, esm_class: udhi(other.length > 0),
      short_message: other.length ? Buffer.concat([withUdh(other), chunk]) : chunk,
      sar_msg_ref_num: ref, sar_total_segments: total, sar_segment_seqnum: i + 1,
    }));
    return { submits, parts: total, segments: total, ref };
  }
  const bits = opts.concatenation === 'udh16' ? 16 : 8;
  const ref = concatRef(m.id, bits);
  const submits = chunks.map((chunk, i): PduFields => {
    const concat = bits === 8
      ? Buffer.from([IEI_CONCAT_8BIT, 3, ref, total, i + 1])
      : Buffer.from([IEI_CONCAT_16BIT, 4, ref >> 8, ref & 0xff, total, i + 1]);
    return { ...base, esm_class: udhi(true), short_message: Buffer.concat([withUdh(Buffer.concat([concat, other])), chunk]) };
  });
  return { submits, parts: total, segments: total, ref };
}

function single(fields: PduFields): SplitResult {
  return { submits: [fields], parts: 1, segments: 1 };
}
