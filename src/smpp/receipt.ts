/**
 * Delivery receipt text (SMPP 3.4 Appendix B, which calls the format "SMSC implementation
 * specific" — hence the tolerant parser) and the message_state mapping.
 */
import { MessageState } from './status.js';

export type ReceiptStat = 'ENROUTE' | 'DELIVRD' | 'EXPIRED' | 'DELETED' | 'UNDELIV' | 'ACCEPTD' | 'UNKNOWN' | 'REJECTD';

const STATE_BY_STAT: Readonly<Record<ReceiptStat, number>> = {
  ENROUTE: MessageState.ENROUTE,
  DELIVRD: MessageState.DELIVERED,
  EXPIRED: MessageState.EXPIRED,
  DELETED: MessageState.DELETED,
  UNDELIV: MessageState.UNDELIVERABLE,
  ACCEPTD: MessageState.ACCEPTED,
  UNKNOWN: MessageState.UNKNOWN,
  REJECTD: MessageState.REJECTED,
};

const STAT_BY_STATE = new Map<number, ReceiptStat>(
  (Object.entries(STATE_BY_STAT) as [ReceiptStat, number][]).map(([stat, state]) => [state, stat]),
);

/** Spellings seen from real SMSCs, mapped to the 7-letter forms. */
const STAT_ALIASES: Readonly<Record<string, ReceiptStat>> = {
  DELIVERED: 'DELIVRD',
  DELIVRD: 'DELIVRD',
  EXPIRED: 'EXPIRED',
  DELETED: 'DELETED',
  UNDELIV: 'UNDELIV',
  UNDELIVERABLE: 'UNDELIV',
  UNDELIVERED: 'UNDELIV',
  ACCEPTD: 'ACCEPTD',
  ACCEPTED: 'ACCEPTD',
  UNKNOWN: 'UNKNOWN',
  REJECTD: 'REJECTD',
  REJECTED: 'REJECTD',
  ENROUTE: 'ENROUTE',
  ENROUTED: 'ENROUTE',
};

/** The canonical stat for a spelling, or undefined when unrecognised. */
export function normalizeStat(stat: string): ReceiptStat | undefined {
  return STAT_ALIASES[stat.trim().toUpperCase()];
}

/** message_state for a stat; unrecognised spellings map to UNKNOWN (7). */
export function messageStateFor(stat: string): number {
  const canonical = normalizeStat(stat);
  return canonical === undefined ? MessageState.UNKNOWN : STATE_BY_STAT[canonical];
}

/** The stat for a message_state; values outside 1..8 map to UNKNOWN. */
export function statForMessageState(state: number): ReceiptStat {
  return STAT_BY_STATE.get(state) ?? 'UNKNOWN';
}

/**
 * Whether no further receipt will follow. Only ENROUTE is intermediate in SMPP 3.4; an
 * unrecognised word is treated as not final so a later receipt can still settle the message.
 */
export function isFinalStat(stat: string): boolean {
  const canonical = normalizeStat(stat);
  return canonical !== undefined && canonical !== 'ENROUTE';
}

export interface ReceiptFields {
  id: string;
  sub?: number;
  dlvrd?: number;
  /** A Date is written as UTC YYMMDDhhmm; a string is written verbatim. */
  submitDate: Date | string;
  doneDate: Date | string;
  stat: ReceiptStat;
  /** Written as three digits when a number. */
  err?: number | string;
  /** Only the first 20 characters are kept, as the format prescribes. */
  text?: string;
}

export function formatReceiptText(r: ReceiptFields): string {
  const three = (n: number) => String(n).padStart(3, '0');
  const err = r.err === undefined ? '000' : typeof r.err === 'number' ? three(r.err) : r.err;
  return `id:${r.id} sub:${three(r.sub ?? 1)} dlvrd:${three(r.dlvrd ?? (r.stat === 'DELIVRD' ? 1 : 0))}`
    + ` submit date:${receiptDate(r.submitDate)} done date:${receiptDate(r.doneDate)}`
    + ` stat:${r.stat} err:${err} text:${Array.from(r.text ?? '').slice(0, 20).join('')}`;
}

