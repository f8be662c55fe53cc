/**
 * Fetches that wait for company only while there is traffic.
 *
 * A stage member fetches "batched" (group-consumer.ts: answered at 16 KB or after 50 ms), so
 * that under load a batch holds tens of records. An idle member asks the same way twenty times
 * a second, and with five stages per worker thread that polling alone cost about a sixth of a
 * core of a node and a share of the broker (issue 15's profile). So a member whose last fetch
 * brought nothing asks to be answered at the first record instead, waiting up to IDLE_WAIT_MS:
 * an idle member asks twice a second, and the first record after a quiet spell is handed over
 * at once. The fetch after one that brought records is batched again.
 *
 * kafkajs fixes minBytes and maxWaitTime per consumer, so this wraps its ConsumerGroup's fetch
 * (installed by kafkajs.ts before kafkajs loads). Only consumers created with minBytes above 1
 * adapt; the others (replays, restores, the CLI's readers) keep what they asked for.
 */
export const IDLE_WAIT_MS = 500;

interface FetchedBatch {
  isEmptyIncludingFiltered(): boolean;
}

interface ConsumerGroupLike {
  minBytes: number;
  maxWaitTime: number;
  fetch(nodeId: number): Promise<FetchedBatch[]>;
}

interface Adaptive {
  busy: { minBytes: number; maxWaitTime: number };
  /** Per broker: whether the last fetch from it brought nothing. */
  idle: Map<number, boolean>;
}

const state = new WeakMap<object, Adaptive>();

/** The fetch parameters for a member's next fetch, given whether its last one brought records. */
export function nextFetchParameters(busy: { minBytes: number; maxWaitTime: number }, idle: boolean): { minBytes: number; maxWaitTime: number } {
  if (busy.minBytes <= 1 || !idle) return busy;
  return { minBytes: 1, maxWaitTime: Math.max(busy.maxWaitTime, IDLE_WAIT_MS) };
}

export function installAdaptiveFetch(ConsumerGroup: { prototype: ConsumerGroupLike }): void {
  const proto = ConsumerGroup.prototype as ConsumerGroupLike & { adaptiveFetchInstalled?: boolean };
  if (proto.adaptiveFetchInstalled) return;
  const original = proto.fetch;
  proto.fetch = async function adaptiveFetch(this: ConsumerGroupLike, nodeId: number): Promise<FetchedBatch[]> {
    let s = state.get(this);
    if (!s) {
      s = { busy: { minBytes: this.minBytes, maxWaitTime: this.maxWaitTime }, idle: new Map() };
      state.set(this, s);
    }
    // kafkajs reads these two after awaits inside fetch, and fetches from each broker side by
    // side: with several brokers a fetch can take another broker's setting. That costs a poll
    // or a smaller batch, never a record.
    const next = nextFetchParameters(s.busy, s.idle.get(nodeId) ?? false);
    this.minBytes = next.minBytes;
    this.maxWaitTime = next.maxWaitTime;
    const batches = await original.call(this, nodeId);
    s.idle.set(nodeId, batches.every((b) => b.isEmptyIncludingFiltered()));
    return batches;
  };
  proto.adaptiveFetchInstalled = true;
}

/** Whether kafkajs's ConsumerGroup fetches adaptively (false if kafkajs was loaded before kafkajs.ts). */
export function adaptiveFetchInstalled(ConsumerGroup: { prototype: object }): boolean {
  return (ConsumerGroup.prototype as { adaptiveFetchInstalled?: boolean }).adaptiveFetchInstalled === true;
}
