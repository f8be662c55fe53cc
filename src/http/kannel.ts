/**
 * Kannel's `/cgi-bin/sendsms`, so integrations written for Kannel move over unchanged: the same
 * parameters (query string or form body) and the same answers, plain text, with Kannel's
 * statuses (202 `0: Accepted for delivery`, 403 `Authorization failed for sendsms`, 400 with a
 * reason). Pure: parameters in, the message or the answer out.
 *
 * coding: 0 GSM 7-bit (default; UCS-2 when the text does not fit, as the REST API does), 1
 * 8-bit binary (text holds the octets), 2 UCS-2. udh: the octets of a user data header (no
 * concatenation: send the whole text and the gateway splits it). validity and deferred:
 * minutes from now. dlr-mask and dlr-url: the receipt told by calling the URL (dlr-url.ts).
 */
import { Buffer } from 'node:buffer';
import type { MessageRecord } from '../domain/records.js';
import { parseUdh, IEI_CONCAT_16BIT, IEI_CONCAT_8BIT } from '../smpp/udh.js';
import { acceptRequest, type RequestContext } from './message-request.js';
import { HttpError } from './http-error.js';
import { registeredDeliveryFor } from './dlr-url.js';
import type { Accepted } from '../actors/session/submit.js';

export type KannelParams = Record<string, string | undefined>;

export const KANNEL_ACCEPTED = '0: Accepted for delivery';
export const KANNEL_AUTH_FAILED = 'Authorization failed for sendsms';

/** An answer in Kannel's words. */
export class KannelAnswer extends HttpError {
  constructor(status: number, text: string) {
    super(status, 'KANNEL', text);
  }
}

/** The username and password (Kannel also takes user and pass). */
export function kannelCredentials(p: KannelParams): { username: string; password: string } | undefined {
  const username = p.username ?? p.user;
  const password = p.password ?? p.pass;
  return username === undefined || password === undefined ? undefined : { username, password };
}

/** Parameters as Kannel reads them: from the query string, or a form body. Latin-1 for the octets of coding 1 and udh. */
export function kannelParams(query: string): { params: KannelParams; octets: (name: string) => Buffer | undefined } {
  const params: KannelParams = {};
  for (const [k, v] of new URLSearchParams(query)) params[k] ??= v;
  const octets = (name: string): Buffer | undefined => {
    for (const pair of query.split('&')) {
      const eq = pair.indexOf('=');
      const k = percentOctets(eq < 0 ? pair : pair.slice(0, eq)).toString('latin1');
      if (k === name) return percentOctets(eq < 0 ? '' : pair.slice(eq + 1));
    }
    return undefined;
  };
  return { params, octets };
}

/** %XX escapes as the octets they are (not as UTF-8 text). */
function percentOctets(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(Number.parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === '+') out.push(0x20);
    else out.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(out);
}

const MAX_SINGLE_OCTETS = 140;

export function kannelMessage(p: KannelParams, octets: (name: string) => Buffer | undefined, ctx: RequestContext): Accepted & { kind: 'message' } {
  const to = p.to?.trim() ?? '';
  if (to === '') throw new KannelAnswer(400, 'Empty receiver number not allowed, rejected');
  const mask = p['dlr-mask'] === undefined || p['dlr-mask'] === '' ? 0 : Number(p['dlr-mask']);
  if (!Number.isInteger(mask) || mask < 0 || mask > 31) throw new KannelAnswer(400, `Invalid dlr-mask ${p['dlr-mask']}, rejected`);
  const url = p['dlr-url'];
  if (url !== undefined && url !== '' && !/^https?:\/\/\S+$/.test(url)) throw new KannelAnswer(400, 'dlr-url must be an http:// or https:// URL, rejected');
  const coding = p.coding ?? '0';
  if (!['0', '1', '2'].includes(coding)) throw new KannelAnswer(400, `Invalid coding ${coding}, rejected`);
  const minutes = (name: string): number | undefined => {
    const v = p[name];
    if (v === undefined || v === '') return undefined;
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new KannelAnswer(400, `Invalid ${name} ${v} (minutes), rejected`);
    return Number(v) * 60;
  };
  const validity = minutes('validity');
  const deferred = minutes('deferred');
  const udh = octets('udh');
  const text = p.text ?? '';
  if (text === '' && (udh === undefined || udh.length === 0)) throw new KannelAnswer(400, 'Empty text not allowed, rejected.');
  // Septet packing around a header is the SMSC's business; octets and UCS-2 carry one as is.
  if (udh !== undefined && udh.length > 0 && coding === '0') throw new KannelAnswer(400, 'UDH needs coding 1 (8-bit) or 2 (UCS-2), rejected');
  try {
    const accepted = acceptRequest({
      to, ...(p.from === undefined ? {} : { from: p.from }),
      ...(coding === '1' ? { binary: (octets('text') ?? Buffer.alloc(0)).toString('base64') } : { text, encoding: coding === '2' ? 'ucs2' : 'auto' }),
      ...(validity === undefined ? {} : { validity }),
      ...(deferred === undefined ? {} : { schedule: new Date(ctx.now + deferred * 1000).toISOString() }),
    }, ctx);
    // As Kannel: a mask asks for reports; without a URL they go the customer's usual way.
    const withDlr: Accepted & { kind: 'message' } = mask === 0 ? accepted : {
      ...accepted,
      record: { ...accepted.record, registeredDelivery: registeredDeliveryFor(mask), ...(url ? { dlr: { url, mask } } : {}) },
    };
    return udh === undefined || udh.length === 0 ? withDlr : withUdh(withDlr, udh);
  } catch (err) {
    if (err instanceof HttpError && !(err instanceof KannelAnswer)) throw new KannelAnswer(err.status, `${err.message}, rejected`);
    throw err;
  }
}

/** The header goes in front of the user data, flagged in esm_class; the whole must fit one SMS. */
function withUdh(accepted: Accepted & { kind: 'message' }, udh: Buffer): Accepted & { kind: 'message' } {
  const parsed = parseUdh(udh);
  if (!parsed || parsed.udhLength !== udh.length) throw new KannelAnswer(400, 'UDH field misformed, rejected');
  if (parsed.elements.some((e) => e.iei === IEI_CONCAT_8BIT || e.iei === IEI_CONCAT_16BIT)) {
    throw new KannelAnswer(400, 'UDH with concatenation is not taken: send the whole text and the gateway splits it, rejected');
  }
  const body = Buffer.concat([udh, Buffer.from(accepted.record.body, 'base64')]);
  if (body.length > MAX_SINGLE_OCTETS) throw new KannelAnswer(400, `UDH and text are ${body.length} octets, over the ${MAX_SINGLE_OCTETS} of one message, rejected`);
  const record: MessageRecord = { ...accepted.record, body: body.toString('base64'), esmClass: accepted.record.esmClass | 0x40 };
  return { kind: 'message', record, parts: 1 };
}