function receiptDate(d: Date | string): string {
  if (typeof d === 'string') return d;
  const two = (n: number) => String(n).padStart(2, '0');
  return two(d.getUTCFullYear() % 100) + two(d.getUTCMonth() + 1) + two(d.getUTCDate()) + two(d.getUTCHours()) + two(d.getUTCMinutes());
}

export interface ParsedReceipt {
  id: string;
  sub?: number;
  dlvrd?: number;
  /** Dates are read as UTC: receipts carry no zone, and most SMSCs we meet run on UTC. */
  submitDate?: Date;
  doneDate?: Date;
  /** Canonical form when recognised, otherwise the text as sent (upper-cased). */
  stat?: ReceiptStat | string;
  /** As sent: usually three decimal digits, sometimes hex or longer vendor codes. */
  err?: string;
  text?: string;
}

type Key = 'id' | 'sub' | 'dlvrd' | 'submitDate' | 'doneDate' | 'stat' | 'err' | 'text';

const KEY_PATTERN = /(?:^|[\s,;])(id|sub|dlvrd|submit[ _]?date|done[ _]?date|stat|err|text)\s*:/gi;

function keyOf(word: string): Key {
  const w = word.toLowerCase().replace(/[ _]/g, '');
  return w === 'submitdate' ? 'submitDate' : w === 'donedate' ? 'doneDate' : (w as Key);
}

/**
 * Reads a receipt's text. Accepts any field order and case, `submit_date`/`submitdate`
 * spellings, 10- or 12-digit dates and missing fields. A key that was already seen is taken
 * as part of the current value, so `text:` may quote words such as "stat:" without breaking
 * the parse. Returns null when there is no `id:`.
 */
export function parseReceiptText(input: string): ParsedReceipt | null {
  const values = new Map<Key, string>();
  let current: { key: Key; start: number } | undefined;
  for (const m of input.matchAll(KEY_PATTERN)) {
    const word = m[1] ?? '';
    const key = keyOf(word);
    if (values.has(key) || current?.key === key) continue;
    if (current) values.set(current.key, input.slice(current.start, m.index ?? 0).trim());
    current = { key, start: (m.index ?? 0) + m[0].length };
  }
  if (current) values.set(current.key, input.slice(current.start).trim());

  const id = values.get('id');
  if (!id) return null;
  const out: ParsedReceipt = { id };
  const int = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);
  const sub = int(values.get('sub'));
  if (sub !== undefined) out.sub = sub;
  const dlvrd = int(values.get('dlvrd'));
  if (dlvrd !== undefined) out.dlvrd = dlvrd;
  const submitDate = parseReceiptDate(values.get('submitDate'));
  if (submitDate) out.submitDate = submitDate;
  const doneDate = parseReceiptDate(values.get('doneDate'));
  if (doneDate) out.doneDate = doneDate;
  const stat = values.get('stat');
  if (stat) out.stat = normalizeStat(stat) ?? stat.toUpperCase();
  const err = values.get('err');
  if (err) out.err = err;
  const text = values.get('text');
  if (text !== undefined) out.text = text;
  return out;
}

/** YYMMDDhhmm or YYMMDDhhmmss, read as UTC in 2000-2099. */
export function parseReceiptDate(s: string | undefined): Date | undefined {
  const m = s === undefined ? null : /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?$/.exec(s);
  if (!m) return undefined;
  const [yy, mo, dd, hh, mi, ss] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as [number, number, number, number, number, number];
  const d = new Date(Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss));
  // Date.UTC rolls 991332 over into the next year; a receipt with such a date is garbage.
  return d.getUTCMonth() === mo - 1 && d.getUTCDate() === dd && hh < 24 && mi < 60 && ss < 60 ? d : undefined;
}
