/**
 * A message as an HTTP customer sends it (`POST /v1/messages`, Kannel's sendsms) turned into
 * the record an SMPP submit becomes: addresses with their TON/NPI, the text encoded in the
 * alphabet it fits (GSM 03.38, else UCS-2) or the one asked for, the receipt request, validity
 * and schedule as instants. A long text stays one message: the supplier cuts it for each
 * provider, as it does an SMPP message_payload. Pure: ids and time come in. The shape (types,
 * lengths) is checked before, by the route's JSON schema; what a schema cannot say is checked
 * here, each with the field it concerns.
 */
import type { MessageRecord, SmsAddress } from '../domain/records.js';
import { canEncodeGsm, chooseDataCoding, encodeText, textAlphabet } from '../smpp/encoding.js';
import { partsFor } from '../actors/session/submit-validation.js';
import { MAX_PARTS, type Accepted } from '../actors/session/submit.js';
import { badField } from './http-error.js';

export type TextEncoding = 'auto' | 'gsm7' | 'ucs2' | 'latin1';
export const TEXT_ENCODINGS: readonly TextEncoding[] = ['auto', 'gsm7', 'ucs2', 'latin1'];

export interface MessageRequest {
  to: string;
  from?: string;
  text?: string;
  /** Octets, base64: sent with data_coding 4 (8-bit binary). */
  binary?: string;
  encoding?: TextEncoding;
  /** A delivery receipt wanted (default true). */
  receipt?: boolean;
  /** Seconds from now, or an RFC 3339 instant: not delivered after it. */
  validity?: number | string;
  /** RFC 3339 instant: not delivered before it. */
  schedule?: string;
  /** The customer's own reference, kept in the message's `accepted` event. */
  reference?: string;
}

export interface RequestContext {
  customer: string;
  messageId: string;
  node: string;
  now: number;
  /** Where the fields are in the body, for error answers (`messages[3].`). */
  path?: string;
}

const TON_INTERNATIONAL = 1;
const TON_UNKNOWN = 0;
const TON_ALPHANUMERIC = 5;
const NPI_ISDN = 1;
const DATA_CODING: Record<Exclude<TextEncoding, 'auto'>, number> = { gsm7: 0, ucs2: 8, latin1: 3 };
const BINARY_CODING = 4;

/** `+447700900123` or `447700900123` (international), as SMPP destination and source addresses. */
export function destinationOf(to: string, field: string): SmsAddress {
  const m = /^\+?(\d{1,20})$/.exec(to.trim());
  if (!m) throw badField(field, 'BAD_ADDRESS', `${JSON.stringify(to)} is not a phone number (digits, optionally after +)`);
  return { ton: TON_INTERNATIONAL, npi: NPI_ISDN, addr: m[1]! };
}

/**
 * A sender: `+` and digits is an international number; digits alone a number of unknown type
 * (short codes, national numbers); up to 11 letters, digits and spaces an alphanumeric sender.
 */
export function sourceOf(from: string | undefined, field: string): SmsAddress {
  if (from === undefined || from === '') return { ton: TON_UNKNOWN, npi: 0, addr: '' };
  const intl = /^\+(\d{1,20})$/.exec(from);
  if (intl) return { ton: TON_INTERNATIONAL, npi: NPI_ISDN, addr: intl[1]! };
  if (/^\d{1,20}$/.test(from)) return { ton: TON_UNKNOWN, npi: NPI_ISDN, addr: from };
  if (/^[A-Za-z0-9 ._-]{1,11}$/.test(from)) return { ton: TON_ALPHANUMERIC, npi: 0, addr: from };
  throw badField(field, 'BAD_ADDRESS', `${JSON.stringify(from)} is neither a number nor an alphanumeric sender of up to 11 characters`);
}

