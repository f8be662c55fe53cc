/**
 * The live directory of customers and providers: one record per customer or provider in the
 * compacted `gateway-directory` topic, keyed `customer/<systemId>` or `provider/<id>`. Every
 * node reads the whole topic and follows it, so all agree on who may bind and where messages
 * may go; the configuration file only seeds it (seed.ts). Pure.
 *
 * A removal is a record with `entry: null`, not a tombstone: compaction keeps it, so a file that
 * still lists the entry does not bring it back (see `seed`).
 */
import { RecordError } from '../errors.js';

export type EntryKind = 'customer' | 'provider';
export const ENTRY_KINDS: readonly EntryKind[] = ['customer', 'provider'];

/** The version of a configuration file's entry last applied to the directory. */
export interface Seed {
  /** sha256 of the entry without its password fields. */
  digest: string;
  /** A customer's password as the file gave it, hashed (compared with verifyPassword); null for providers. */
  passwordHash: string | null;
}

export interface DirectoryRecord {
  kind: EntryKind;
  id: string;
  /**
   * The entry as a configuration file would give it, checked like one. Customers carry
   * `passwordHash`, never `password`. null: removed.
   */
  entry: Record<string, unknown> | null;
  /** Set while the entry came from a configuration file and the file still lists it. */
  seed: Seed | null;
  /** Providers: where their partition of provider-outgoing-messages comes from, for life (ownership.ts). */
  slot?: number;
  at: number;
  /** Who wrote it: `file:<node>` or `cli:<user>@<host>`. */
  by: string;
}

export function directoryKey(kind: EntryKind, id: string): string {
  return `${kind}/${id}`;
}

export function encodeDirectoryRecord(r: DirectoryRecord): Buffer {
  return Buffer.from(JSON.stringify(r));
}

export function decodeDirectoryRecord(bytes: Buffer): DirectoryRecord {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new RecordError('RECORD_INVALID', 'directory record is not JSON');
  }
  const r = v as Partial<DirectoryRecord>;
  if (typeof r !== 'object' || r === null || !ENTRY_KINDS.includes(r.kind as EntryKind) || typeof r.id !== 'string' || r.id === ''
    || (r.entry !== null && (typeof r.entry !== 'object' || Array.isArray(r.entry))) || typeof r.at !== 'number') {
    throw new RecordError('RECORD_INVALID', 'directory record needs kind, id, entry (or null) and at');
  }
  return { kind: r.kind!, id: r.id, entry: r.entry ?? null, seed: r.seed ?? null, at: r.at, by: typeof r.by === 'string' ? r.by : '', ...(typeof r.slot === 'number' ? { slot: r.slot } : {}) };
}

/** What the directory topic says now: the last record of each key. */
export class DirectoryState {
  private readonly records = new Map<string, DirectoryRecord>();
  /** The newest `at` of the records taken: what a node reports having applied. */
  latestAt = 0;

  apply(r: DirectoryRecord): void {
    this.records.set(directoryKey(r.kind, r.id), r);
    this.latestAt = Math.max(this.latestAt, r.at);
  }

  get(kind: EntryKind, id: string): DirectoryRecord | undefined {
    return this.records.get(directoryKey(kind, id));
  }

  /** Every record of a kind, removed ones included, in id order. */
  all(kind: EntryKind): DirectoryRecord[] {
    return [...this.records.values()].filter((r) => r.kind === kind).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The entries in force (not removed). */
  live(kind: EntryKind): DirectoryRecord[] {
    return this.all(kind).filter((r) => r.entry !== null);
  }

  /** Whether anything of this kind was ever written (an empty directory defers to the file). */
  has(kind: EntryKind): boolean {
    return this.all(kind).length > 0;
  }

  /** The slot for a provider new to the directory: `preferred` when no provider holds it. */
  nextSlot(preferred?: number): number {
    const taken = new Set(this.live('provider').map((r) => r.slot).filter((s): s is number => s !== undefined));
    if (preferred !== undefined && !taken.has(preferred)) return preferred;
    const all = this.all('provider').map((r) => r.slot ?? -1);
    return Math.max(-1, ...all) + 1;
  }
}
