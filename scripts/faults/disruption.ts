/**
 * How long each fault disturbed the flow of messages, from the providers' side: the submits
 * they took per second, against the run's usual rate. Pure. A fault that the gateway rides
 * through (a broker paused while its partitions have other in-sync replicas, say) shows 0; one
 * that stalls a share of the traffic shows how long until the flow was back.
 */

/** Events per whole second from `startMs` (index 0) for `seconds` seconds. */
export function perSecond(times: Iterable<number>, startMs: number, seconds: number): number[] {
  const out = new Array<number>(Math.max(0, seconds)).fill(0);
  for (const t of times) {
    const i = Math.floor((t - startMs) / 1000);
    if (i >= 0 && i < out.length) out[i]!++;
  }
  return out;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface DisruptionOptions {
  /** The share of the usual rate that counts as flowing again. */
  share?: number;
  /** Consecutive seconds at that share before the flow counts as back. */
  hold?: number;
}

/**
 * Seconds from the fault (at second `atS` of `counts`) until the first `hold` consecutive
 * seconds at ≥ `share` of `usual`; null when that never came within the series. A fault that
 * hit while an earlier one still held the flow down is charged with the rest of that one too.
 */
export function disruptedSeconds(counts: readonly number[], atS: number, usual: number, o: DisruptionOptions = {}): number | null {
  const share = o.share ?? 0.8;
  const hold = o.hold ?? 3;
  const floor = usual * share;
  for (let s = Math.max(0, atS); s + hold <= counts.length; s++) {
    let ok = true;
    for (let k = 0; k < hold && ok; k++) ok = counts[s + k]! >= floor;
    if (ok) return s - atS;
  }
  return null;
}

export interface KindSummary {
  kind: string;
  count: number;
  /** Disruption in seconds: the median and the longest; null: one never recovered in the run. */
  medianS: number | null;
  maxS: number | null;
}

/** Per fault kind: how many ran, and the median and longest disruption. */
export function byKind(faults: readonly { kind: string; disruptedS: number | null }[]): KindSummary[] {
  const kinds = [...new Set(faults.map((f) => f.kind))];
  return kinds.map((kind) => {
    const of = faults.filter((f) => f.kind === kind);
    const never = of.some((f) => f.disruptedS === null);
    const values = of.map((f) => f.disruptedS ?? 0);
    return { kind, count: of.length, medianS: never ? null : median(values), maxS: never ? null : Math.max(...values) };
  });
}
