/**
 * The load generator's ledger: every submit_sm part, its response, and every receipt, with no
 * I/O and no clock of its own (callers pass the time), so it is tested on made-up timelines.
 *
 * Each part gets a slot number; the parts of one message get consecutive slots. Per-slot state
 * lives in typed arrays (14 octets a part) and the message ids in one Map, so a million parts
 * cost roughly 100 MB, most of it the ids.
 *
 * A receipt is matched by id to the part that was given that id. One that names an id not
 * (yet) known is held: the gateway may answer over one bind and deliver the receipt over
 * another, and a deliver_sm can even be read before the submit_sm_resp it follows is handled.
 * It is matched when the response arrives, and counted as unknown if none ever does.
 */
import { statusName } from '../../src/smpp/status.js';
import { Histogram, type Percentiles } from './histogram.js';
import { Timeline, type TimelineSeries } from './timeline.js';

/** 'part': every accepted submit_sm expects a receipt. 'message': one per multi-part message, naming any of its parts. */
export type ReceiptUnit = 'part' | 'message';
export type ErrorKind = 'timeout' | 'connection' | 'other';
export type TextEncoding = 'gsm' | 'ucs2';

export interface AccountingOptions {
  /** Time origin, same clock as every `now` given later (ms). */
  startMs: number;
  receiptUnit?: ReceiptUnit;
  /** False when the run does not ask for receipts: none is then missing. */
  expectReceipts?: boolean;
  /** Ids listed in the summary as examples of missing receipts. */
  missingSampleSize?: number;
  initialCapacity?: number;
}

export interface LiveCounters {
  messages: number;
  sent: number;
  accepted: number;
  rejected: number;
  errors: number;
  /** Sent, not yet answered or failed. */
  inFlight: number;
  receipts: number;
  matched: number;
  duplicates: number;
  /** Receipts held for an id not known yet. */
  pendingUnknown: number;
  expected: number;
  missing: number;
}

export interface AccountingSummary {
  messages: { generated: number; singlePart: number; multiPart: number; gsm: number; ucs2: number };
  submits: {
    sent: number;
    accepted: number;
    rejected: number;
    /** By command_status name, e.g. { "ESME_RTHROTTLED": 3 }. */
    rejectedByStatus: Record<string, number>;
    errors: number;
    errorsByKind: Record<ErrorKind, number>;
    /** Sent and neither answered nor failed when the summary was taken. */
    unanswered: number;
  };
  receipts: {
    unit: ReceiptUnit;
    /** Parts (or messages) that should get a receipt. */
    expected: number;
    /** Every receipt PDU (esm_class delivery receipt) that came in. */
    received: number;
    /** Units (parts, or messages) with at least one receipt; in message mode may include messages not all of whose parts were accepted. */
    matched: number;
    /** Expected units with none. */
    missing: number;
    /** Receipts beyond the first for the same unit. */
    duplicates: number;
    /** Receipts naming an id no submit_sm_resp gave. */
    unknown: number;
    /** Receipts that arrived before the submit_sm_resp with their id was handled (then matched). */
    beforeResponse: number;
    /** First receipts of each unit, by stat (DELIVRD, UNDELIV, ...). */
    byStat: Record<string, number>;
    /** A few ids whose receipt is missing. */
    missingSample: string[];
    unknownSample: string[];
  };
  /** deliver_sm that were not receipts (MO). */
  otherDeliverSm: number;
  latencyMs: { submitResp: Percentiles; submitToReceipt: Percentiles };
  series: TimelineSeries;
}

const SENT = 1;
const ACCEPTED = 2;
const REJECTED = 3;
const FAILED = 4;

interface HeldReceipt {
  at: number[];
  stat: (string | undefined)[];
}

