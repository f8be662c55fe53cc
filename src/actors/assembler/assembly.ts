/**
 * The assembler's aggregation logic for one input partition: parts in, whole messages, failed
 * receipts, lifecycle events and changelog writes out. No I/O, no clock, no randomness: time is
 * the `now` the caller passes (the input record's timestamp), so re-running the same input on a
 * state restored from the changelog writes the same outputs and the same changelog values,
 * which exactly-once replay after a crash relies on.
 *
 * For speed the state is updated in place and returned (its group map can hold a partition's
 * hundred thousand entries; copying it per part would dominate); a caller keeps only the
 * returned state. The values inside it are never mutated once stored, so outputs stay valid.
 *
 * Decisions on the edge cases (each has a spec in spec/unit/assembler/):
 * - Group: the part's `partKey` (customer, source, destination, ref, total). Its parts share a
 *   partition, so one actor sees them all, in any order and from any bind or node.
 * - Message id: the id of the message's lowest part (part 1 when complete). The customer was
 *   answered that id, it is unique, and it is the same on every replay (a fresh id would not be).
 * - Invalid part (total 0 or > 255, seq 0 or > total, reference out of its range): refused on
 *   its own with a REJECTD receipt; state untouched.
 * - total 1: passes straight through as a message; no state, no changelog.
 * - Duplicate (same seq, same content as a held part): not counted; its id goes into the
 *   entry's `dups` and the message's `duplicatePartIds`, so its receipt is owed like the others.
 * - Same seq, other content, while open: the customer reused the reference before the old
 *   message completed (an 8-bit reference wraps after 256 messages; the old one lost a part).
 *   The old entry is closed as if it had timed out (reason `superseded`) and the part opens a
 *   new entry: better than refusing the new message, and never mixes two messages' parts.
 * - Reference reused after completion: a completed group leaves a memory under its key (message
 *   id, completion time, a digest per part) for `recentMs`. A part arriving with no open entry
 *   always opens a new one (a new message is never lost); if it equals the remembered part with
 *   its seq, it is marked `dupOf` (maybe a late resend). How marked parts settle:
 *     - the entry completes with every part marked: the whole message was sent again, as a
 *       client does when it retransmits its unanswered window after a reconnect. It is not sent
 *       twice; each part is reported a duplicate of the remembered message and, since the
 *       customer holds its id, gets a REJECTD receipt with err 005 (the message went out under
 *       its first ids). (The cost: the same text deliberately sent again under the same
 *       reference within `recentMs` is not sent, and says so; a client allocating references
 *       normally cannot do that.)
 *     - the entry completes with some parts unmarked: it is a new message. A new message sharing
 *       a part with the last one under its key (templated text, a footer) is far likelier than
 *       a late resend landing in the gap between a new message's parts, and holding such
 *       messages for the timeout would delay them all;
 *     - an unmarked part comes with the same seq: the marked one was the late resend; it is
 *       replaced and reported as a duplicate (REJECTD, err 005);
 *     - a marked part comes for a seq an unmarked part holds: it is the late resend, dropped
 *       (REJECTD, err 005);
 *     - the entry times out with only marked parts: they were late resends; reported as
 *       duplicates of the remembered message (REJECTD, err 005), nothing released.
 *   Why not simply drop a part equal to a remembered one: a new message can share a part with
 *   the last one (a fixed footer, the same text sent twice), and dropping it would lose the new
 *   message. Why not remember forever: the memory costs a write and a tombstone per message and
 *   memory per group; `recentMs` covers a customer's resend delay, and `maxRecentGroups` caps it.
 * - Part count disagreeing between parts of one (customer, source, destination, ref): total is in
 *   the key, so a disagreeing part is a different group, possibly in another partition; a check
 *   here could only ever see some conflicts. It is kept apart: it cannot complete, so the timeout
 *   answers it (failed receipts, or released incomplete, per `onTimeout`), and its siblings are
 *   not disturbed.
 * - Parts that never come: after `timeoutMs` from the first arrival, per `onTimeout`: `reject`
 *   (REJECTD receipts for the parts that asked, nothing sent) or `release` (what arrived, with
 *   `incomplete: { missing }`). Entries made only of marked parts settle as duplicates (above).
 * - Bound: beyond `maxOpenEntries` open entries, opening one more first closes the oldest
 *   (smallest first arrival, then key) with the timeout outcome, reason `evicted`: the oldest
 *   is nearest its timeout and the most likely abandoned; refusing the newest instead would fail
 *   messages that are arriving now and likely to complete.
 * - Completed, expired, evicted entries and stale memories are removed; a key left with neither
 *   is tombstoned, so the changelog compacts to the open work.
 */