/** The body's octets and data_coding; throws a 400 naming the field. */
export function bodyOf(r: Pick<MessageRequest, 'text' | 'binary' | 'encoding'>, path: string): { body: Buffer; dataCoding: number } {
  if ((r.text === undefined) === (r.binary === undefined)) {
    throw badField(`${path}text`, 'TEXT_OR_BINARY', 'exactly one of text and binary is needed');
  }
  if (r.binary !== undefined) {
    if (r.encoding !== undefined && r.encoding !== 'auto') throw badField(`${path}encoding`, 'BAD_ENCODING', 'binary messages take no text encoding');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(r.binary) || r.binary.length % 4 !== 0) throw badField(`${path}binary`, 'BAD_BINARY', 'binary must be base64');
    const body = Buffer.from(r.binary, 'base64');
    if (body.length === 0) throw badField(`${path}binary`, 'EMPTY_MESSAGE', 'binary holds no octets');
    return { body, dataCoding: BINARY_CODING };
  }
  const text = r.text!;
  if (text.length === 0) throw badField(`${path}text`, 'EMPTY_MESSAGE', 'text is empty');
  const encoding = r.encoding ?? 'auto';
  if (encoding === 'gsm7' && !canEncodeGsm(text)) {
    throw badField(`${path}text`, 'UNENCODABLE_TEXT', 'text has characters outside the GSM 03.38 alphabet; send it with encoding ucs2 or auto');
  }
  const dataCoding = encoding === 'auto' ? chooseDataCoding(text) : DATA_CODING[encoding];
  try {
    return { body: encodeText(text, dataCoding), dataCoding };
  } catch (err) {
    throw badField(`${path}text`, 'UNENCODABLE_TEXT', `${err instanceof Error ? err.message : String(err)}; send it with encoding ucs2 or auto`);
  }
}

/** An RFC 3339 instant or, for validity, whole seconds from now; undefined when absent. */
function instantOf(value: number | string | undefined, field: string, now: number, secondsAllowed: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') {
    if (!secondsAllowed || !Number.isInteger(value) || value < 1) throw badField(field, 'BAD_TIME', 'must be whole seconds from now (at least 1) or an RFC 3339 instant');
    return now + value * 1000;
  }
  // Date.parse takes many forms; only full RFC 3339 instants with a zone are meant here.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw badField(field, 'BAD_TIME', `${JSON.stringify(value)} is not an RFC 3339 instant such as 2026-12-24T18:00:00Z`);
  }
  return Date.parse(value);
}

export function acceptRequest(r: MessageRequest, ctx: RequestContext): Accepted & { kind: 'message' } {
  const path = ctx.path ?? '';
  const destination = destinationOf(r.to, `${path}to`);
  const source = sourceOf(r.from, `${path}from`);
  const { body, dataCoding } = bodyOf(r, path);
  const parts = partsFor(body.length, textAlphabet(dataCoding));
  if (parts > MAX_PARTS) throw badField(`${path}${r.text === undefined ? 'binary' : 'text'}`, 'MESSAGE_TOO_LONG', `message needs ${parts} parts, over ${MAX_PARTS}`);
  const validUntil = instantOf(r.validity, `${path}validity`, ctx.now, true);
  const schedule = instantOf(r.schedule, `${path}schedule`, ctx.now, false);
  if (validUntil !== undefined && validUntil <= ctx.now) throw badField(`${path}validity`, 'VALIDITY_PASSED', 'validity has already passed');
  // A schedule already reached means "now".
  const scheduledAt = schedule !== undefined && schedule > ctx.now ? schedule : undefined;
  if (scheduledAt !== undefined && validUntil !== undefined && scheduledAt >= validUntil) {
    throw badField(`${path}schedule`, 'SCHEDULE_AFTER_VALIDITY', 'schedule is not before validity');
  }
  const record: MessageRecord = {
    id: ctx.messageId, customer: ctx.customer, source, destination,
    serviceType: '', esmClass: 0, protocolId: 0, priority: 0,
    registeredDelivery: r.receipt === false ? 0 : 1, dataCoding,
    body: body.toString('base64'), partIds: [ctx.messageId], acceptedAt: ctx.now, node: ctx.node,
    ...(validUntil === undefined ? {} : { validUntil }),
    ...(scheduledAt === undefined ? {} : { scheduledAt }),
    ...(r.reference === undefined ? {} : { reference: r.reference }),
  };
  return { kind: 'message', record, parts };
}
