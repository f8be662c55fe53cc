/**
 * Kannel's delivery reports: a message sent with `dlr-url` and `dlr-mask` (sendsms) has its
 * receipt told by a GET of that URL, with Kannel's escapes filled in, for the report types
 * the mask asks for. The call goes out of the customer's durable outbox like any delivery:
 * retried in order while the URL fails, until the retention.
 *
 * Types (mask bits): 1 delivered, 2 failed, 4 buffered (an intermediate receipt), 16 rejected
 * (the provider refused the message); a rejection is told as failed (2) when the mask has no 16.
 * Escapes: %d type, %A the receipt's text, %T its time (Unix seconds), %p the destination,
 * %P the sender, %I the gateway's message id, %F the provider, %% a percent sign.
 */
import type { DeliveryRecord, DlrRequest } from '../domain/records.js';
import { UnavailableError, errorMessage } from '../errors.js';
import { httpCall } from './outbound.js';

export const DLR_DELIVERED = 1;
export const DLR_FAILED = 2;
export const DLR_BUFFERED = 4;
export const DLR_REJECTED = 16;

/** The report type of a receipt, or null when the mask does not ask for it. */
export function dlrType(stat: string, mask: number): number | null {
  let type: number;
  if (stat === 'DELIVRD') type = DLR_DELIVERED;
  else if (stat === 'ENROUTE' || stat === 'ACCEPTD' || stat === 'UNKNOWN') type = DLR_BUFFERED;
  else if (stat === 'REJECTD' && mask & DLR_REJECTED) type = DLR_REJECTED;
  else type = DLR_FAILED;
  return mask & type ? type : null;
}

/** The registered_delivery a dlr-mask needs: final receipts, and intermediate ones for 4. */
export function registeredDeliveryFor(mask: number): number {
  return (mask & (DLR_DELIVERED | DLR_FAILED | DLR_REJECTED) ? 0x01 : 0) | (mask & DLR_BUFFERED ? 0x10 : 0);
}

export function dlrUrl(dlr: DlrRequest, r: DeliveryRecord, type: number): string {
  const values: Record<string, string> = {
    d: String(type),
    A: `id:${r.messageId} stat:${r.stat} err:${r.err}`,
    T: String(Math.floor(r.doneAt / 1000)),
    p: r.destination.addr,
    P: r.source.addr,
    I: r.messageId,
    F: r.provider ?? '',
  };
  return dlr.url.replace(/%([dATpPIF%])/g, (_m, k: string) => (k === '%' ? '%' : encodeURIComponent(values[k]!)));
}

/** Calls the dlr-url for a receipt whose type the mask asks for; resolves at once for the others. */
export async function callDlrUrl(r: DeliveryRecord & { dlr: DlrRequest }, timeoutMs: number): Promise<void> {
  const type = dlrType(r.stat, r.dlr.mask);
  if (type === null) return;
  let status: number;
  try {
    status = await httpCall('GET', dlrUrl(r.dlr, r, type), { 'user-agent': 'smsgw-dlr' }, undefined, timeoutMs);
  } catch (err) {
    throw new UnavailableError('DLR_URL_UNREACHABLE', `dlr-url of ${r.customer} not reached: ${errorMessage(err)}`, err);
  }
  if (status < 200 || status > 299) throw new UnavailableError('DLR_URL_REFUSED', `dlr-url of ${r.customer} answered ${status}`);
}
