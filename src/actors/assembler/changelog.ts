/**
 * What the assembler keeps per concatenation group, which is also exactly the value it writes to
 * the compacted changelog topic under the group's key (`partKey`): restoring a partition is
 * folding these values, latest per key, with null (a tombstone) deleting the key.
 *
 * JSON-safe plain data. Compact: the message-level fields are stored once per entry, not per
 * part; parts hold only what differs between them. No property is ever set to `undefined`, so
 * a value survives a JSON round trip unchanged (replay after restore must write identical
 * values).
 *
 * ```
 * {
 *   "v": 1,
 *   "open": {                          // an unfinished message, when there is one
 *     "firstAt": 1700000000000,        // `now` when its first part arrived; the timeout counts from it
 *     "head": { customer, source, destination, serviceType, esmClass, protocolId, priority,
 *               dataCoding, node, scheme, ref, total, validUntil?, scheduledAt? },  // from part 1 once it came, else the first arrival
 *     "parts": [ { "seq": 1, "id": "<customer's part id>", "body": "<base64 user data>",
 *                  "at": <acceptedAt>, "rd": <registered_delivery>,
 *                  "udh"?: "<base64 other IEs>", "dupOf"?: "<message id>" } ],   // sorted by seq, one per seq
 *     "dups"?: [ { "seq", "id", "at", "rd" } ]                                     // resent copies, by arrival
 *   },
 *   "done": {                          // memory of the last message completed under this key
 *     "id": "<message id>", "at": <completed at>, "digests": ["<per seq, index seq-1>"]
 *   }
 * }
 * ```
 * A value with neither `open` nor `done` is never written: that key is tombstoned instead.
 */
import { createHash } from 'node:crypto';
import type { ConcatScheme, SmsAddress } from '../../domain/records.js';
import { GatewayError } from '../../errors.js';

export const CHANGELOG_VERSION = 1;

export interface GroupHead {
  customer: string;
  source: SmsAddress;
  destination: SmsAddress;
  serviceType: string;
  esmClass: number;
  protocolId: number;
  priority: number;
  dataCoding: number;
  node: string;
  scheme: ConcatScheme;
  ref: number;
  total: number;
  /** The part's validUntil / scheduledAt, when it had them (never set to undefined). */
  validUntil?: number;
  scheduledAt?: number;
}

export interface StoredPart {
  seq: number;
  /** The id the customer was answered with for this part. */
  id: string;
  /** User data without the concatenation header, base64. */
  body: string;
  /** The part's acceptedAt. */
  at: number;
  /** The part's registered_delivery: each part decides its own receipt. */
  rd: number;
  /** UDH elements other than concatenation, base64. */
  udh?: string;
  /**
   * Set when, on arrival, this part equalled the same part of the message last completed
   * under this key: it may be a late resend of that message (id given) rather than part of a
   * new one. See `assembly.ts` for how such parts are settled.
   */
  dupOf?: string;
}

export interface StoredDup {
  seq: number;
  id: string;
  at: number;
  rd: number;
}

export interface OpenEntry {
  firstAt: number;
  head: GroupHead;
  parts: StoredPart[];
  dups?: StoredDup[];
}

export interface DoneMemory {
  /** The id of the message emitted. */
  id: string;
  at: number;
  /** `partDigest` of each part, index seq - 1. */
  digests: string[];
}

export interface GroupValue {
  v: typeof CHANGELOG_VERSION;
  open?: OpenEntry;
  done?: DoneMemory;
}

/** One record of the changelog topic, decoded. */
export interface ChangelogRecord {
  key: string;
  value: GroupValue | null;
}

/**
 * A short digest of what a part carries (72 bits of SHA-256, base64url): equal digests mean a
 * resend of the same part. Coding and other UDH elements count: the same octets in another
 * coding are another text.
 */
export function partDigest(p: { body: string; dataCoding: number; udh?: string | undefined }): string {
  return createHash('sha256').update(`${p.dataCoding}|${p.udh ?? ''}|${p.body}`).digest('base64url').slice(0, 12);
}

/** Checks the shape of a decoded changelog value enough to restore from it safely. */
export function checkGroupValue(key: string, value: unknown): GroupValue {
  const v = value as Partial<GroupValue> | null;
  if (v === null || typeof v !== 'object' || v.v !== CHANGELOG_VERSION || (v.open === undefined && v.done === undefined)) {
    throw new GatewayError('ASSEMBLER_CHANGELOG_INVALID', `changelog value for ${key} is not a version ${CHANGELOG_VERSION} group value`);
  }
  if (v.open !== undefined && (!Array.isArray(v.open.parts) || typeof v.open.firstAt !== 'number' || typeof v.open.head !== 'object')) {
    throw new GatewayError('ASSEMBLER_CHANGELOG_INVALID', `changelog value for ${key} has a malformed open entry`);
  }
  if (v.done !== undefined && (!Array.isArray(v.done.digests) || typeof v.done.at !== 'number' || typeof v.done.id !== 'string')) {
    throw new GatewayError('ASSEMBLER_CHANGELOG_INVALID', `changelog value for ${key} has a malformed done memory`);
  }
  return v as GroupValue;
}