/** Ids compared case-insensitively, without leading zeros (hex ids are echoed in either case). */
export function normalizeMessageId(id: string): string {
  const s = id.trim().toLowerCase();
  let i = 0;
  while (i < s.length - 1 && s.charCodeAt(i) === 0x30) i++;
  return i === 0 ? s : s.slice(i);
}

/** Hex form of an all-decimal id (some SMSCs answer in hex and write receipts in decimal). */
function decimalAsHex(key: string): string | undefined {
  if (key.length === 0 || key.length > 40 || !/^\d+$/.test(key)) return undefined;
  return BigInt(key).toString(16);
}

export class Accounting {
  private readonly unit: ReceiptUnit;
  private readonly expectReceipts: boolean;
  private readonly sampleSize: number;
  private capacity: number;
  private slots = 0;
  // Per slot.
  private sentAt: Float64Array;
  private state: Uint8Array;
  /** Part index within its message (0-based); the message's first slot is slot - partIndex. */
  private partIndex: Uint8Array;
  /** On a message's first slot: its number of parts, and how many were accepted. */
  private partsOf: Uint8Array;
  private acceptedOf: Uint8Array;
  /** On a unit's slot: receipts seen, saturating at 255. */
  private receiptsOf: Uint8Array;

  private readonly ids = new Map<string, number>();
  private readonly held = new Map<string, HeldReceipt>();
  private readonly rejectedBy = new Map<number, number>();
  private readonly errorsBy: Record<ErrorKind, number> = { timeout: 0, connection: 0, other: 0 };
  private readonly byStat = new Map<string, number>();
  private readonly respHist = new Histogram();
  private readonly receiptHist = new Histogram();
  private readonly timeline: Timeline;

  private messages = 0;
  private multiPart = 0;
  private gsm = 0;
  private ucs2 = 0;
  private sent = 0;
  private accepted = 0;
  private rejected = 0;
  private errors = 0;
  private receipts = 0;
  private matched = 0;
  private duplicates = 0;
  private beforeResponse = 0;
  private expected = 0;
  /** Expected units that have their receipt. */
  private settled = 0;
  private heldCount = 0;
  private otherDeliverSm = 0;

  constructor(options: AccountingOptions) {
    this.unit = options.receiptUnit ?? 'part';
    this.expectReceipts = options.expectReceipts ?? true;
    this.sampleSize = options.missingSampleSize ?? 20;
    this.capacity = Math.max(16, options.initialCapacity ?? 1024);
    this.sentAt = new Float64Array(this.capacity);
    this.state = new Uint8Array(this.capacity);
    this.partIndex = new Uint8Array(this.capacity);
    this.partsOf = new Uint8Array(this.capacity);
    this.acceptedOf = new Uint8Array(this.capacity);
    this.receiptsOf = new Uint8Array(this.capacity);
    this.timeline = new Timeline(options.startMs);
  }

  /** Reserves slots for a message of `parts` parts (1..255); returns the first slot. */
  newMessage(parts: number, encoding: TextEncoding): number {
    if (!Number.isInteger(parts) || parts < 1 || parts > 255) throw new RangeError(`parts must be 1..255 (got ${parts})`);
    if (this.slots + parts > this.capacity) this.grow(this.slots + parts);
    const first = this.slots;
    for (let i = 0; i < parts; i++) this.partIndex[first + i] = i;
    this.partsOf[first] = parts;
    this.slots += parts;
    this.messages++;
    if (parts > 1) this.multiPart++;
    if (encoding === 'gsm') this.gsm++;
    else this.ucs2++;
    return first;
  }

  /** The submit_sm for `slot` is being written now. */
  submitted(slot: number, now: number): void {
    this.checkSlot(slot);
    this.sentAt[slot] = now;
    this.state[slot] = SENT;
    this.sent++;
    this.timeline.count('sent', now);
  }