import { partKey, type PartRecord } from '../../domain/records.js';
import { DeadlineQueue } from './deadline-queue.js';
import { CHANGELOG_VERSION, checkGroupValue, partDigest, type ChangelogRecord, type DoneMemory, type GroupHead, type GroupValue, type OpenEntry, type StoredDup, type StoredPart } from './changelog.js';
import type { AssemblerOptions } from './options.js';
import { REJECT_ERR, buildMessage, event, failedReceipt, type AssemblyOutput, type CloseReason } from './outputs.js';

export interface AssemblyState {
  /** Per group key, exactly the value last written to the changelog. */
  readonly groups: Map<string, GroupValue>;
  openCount: number;
  doneCount: number;
  /** (firstAt, key) of open entries; lazily cleaned. */
  readonly openQueue: DeadlineQueue;
  /** (done.at, key) of completion memories; lazily cleaned. */
  readonly doneQueue: DeadlineQueue;
}

export interface Step {
  state: AssemblyState;
  outputs: AssemblyOutput[];
}

type Options = Readonly<AssemblerOptions>;

const PRUNE_SLACK = 1024;

export function emptyState(): AssemblyState {
  return { groups: new Map(), openCount: 0, doneCount: 0, openQueue: new DeadlineQueue(), doneQueue: new DeadlineQueue() };
}

/** The state a sequence of changelog records leaves: latest value per key wins, null deletes. */
export function restore(records: Iterable<ChangelogRecord>): AssemblyState {
  const latest = new Map<string, GroupValue>();
  for (const { key, value } of records) {
    if (value === null) latest.delete(key);
    else latest.set(key, checkGroupValue(key, value));
  }
  const state = emptyState();
  for (const [key, value] of latest) {
    state.groups.set(key, value);
    if (value.open) {
      state.openCount++;
      state.openQueue.push(value.open.firstAt, key);
    }
    if (value.done) {
      state.doneCount++;
      state.doneQueue.push(value.done.at, key);
    }
  }
  return state;
}

/** Adds one part. See the module comment for what each case does. */
export function applyPart(state: AssemblyState, part: PartRecord, now: number, options: Options): Step {
  const run = new Run(state, now, options);
  run.part(part);
  return { state, outputs: run.finish() };
}

/**
 * Closes the open entries whose first part came `timeoutMs` or longer before `now`, with the
 * `onTimeout` outcome, and forgets completion memories older than `recentMs`. For replay to
 * repeat its outputs the caller passes a `now` it can repeat; a wall-clock tick is also safe,
 * since what it closes is committed with its changelog writes in one transaction.
 */
export function expire(state: AssemblyState, now: number, options: Options): Step {
  const run = new Run(state, now, options);
  run.expire();
  return { state, outputs: run.finish() };
}

/** One call's work: collects outputs, and the keys whose value changed, in a fixed order. */
class Run {
  private readonly outputs: AssemblyOutput[] = [];
  private readonly touched = new Set<string>();

  constructor(private readonly s: AssemblyState, private readonly now: number, private readonly o: Options) {}

  finish(): AssemblyOutput[] {
    for (const key of this.touched) this.outputs.push({ kind: 'changelog', key, value: this.s.groups.get(key) ?? null });
    // Most open entries complete long before their deadline, leaving a stale pair each; drop
    // them once they outnumber the live ones, so the queues stay small even between expiries.
    // Which pairs are stale never changes an output: every pop is checked against the state.
    const { openQueue, doneQueue, groups, openCount, doneCount } = this.s;
    if (openQueue.size > 2 * openCount + PRUNE_SLACK) openQueue.prune((d) => groups.get(d.key)?.open?.firstAt === d.at);
    if (doneQueue.size > 2 * doneCount + PRUNE_SLACK) doneQueue.prune((d) => groups.get(d.key)?.done?.at === d.at);
    return this.outputs;
  }

