/**
 * The fault run's verdict from what was observed. Pure: the harness reads the load generator's
 * report, the topics and the simulators, and this decides what was lost or doubled.
 */
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
  /** Gateway message ids of every `submitted` event (one per message sent to a provider). */
  submittedIds: readonly string[];
  /** Submits each provider simulator received. */
  providerSubmits: number;
  /** Upper bound on what was in flight to providers on the killed nodes: providers × window per kill. */
  inFlightBound: number;
  recoveriesMs: readonly number[];
}

export interface Verdict {
  ok: boolean;
  lost: number;
  wholeMessageDuplicates: number;
  providerDuplicates: number;
  inFlightBound: number;
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
  const providerDuplicates = duplicates(o.submittedIds);
  const reasons: string[] = [];
  if (o.accepted === 0) reasons.push('nothing was accepted');
  if (lost > 0) reasons.push(`${lost} accepted messages never came back with a receipt`);
  if (wholeMessageDuplicates > 0) reasons.push(`${wholeMessageDuplicates} duplicates in the whole-messages topic`);
  if (providerDuplicates > o.inFlightBound) reasons.push(`${providerDuplicates} duplicates towards providers, more than the ${o.inFlightBound} that could have been in flight at the crashes`);
  return {
    ok: reasons.length === 0, lost, wholeMessageDuplicates, providerDuplicates, inFlightBound: o.inFlightBound,
    receiptsDuplicated: o.receiptsDuplicated, receiptsUnknown: o.receiptsUnknown, submitsUnanswered: o.submitsUnanswered,
    maxRecoveryMs: o.recoveriesMs.length === 0 ? null : Math.max(...o.recoveriesMs), reasons,
  };
}
