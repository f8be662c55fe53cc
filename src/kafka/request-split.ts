/**
 * How records are cut into produce requests and laid out in one. Pure. A request must stay
 * under the broker's message.max.bytes, so records go in runs bounded by bytes (and, for the
 * DurableWriter, by count); a record over a bound goes alone rather than never.
 */
import type { Message, TopicMessages } from 'kafkajs';
import type { OutRecord } from './out-record.js';

/** Well under the broker's default message.max.bytes (1 MiB) for one produce request. */
export const MAX_REQUEST_BYTES = 512 * 1024;

/** A record's share of a produce request: key, value and a fixed allowance for the rest. */
export function recordBytes(r: OutRecord): number {
  return r.key.length + (r.value === null ? 0 : typeof r.value === 'string' ? Buffer.byteLength(r.value) : r.value.length) + 64;
}

export interface RequestLimits {
  readonly maxBytes: number;
  /** Records in one request at most; no bound unless given. */
  readonly maxRecords?: number;
}

/** What an item adds to a request: an item can be a group of records that must go together. */
export interface RequestShare {
  readonly records: number;
  readonly bytes: number;
}

/**
 * How many items from `from` on go in the next request: as many as stay within both limits,
 * and always at least one record (an item over a limit goes alone); 0 only when none are left.
 */
export function takeRequest<T>(items: readonly T[], limits: RequestLimits, share: (item: T) => RequestShare, from = 0): number {
  const maxRecords = limits.maxRecords ?? Infinity;
  let records = 0;
  let bytes = 0;
  let i = from;
  for (; i < items.length; i++) {
    const s = share(items[i]!);
    if (records > 0 && (records + s.records > maxRecords || bytes + s.bytes > limits.maxBytes)) break;
    records += s.records;
    bytes += s.bytes;
  }
  return i - from;
}

const oneRecord = (r: OutRecord): RequestShare => ({ records: 1, bytes: recordBytes(r) });

/** Records in order, cut into the runs that each make one request. */
export function splitRequests(records: readonly OutRecord[], limits: RequestLimits): OutRecord[][] {
  const out: OutRecord[][] = [];
  for (let from = 0; from < records.length;) {
    const n = takeRequest(records, limits, oneRecord, from);
    out.push(records.slice(from, from + n));
    from += n;
  }
  return out;
}

/** One request's records grouped by topic, in order, as kafkajs sendBatch takes them. */
export function topicMessages(records: Iterable<OutRecord>): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const r of records) {
    let list = byTopic.get(r.topic);
    if (!list) byTopic.set(r.topic, (list = []));
    list.push({ key: r.key, value: r.value, ...(r.partition === undefined ? {} : { partition: r.partition }), ...(r.headers ? { headers: r.headers } : {}) });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