  part(p: PartRecord): void {
    const invalid = invalidReason(p);
    if (invalid) return this.refusePart(p, invalid);
    const stored = storedPart(p);
    if (p.total === 1) {
      const m = buildMessage(headOf(p), [stored], undefined);
      this.outputs.push({ kind: 'message', key: m.id, message: m });
      this.emitEvent(m.id, 'assembled', { parts: 1 });
      return;
    }
    const key = partKey(p);
    const group = this.s.groups.get(key);
    const done = group?.done;
    if (done && this.now - done.at < this.o.recentMs && done.digests[p.seq - 1] === partDigest({ body: p.body, dataCoding: p.dataCoding, udh: p.udhOther })) {
      stored.dupOf = done.id;
    }
    const open = group?.open;
    if (!open) return this.open(key, p, stored);

    const i = open.parts.findIndex((q) => q.seq >= p.seq);
    const held = open.parts[i];
    if (!held || held.seq !== p.seq) {
      const parts = [...open.parts];
      parts.splice(i < 0 ? parts.length : i, 0, stored);
      return this.update(key, { ...open, head: p.seq === 1 ? headOf(p) : open.head, parts });
    }
    if (held.body === stored.body && (held.udh ?? '') === (stored.udh ?? '') && open.head.dataCoding === p.dataCoding) {
      const dup: StoredDup = { seq: p.seq, id: p.partId, at: p.acceptedAt, rd: p.registeredDelivery };
      this.emitEvent(p.partId, 'part_duplicate', { group: key, seq: p.seq, sameAs: held.id });
      return this.update(key, { ...open, dups: [...(open.dups ?? []), dup] });
    }
    if (held.dupOf !== undefined && stored.dupOf === undefined) {
      this.emitEvent(held.id, 'part_duplicate', { group: key, seq: held.seq, duplicateOf: held.dupOf });
      this.emitReceipt(failedReceipt(open.head, held, REJECT_ERR.duplicate, this.now));
      const parts = [...open.parts];
      parts[i] = stored;
      return this.update(key, { ...open, head: p.seq === 1 ? headOf(p) : open.head, parts });
    }
    if (stored.dupOf !== undefined) {
      this.emitEvent(p.partId, 'part_duplicate', { group: key, seq: p.seq, duplicateOf: stored.dupOf });
      this.emitReceipt(failedReceipt(p, stored, REJECT_ERR.duplicate, this.now));
      return;
    }
    this.close(key, 'superseded');
    this.open(key, p, stored);
  }

  expire(): void {
    const { openQueue, doneQueue, groups } = this.s;
    for (let d = openQueue.peek(); d && this.now - d.at >= this.o.timeoutMs; d = openQueue.peek()) {
      openQueue.pop();
      if (groups.get(d.key)?.open?.firstAt === d.at) this.close(d.key, 'timeout');
    }
    for (let d = doneQueue.peek(); d && this.now - d.at >= this.o.recentMs; d = doneQueue.peek()) {
      doneQueue.pop();
      if (groups.get(d.key)?.done?.at === d.at) this.forget(d.key);
    }
  }

  private open(key: string, p: PartRecord, stored: StoredPart): void {
    while (this.s.openCount >= this.o.maxOpenEntries) {
      const oldest = this.s.openQueue.pop();
      if (!oldest) break;
      if (this.s.groups.get(oldest.key)?.open?.firstAt === oldest.at) this.close(oldest.key, 'evicted');
    }
    this.s.openCount++;
    this.s.openQueue.push(this.now, key);
    this.update(key, { firstAt: this.now, head: headOf(p), parts: [stored] });
  }

  /** Stores a changed open entry, or completes it when every part is there. */
  private update(key: string, entry: OpenEntry): void {
    const prev = this.s.groups.get(key);
    if (entry.parts.length < entry.head.total) {
      this.set(key, prev?.done ? { v: CHANGELOG_VERSION, open: entry, done: prev.done } : { v: CHANGELOG_VERSION, open: entry });
      return;
    }
    this.s.openCount--;
    if (entry.parts.every((q) => q.dupOf !== undefined)) {
      this.set(key, prev?.done ? { v: CHANGELOG_VERSION, done: prev.done } : null);
      return this.settleAsResends(key, entry);
    }
    const m = buildMessage(entry.head, entry.parts, entry.dups);
    this.outputs.push({ kind: 'message', key: m.id, message: m });
    this.emitEvent(m.id, 'assembled', { parts: entry.parts.length, duplicates: entry.dups?.length ?? 0 });
    if (this.o.recentMs === 0 || this.o.maxRecentGroups === 0) {
      if (prev?.done) this.s.doneCount--;
      this.set(key, null);
      return;
    }
    const head = entry.head;
    const done: DoneMemory = {
      id: m.id,
      at: this.now,
      digests: entry.parts.map((q) => partDigest({ body: q.body, dataCoding: head.dataCoding, udh: q.udh })),
    };
    if (!prev?.done) this.s.doneCount++;
    this.s.doneQueue.push(this.now, key);
    this.set(key, { v: CHANGELOG_VERSION, done });
    while (this.s.doneCount > this.o.maxRecentGroups) {
      const oldest = this.s.doneQueue.pop();
      if (!oldest) break;
      if (this.s.groups.get(oldest.key)?.done?.at === oldest.at) this.forget(oldest.key);
    }
  }

