/**
 * Folding the lifecycle events of one produce request into one record. Each step of a message
 * used to cost a message-events record of its own (five of the ten records a message made);
 * the events a writer sends together now travel as one JSON array (decodeEvents reads it), so
 * their cost follows produce requests, not steps. Pure.
 */
import type { OutRecord } from './out-record.js';

/**
 * `records` with those on `topic` (a value, no partition of their own) replaced by one record
 * where the first of them stood, keyed as that one, its value their events as one JSON array.
 */
export function foldRecords(records: readonly OutRecord[], topic: string): OutRecord[] {
  let first = -1;
  let count = 0;
  for (let i = 0; i < records.length; i++) {
    if (foldable(records[i]!, topic)) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (count < 2) return [...records];
  const parts: string[] = [];
  const out: OutRecord[] = [];
  for (const r of records) {
    if (!foldable(r, topic)) {
      out.push(r);
      continue;
    }
    const json = r.value!.toString().trim();
    parts.push(json.startsWith('[') ? json.slice(1, -1) : json);
    if (parts.length === 1) out.push(r);
  }
  const at = out.indexOf(records[first]!);
  out[at] = { topic, key: records[first]!.key, value: Buffer.from(`[${parts.filter((p) => p.length > 0).join(',')}]`) };
  return out;
}

function foldable(r: OutRecord, topic: string): boolean {
  return r.topic === topic && r.partition === undefined && r.value !== null && r.headers === undefined;
}
