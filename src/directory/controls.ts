/**
 * The operator's controls (smsgw block, unblock, rate, pause, resume) journalled in the live
 * directory topic, so they outlive Redis: one record per control aspect, keyed
 * `control/<target>/<id>/<aspect>`, compaction keeping the last. Every node follows the topic,
 * so every node knows them without asking Redis; Redis keeps a copy for the stage workers and
 * is rebuilt from here when it comes back empty (src/control/restore-controls.ts). Pure.
 *
 * One aspect per key: every node handling a broadcast command writes the same record, and two
 * commands on different aspects of one customer cannot overwrite each other.
 */
import { RecordError } from '../errors.js';

export type ControlTarget = 'customer' | 'provider';
export type ControlAspect = 'blocked' | 'paused' | 'rate';

/** What each target may carry. */
const ASPECTS: Readonly<Record<ControlTarget, readonly ControlAspect[]>> = {
  customer: ['blocked', 'rate'],
  provider: ['paused', 'rate'],
};

export interface ControlRecord {
  target: ControlTarget;
  id: string;
  aspect: ControlAspect;
  /** blocked/paused: a boolean; rate: parts per second, or null for the configured rate. */
  value: boolean | number | null;
  at: number;
  /** Who wrote it: the node that handled the operator's request. */
  by: string;
}

export const CONTROL_KEY_PREFIX = 'control/';

export function controlKey(target: ControlTarget, id: string, aspect: ControlAspect): string {
  return `${CONTROL_KEY_PREFIX}${target}/${id}/${aspect}`;
}

export function isControlKey(key: string | null): boolean {
  return key !== null && key.startsWith(CONTROL_KEY_PREFIX);
}

export function encodeControlRecord(r: ControlRecord): Buffer {
  return Buffer.from(JSON.stringify(r));
}

export function decodeControlRecord(bytes: Buffer): ControlRecord {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new RecordError('RECORD_INVALID', 'control record is not JSON');
  }
  const r = v as Partial<ControlRecord>;
  if (typeof r !== 'object' || r === null || (r.target !== 'customer' && r.target !== 'provider') || typeof r.id !== 'string' || r.id === ''
    || !ASPECTS[r.target].includes(r.aspect as ControlAspect) || typeof r.at !== 'number') {
    throw new RecordError('RECORD_INVALID', 'control record needs target, id, an aspect of its target and at');
  }
  const aspect = r.aspect!;
  const value = r.value;
  const valid = aspect === 'rate' ? value === null || (typeof value === 'number' && value > 0 && Number.isFinite(value)) : typeof value === 'boolean';
  if (!valid) throw new RecordError('RECORD_INVALID', `control record ${r.target}/${r.id}/${aspect} has an invalid value`);
  return { target: r.target, id: r.id, aspect, value: value ?? null, at: r.at, by: typeof r.by === 'string' ? r.by : '' };
}

/** The controls in force: the last record of each aspect. */
export class ControlState {
  private readonly records = new Map<string, ControlRecord>();

  apply(r: ControlRecord): void {
    const key = controlKey(r.target, r.id, r.aspect);
    const had = this.records.get(key);
    // Two nodes writing one command race; the later command wins, whatever order they land in.
    if (had && had.at > r.at) return;
    this.records.set(key, r);
  }

  /** undefined: never journalled (what Redis holds, if anything, stands). */
  customerBlocked(id: string): boolean | undefined {
    return this.flag('customer', id, 'blocked');
  }

  providerPaused(id: string): boolean | undefined {
    return this.flag('provider', id, 'paused');
  }

  /** A number: the operator's rate; null: the configured one; undefined: never journalled. */
  rate(target: ControlTarget, id: string): number | null | undefined {
    const r = this.records.get(controlKey(target, id, 'rate'));
    return r === undefined ? undefined : (r.value as number | null);
  }

  /** Every journalled aspect, in key order (what a restore writes back). */
  all(): ControlRecord[] {
    return [...this.records.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  }

  private flag(target: ControlTarget, id: string, aspect: ControlAspect): boolean | undefined {
    const r = this.records.get(controlKey(target, id, aspect));
    return r === undefined ? undefined : r.value === true;
  }
}
