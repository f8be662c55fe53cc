/**
 * The assembler's options: one type, one defaults object, validated once and frozen. Errors
 * name the option (`assembler.timeoutMs`) and the bad value.
 */
import { ConfigError } from '../../errors.js';
import { ASSEMBLER_DEFAULTS } from '../../config/assembler-defaults.js';
import type { AssemblerConfig } from '../../config/types.js';

/** What happens to a message whose parts did not all come within `timeoutMs`. */
export type TimeoutOutcome = AssemblerConfig['onTimeout'];

export interface AssemblerOptions {
  /**
   * How long after its first part arrived an unfinished message waits for the rest. Measured
   * from the first arrival (not the last) so that no entry lives longer than this.
   */
  readonly timeoutMs: number;
  /**
   * `reject`: nothing is sent; every part that asked for a receipt gets a failed one (REJECTD).
   * `release`: what arrived is sent as one message marked `incomplete: { missing }`.
   */
  readonly onTimeout: TimeoutOutcome;
  /**
   * How long a completed group is remembered (a digest per part) to tell a late resent part of
   * it from the first part of a new message reusing its reference. 0 turns the memory off.
   */
  readonly recentMs: number;
  /**
   * Most unfinished messages one partition holds. Opening one more first closes the oldest
   * (smallest first-arrival time) with the `onTimeout` outcome.
   */
  readonly maxOpenEntries: number;
  /** Most completed groups remembered per partition; beyond it the oldest memory is dropped. */
  readonly maxRecentGroups: number;
  /** The node named in the lifecycle events the assembler writes. */
  readonly nodeId: string;
}

export const DEFAULT_ASSEMBLER_OPTIONS: Readonly<AssemblerOptions> = Object.freeze({ ...ASSEMBLER_DEFAULTS, nodeId: 'assembler' });

const KNOWN = new Set(Object.keys(DEFAULT_ASSEMBLER_OPTIONS));

/** Defaults overlaid with `given`, checked, frozen. Throws ConfigError naming the option. */
export function resolveAssemblerOptions(given: Partial<AssemblerOptions> = {}): Readonly<AssemblerOptions> {
  for (const key of Object.keys(given)) {
    if (!KNOWN.has(key)) throw new ConfigError(`assembler.${key}`, 'is not a known option');
  }
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const o: AssemblerOptions = { ...DEFAULT_ASSEMBLER_OPTIONS, ...defined };
  positiveInt('timeoutMs', o.timeoutMs, 1);
  if (o.onTimeout !== 'reject' && o.onTimeout !== 'release') {
    throw new ConfigError('assembler.onTimeout', "must be 'reject' or 'release'", o.onTimeout);
  }
  positiveInt('recentMs', o.recentMs, 0);
  positiveInt('maxOpenEntries', o.maxOpenEntries, 1);
  positiveInt('maxRecentGroups', o.maxRecentGroups, 0);
  if (typeof o.nodeId !== 'string' || o.nodeId.length === 0) {
    throw new ConfigError('assembler.nodeId', 'must be a non-empty string', o.nodeId);
  }
  return Object.freeze(o);
}

function positiveInt(name: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(`assembler.${name}`, `must be an integer >= ${min}`, value);
  }
}