  /** Its submit_sm_resp (or generic_nack) came with `status`; `messageId` when accepted. */
  responded(slot: number, now: number, status: number, messageId?: string): void {
    if (!this.answerable(slot)) return;
    const us = (now - this.sentAt[slot]!) * 1000;
    this.respHist.record(us);
    this.timeline.respLatency(now, us);
    if (status !== 0 || messageId === undefined || messageId === '') {
      // A "successful" response without an id cannot be matched to anything: count it as refused.
      this.state[slot] = REJECTED;
      this.rejected++;
      this.rejectedBy.set(status, (this.rejectedBy.get(status) ?? 0) + 1);
      this.timeline.count('rejected', now);
      return;
    }
    this.state[slot] = ACCEPTED;
    this.accepted++;
    this.timeline.count('accepted', now);
    const first = slot - this.partIndex[slot]!;
    const unitSlot = this.unit === 'part' ? slot : first;
    if (this.unit === 'part' || ++this.acceptedOf[first]! === this.partsOf[first]) {
      // The unit now expects a receipt; in message mode one may already have come for an earlier part.
      this.expected++;
      if (this.receiptsOf[unitSlot]! > 0) this.settled++;
    }

    const key = normalizeMessageId(messageId);
    this.ids.set(key, slot);
    if (this.heldCount > 0) {
      this.releaseHeld(key, slot);
      const dec = /^[0-9a-f]+$/.test(key) && key.length <= 32 ? BigInt(`0x${key}`).toString(10) : undefined;
      if (dec !== undefined && dec !== key) this.releaseHeld(dec, slot);
    }
  }

  /** No response: timed out, connection lost, or another local failure. */
  failed(slot: number, now: number, kind: ErrorKind): void {
    if (!this.answerable(slot)) return;
    this.state[slot] = FAILED;
    this.errors++;
    this.errorsBy[kind]++;
    this.timeline.count('errors', now);
  }

  /** A delivery receipt naming `messageId` arrived now. */
  receipt(now: number, messageId: string, stat?: string): void {
    this.receipts++;
    const key = normalizeMessageId(messageId);
    let slot = this.ids.get(key);
    if (slot === undefined) {
      const hex = decimalAsHex(key);
      if (hex !== undefined) slot = this.ids.get(hex);
    }
    if (slot !== undefined) {
      this.credit(slot, now, stat);
      return;
    }
    let h = this.held.get(key);
    if (!h) {
      h = { at: [], stat: [] };
      this.held.set(key, h);
    }
    h.at.push(now);
    h.stat.push(stat);
    this.heldCount++;
  }

  /** A deliver_sm that is not a receipt. */
  otherDeliver(): void {
    this.otherDeliverSm++;
  }

  get live(): LiveCounters {
    return {
      messages: this.messages,
      sent: this.sent,
      accepted: this.accepted,
      rejected: this.rejected,
      errors: this.errors,
      inFlight: this.sent - this.accepted - this.rejected - this.errors,
      receipts: this.receipts,
      matched: this.matched,
      duplicates: this.duplicates,
      pendingUnknown: this.heldCount,
      expected: this.expectReceipts ? this.expected : 0,
      missing: this.expectReceipts ? this.expected - this.settled : 0,
    };
  }

  /** Submits of the last complete second, for the progress line. */
  lastSecond(counter: 'sent' | 'accepted' | 'receipts'): number {
    return this.timeline.lastComplete(counter);
  }

