/**
 * Receipts and MO as JSON POSTs to a customer's URL (`customers[].webhook`), the HTTP
 * customer's counterpart of deliver_sm. They come from the same durable outbox as SMPP
 * deliveries (the delivery stage): a POST not answered 2xx within the delivery response timeout
 * is held and tried again, in order, until the retention passes; a node that dies with events
 * pending leaves them in Kafka and Redis for the next owner. So at least once: the receiver
 * tells a repeat by `X-Smsgw-Event-Id`, the same for every try of one event.
 *
 * Each body is signed: `X-Smsgw-Signature: sha256=<hex HMAC-SHA256 of the body with the
 * customer's secret>`.
 */
import { createHash, createHmac } from 'node:crypto';
import type { WebhookConfig } from '../config/types.js';
import type { OutboxRecord } from '../domain/records.js';
import { UnavailableError, errorMessage } from '../errors.js';
import { decodeText } from '../smpp/encoding.js';
import { httpCall } from './outbound.js';

export interface ReceiptEvent {
  type: 'receipt';
  /** The message id the customer was given. */
  id: string;
  stat: string;
  err: string;
  /** The SMS parts the message was sent as (absent when it never reached a provider). */
  parts?: number;
  from: string;
  to: string;
  submittedAt: string;
  doneAt: string;
}

export interface MoEvent {
  type: 'mo';
  id: string;
  from: string;
  to: string;
  /** The text, when the data coding is a text one; otherwise `binary` (base64). */
  text?: string;
  binary?: string;
  receivedAt: string;
}

export type WebhookEvent = ReceiptEvent | MoEvent;

/** The same for every try of one outbox record: it is the digest of the record as Kafka holds it. */
export function eventId(record: OutboxRecord): string {
  return createHash('sha256').update(JSON.stringify(record)).digest('hex').slice(0, 32);
}

export function webhookEvent(r: OutboxRecord): WebhookEvent {
  const iso = (ms: number) => new Date(ms).toISOString();
  if (r.kind === 'receipt') {
    return {
      type: 'receipt', id: r.messageId, stat: r.stat, err: r.err, ...(r.parts ? { parts: r.parts } : {}),
      from: r.source.addr, to: r.destination.addr, submittedAt: iso(r.submittedAt), doneAt: iso(r.doneAt),
    };
  }
  const octets = Buffer.from(r.body, 'base64');
  // A header (concatenation, ports) is not text: such an MO goes as octets.
  const text = r.esmClass & 0x40 ? undefined : decodeText(octets, r.dataCoding);
  return {
    type: 'mo', id: r.messageId, from: r.source.addr, to: r.destination.addr,
    ...(text === undefined ? { binary: r.body } : { text }), receivedAt: iso(r.createdAt),
  };
}

export function signature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** POSTs one outbox record; resolves on a 2xx answer, rejects (retriable) otherwise. */
export async function postWebhook(hook: WebhookConfig, record: OutboxRecord, timeoutMs: number): Promise<void> {
  const body = JSON.stringify(webhookEvent(record));
  let status: number;
  try {
    status = await httpCall('POST', hook.url, {
      'content-type': 'application/json',
      'x-smsgw-event-id': eventId(record),
      'x-smsgw-signature': signature(body, hook.secret),
      'user-agent': 'smsgw-webhook',
    }, body, timeoutMs);
  } catch (err) {
    throw new UnavailableError('WEBHOOK_UNREACHABLE', `webhook of ${record.customer} not reached: ${errorMessage(err)}`, err);
  }
  if (status < 200 || status > 299) throw new UnavailableError('WEBHOOK_REFUSED', `webhook of ${record.customer} answered ${status}`);
}
