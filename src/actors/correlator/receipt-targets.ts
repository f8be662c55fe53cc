/**
 * Who is owed a receipt for a message: every id the customer was answered with, one receipt
 * each. A message joined from parts carries the ids of its parts (and of resent copies, each
 * answered with its own id); a single-part message carries its own id. Pure.
 *
 * A provider receipt is about one provider part, and the supplier may cut the message into a
 * different number of parts than the customer did (another coding, another concatenation).
 * Customer part `seq` of `total` is answered by provider part floor((seq - 1) * n / total) of
 * `n`: the same part when the counts agree (the usual case), the part carrying the same
 * stretch of text otherwise. Each customer id is assigned to exactly one provider part, so it
 * gets exactly one receipt; a provider part answering for no customer part (the provider
 * needed more parts) yields only the lifecycle event.
 */
import type { DeliveryRecord, MessageRecord, ReceiptTarget } from '../../domain/records.js';
import { wantsReceipt } from './receipt-policy.js';

export interface CustomerPart extends ReceiptTarget {
  /** 1-based, in the customer's numbering. */
  seq: number;
}

/** Every customer id of `m`, with its seq and registered_delivery. */
export function customerParts(m: MessageRecord): CustomerPart[] {
  const ids = [...m.partIds, ...(m.duplicatePartIds ?? [])];
  const info = m.partReceipts;
  if (info && info.length === ids.length) {
    return ids.map((id, i) => ({ id, seq: info[i]!.seq, registeredDelivery: info[i]!.registeredDelivery }));
  }
  // Written without per-part details (a single part, or an older record): the seqs are the
  // present ones in order, and every part asked what the message asks.
  const missing = new Set(m.incomplete?.missing ?? []);
  const seqs: number[] = [];
  for (let seq = 1; seqs.length < m.partIds.length; seq++) if (!missing.has(seq)) seqs.push(seq);
  return ids.map((id, i) => ({ id, seq: seqs[i] ?? 1, registeredDelivery: m.registeredDelivery }));
}

/** The customer's total part count: the parts present plus the ones that never came. */
function customerTotal(m: MessageRecord): number {
  return Math.max(1, m.partIds.length + (m.incomplete?.missing.length ?? 0));
}

/** For each of `providerParts` parts (in order), the customer ids its receipt answers for. */
export function targetsPerProviderPart(m: MessageRecord, providerParts: number): ReceiptTarget[][] {
  const n = Math.max(1, providerParts);
  const total = customerTotal(m);
  const out: ReceiptTarget[][] = Array.from({ length: n }, () => []);
  for (const p of customerParts(m)) {
    const i = Math.min(n - 1, Math.floor(((p.seq - 1) * n) / total));
    out[i]!.push({ id: p.id, registeredDelivery: p.registeredDelivery });
  }
  return out;
}

/**
 * A receipt for each customer id of `m` whose registered_delivery asks for one with `stat`:
 * for outcomes that concern the whole message at once (unroutable, refused by the provider).
 */
export function receiptsForMessage(m: MessageRecord, stat: string, err: string, now: number): DeliveryRecord[] {
  return customerParts(m).filter((p) => wantsReceipt(p.registeredDelivery, stat)).map((p) => ({
    kind: 'receipt', customer: m.customer, messageId: p.id, source: m.source, destination: m.destination,
    stat, err, submittedAt: m.acceptedAt, doneAt: now, createdAt: now, ...(m.dlr ? { dlr: m.dlr } : {}),
  }));
}