  /** Everything, as of `now`: held receipts still unmatched count as unknown. Call once, at the end. */
  summary(now: number): AccountingSummary {
    const unknownSample: string[] = [];
    let unknown = 0;
    for (const [id, h] of this.held) {
      unknown += h.at.length;
      if (unknownSample.length < this.sampleSize) unknownSample.push(id);
    }
    const missingSample: string[] = [];
    if (this.expectReceipts) {
      for (const [id, slot] of this.ids) {
        if (missingSample.length >= this.sampleSize) break;
        // In message mode an expected message has every part accepted: list it by its first part.
        const unitSlot = this.unit === 'part' ? slot : slot - this.partIndex[slot]!;
        if (slot === unitSlot && this.isExpected(unitSlot) && this.receiptsOf[unitSlot] === 0) missingSample.push(id);
      }
    }
    const rejectedByStatus: Record<string, number> = {};
    for (const [status, n] of [...this.rejectedBy].sort((a, b) => b[1] - a[1])) rejectedByStatus[statusName(status)] = n;
    const byStat: Record<string, number> = {};
    for (const [stat, n] of [...this.byStat].sort((a, b) => b[1] - a[1])) byStat[stat] = n;
    const live = this.live;
    return {
      messages: { generated: this.messages, singlePart: this.messages - this.multiPart, multiPart: this.multiPart, gsm: this.gsm, ucs2: this.ucs2 },
      submits: {
        sent: this.sent, accepted: this.accepted, rejected: this.rejected, rejectedByStatus,
        errors: this.errors, errorsByKind: { ...this.errorsBy }, unanswered: live.inFlight,
      },
      receipts: {
        unit: this.unit,
        expected: live.expected,
        received: this.receipts,
        matched: this.matched,
        missing: live.missing,
        duplicates: this.duplicates,
        unknown,
        beforeResponse: this.beforeResponse,
        byStat,
        missingSample,
        unknownSample,
      },
      otherDeliverSm: this.otherDeliverSm,
      latencyMs: { submitResp: this.respHist.percentiles(), submitToReceipt: this.receiptHist.percentiles() },
      series: this.timeline.series(now),
    };
  }

  // --- internals ---------------------------------------------------------------------------

  private credit(slot: number, now: number, stat: string | undefined): void {
    const unitSlot = this.unit === 'part' ? slot : slot - this.partIndex[slot]!;
    const seen = this.receiptsOf[unitSlot]!;
    if (seen < 255) this.receiptsOf[unitSlot] = seen + 1;
    if (seen > 0) {
      this.duplicates++;
      return;
    }
    this.matched++;
    if (this.isExpected(unitSlot)) this.settled++;
    const us = (now - this.sentAt[slot]!) * 1000;
    this.receiptHist.record(us);
    this.timeline.receiptLatency(now, us);
    this.timeline.count('receipts', now);
    const s = stat ?? 'UNKNOWN';
    this.byStat.set(s, (this.byStat.get(s) ?? 0) + 1);
  }

  private releaseHeld(key: string, slot: number): void {
    const h = this.held.get(key);
    if (!h) return;
    this.held.delete(key);
    this.heldCount -= h.at.length;
    for (let i = 0; i < h.at.length; i++) {
      this.beforeResponse++;
      this.credit(slot, h.at[i]!, h.stat[i]);
    }
  }

  private isExpected(unitSlot: number): boolean {
    return this.unit === 'part'
      ? this.state[unitSlot] === ACCEPTED
      : this.acceptedOf[unitSlot] === this.partsOf[unitSlot];
  }

  /** Whether a response or failure for `slot` may still be recorded (first one wins). */
  private answerable(slot: number): boolean {
    this.checkSlot(slot);
    return this.state[slot] === SENT;
  }

  private checkSlot(slot: number): void {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.slots) throw new RangeError(`no slot ${slot}`);
  }

  private grow(min: number): void {
    let cap = this.capacity;
    while (cap < min) cap *= 2;
    const widen = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.sentAt = widen(this.sentAt, (n) => new Float64Array(n));
    this.state = widen(this.state, (n) => new Uint8Array(n));
    this.partIndex = widen(this.partIndex, (n) => new Uint8Array(n));
    this.partsOf = widen(this.partsOf, (n) => new Uint8Array(n));
    this.acceptedOf = widen(this.acceptedOf, (n) => new Uint8Array(n));
    this.receiptsOf = widen(this.receiptsOf, (n) => new Uint8Array(n));
    this.capacity = cap;
  }
}
