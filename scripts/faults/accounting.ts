/**
 * The fault run's verdict from what was observed. Pure: the harness reads the load generator's
 * report, the topics and the simulators, and this decides what was lost or doubled.
 */
import { concatInfoOf } from '../../src/smpp/udh.js';
import type { Pdu } from '../../src/smpp/pdu.js';

/**
 * The key of a submit_sm a provider took: its destination (the harness sends every message to
 * its own, `--unique-destinations`), or null for a part other than the first: a message is
 * counted once, by its first part, and a message sent again sends its first part again.
 */
export function submitKey(pdu: Pick<Pdu, 'destination_addr' | 'esm_class' | 'short_message' | 'message_payload' | 'sar_msg_ref_num' | 'sar_total_segments' | 'sar_segment_seqnum'>): string | null {
  const concat = concatInfoOf(pdu);
  if (concat && concat.seq !== 1) return null;
  return pdu.destination_addr ?? '';
}

/** The key of a message routed to a provider (a provider-outgoing-messages record). */
export function routedKey(m: { destination: { addr: string } }): string {
  return m.destination.addr;
}

/** The supplier group's committed offsets in provider-outgoing-messages when a node died. */
export interface Crash {
  at: number;
  committed: ReadonlyMap<number, bigint>;
}

export interface RoutedEntry {
  partition: number;
  offset: bigint;
  key: string;
}

export interface ProviderSubmit {
  key: string | null;
  at: number;
}

/**
 * Messages in flight to a provider at a crash: a provider had taken them before the crash, but
 * their supplier offset was not committed yet, so whichever node owns the partition next sends
 * them again. These are the duplicates a crash may cause; any more are the gateway's fault.
 */
export function inFlightAt(crash: Crash, routed: readonly RoutedEntry[], submits: readonly ProviderSubmit[]): number {
  const sent = new Set<string>();
  for (const s of submits) if (s.key !== null && s.at <= crash.at) sent.add(s.key);
  let n = 0;
  for (const r of routed) if (r.offset >= (crash.committed.get(r.partition) ?? 0n) && sent.has(r.key)) n++;
  return n;
}
export interface Observed {
  /** Messages the customers were given an id for (parts counted), and their receipts. */
  accepted: number;
  receiptsMissing: number;
  receiptsDuplicated: number;
  /** Receipts for ids the customers never saw (a submit written but its answer lost in a crash). */
  receiptsUnknown: number;
  submitsUnanswered: number;
  /** Keys of customer-incoming-messages (first writes, not failover re-routes), with repeats. */
  wholeMessageKeys: readonly string[];
  /** Gateway message ids of every `submitted` event (the gateway's own count, a cross-check). */
  submittedIds: readonly string[];
  /** `submitKey` of every submit the providers took. */
  providerSubmitKeys: readonly (string | null)[];
  /**
   * Messages in flight to providers at the crashes (`inFlightAt`, summed over node kills) and
   * at provider drops (submits the gateway sent again not knowing whether the provider had them).
   */
  inFlight: number;
  recoveriesMs: readonly number[];
}

export interface Verdict {
  ok: boolean;
  lost: number;
  wholeMessageDuplicates: number;
  providerDuplicates: number;
  inFlight: number;
  /** Messages with more than one `submitted` event: the gateway's own count of provider duplicates. */
  submittedTwice: number;
  receiptsDuplicated: number;
  receiptsUnknown: number;
  submitsUnanswered: number;
  maxRecoveryMs: number | null;
  reasons: string[];
}

export function duplicates(keys: readonly string[]): number {
  const seen = new Set<string>();
  let dups = 0;
  for (const k of keys) {
    if (seen.has(k)) dups++;
    else seen.add(k);
  }
  return dups;
}

export function judge(o: Observed): Verdict {
  const lost = o.receiptsMissing;
  const wholeMessageDuplicates = duplicates(o.wholeMessageKeys);
  const providerDuplicates = duplicates(o.providerSubmitKeys.filter((k): k is string => k !== null));
  const reasons: string[] = [];
  if (o.accepted === 0) reasons.push('nothing was accepted');
  if (lost > 0) reasons.push(`${lost} accepted messages never came back with a receipt`);
  if (wholeMessageDuplicates > 0) reasons.push(`${wholeMessageDuplicates} duplicates in the whole-messages topic`);
  if (providerDuplicates > o.inFlight) reasons.push(`${providerDuplicates} duplicates towards providers, more than the ${o.inFlight} in flight at the crashes`);
  return {
    ok: reasons.length === 0, lost, wholeMessageDuplicates, providerDuplicates, inFlight: o.inFlight, submittedTwice: duplicates(o.submittedIds),
    receiptsDuplicated: o.receiptsDuplicated, receiptsUnknown: o.receiptsUnknown, submitsUnanswered: o.submitsUnanswered,
    maxRecoveryMs: o.recoveriesMs.length === 0 ? null : Math.max(...o.recoveriesMs), reasons,
  };
}