  /** Ends an unfinished entry with the timeout outcome. */
  private close(key: string, reason: CloseReason): void {
    const group = this.s.groups.get(key)!;
    const entry = group.open!;
    this.s.openCount--;
    this.set(key, group.done ? { v: CHANGELOG_VERSION, done: group.done } : null);
    const { head, parts } = entry;
    const dups = entry.dups ?? [];

    if (parts.every((q) => q.dupOf !== undefined)) return this.settleAsResends(key, entry);
    const missing: number[] = [];
    for (let seq = 1, i = 0; seq <= head.total; seq++) {
      if (parts[i]?.seq === seq) i++;
      else missing.push(seq);
    }
    const detail = { group: key, reason, received: parts.length, missing: missing.join(','), partIds: [...parts, ...dups].map((q) => q.id).join(',') };
    if (this.o.onTimeout === 'release') {
      const m = buildMessage(head, parts, entry.dups, missing);
      this.outputs.push({ kind: 'message', key: m.id, message: m });
      this.emitEvent(m.id, 'assembly_expired', { ...detail, outcome: 'released' });
      return;
    }
    this.emitEvent(parts[0]!.id, 'assembly_expired', { ...detail, outcome: 'rejected' });
    for (const q of [...parts, ...dups]) this.emitReceipt(failedReceipt(head, q, REJECT_ERR[reason], this.now));
  }

  /**
   * An entry made only of resends of the remembered message: nothing is sent again. Each part
   * is reported a duplicate of that message; its own copies (`dups`) were reported when they
   * came, as copies of it (`sameAs`), so each id is reported once. The customer was answered
   * with these ids too, so each gets a receipt: REJECTD, err 005 (the message went out once,
   * under its first ids), rather than none ever.
   */
  private settleAsResends(key: string, entry: OpenEntry): void {
    for (const q of entry.parts) this.emitEvent(q.id, 'part_duplicate', { group: key, seq: q.seq, duplicateOf: q.dupOf! });
    for (const q of [...entry.parts, ...(entry.dups ?? [])]) this.emitReceipt(failedReceipt(entry.head, q, REJECT_ERR.duplicate, this.now));
  }

  /** Drops a key's completion memory. */
  private forget(key: string): void {
    const group = this.s.groups.get(key)!;
    this.s.doneCount--;
    this.set(key, group.open ? { v: CHANGELOG_VERSION, open: group.open } : null);
  }

  private refusePart(p: PartRecord, reason: string): void {
    this.emitEvent(p.partId, 'part_rejected', { reason, ref: p.ref, total: p.total, seq: p.seq });
    this.emitReceipt(failedReceipt(p, { id: p.partId, at: p.acceptedAt, rd: p.registeredDelivery }, REJECT_ERR.invalid, this.now));
  }

  private set(key: string, value: GroupValue | null): void {
    if (value === null) this.s.groups.delete(key);
    else this.s.groups.set(key, value);
    this.touched.add(key);
  }

  private emitEvent(id: string, type: Parameters<typeof event>[1], detail: Parameters<typeof event>[4]): void {
    this.outputs.push(event(id, type, this.now, this.o.nodeId, detail));
  }

  private emitReceipt(r: ReturnType<typeof failedReceipt>): void {
    if (r) this.outputs.push({ kind: 'receipt', key: r.customer, receipt: r });
  }
}

function invalidReason(p: PartRecord): string | null {
  if (!Number.isInteger(p.total) || p.total < 1 || p.total > 255) return 'invalid_total';
  if (!Number.isInteger(p.seq) || p.seq < 1 || p.seq > p.total) return 'invalid_seq';
  const maxRef = p.scheme === 'udh8' ? 0xff : 0xffff;
  if (!Number.isInteger(p.ref) || p.ref < 0 || p.ref > maxRef) return 'invalid_ref';
  return null;
}

function headOf(p: PartRecord): GroupHead {
  const head: GroupHead = {
    customer: p.customer, source: p.source, destination: p.destination, serviceType: p.serviceType,
    esmClass: p.esmClass, protocolId: p.protocolId, priority: p.priority, dataCoding: p.dataCoding,
    node: p.node, scheme: p.scheme, ref: p.ref, total: p.total,
  };
  if (p.validUntil !== undefined) head.validUntil = p.validUntil;
  if (p.scheduledAt !== undefined) head.scheduledAt = p.scheduledAt;
  return head;
}

function storedPart(p: PartRecord): StoredPart {
  const s: StoredPart = { seq: p.seq, id: p.partId, body: p.body, at: p.acceptedAt, rd: p.registeredDelivery };
  if (p.udhOther !== undefined) s.udh = p.udhOther;
  return s;
}
