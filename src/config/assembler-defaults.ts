/**
 * The assembler's defaults. The configuration owns them so that validating a file needs nothing
 * from the stage; the stage's own options (its options.ts) are built on them.
 */
import type { AssemblerConfig } from './types.js';

export const ASSEMBLER_DEFAULTS = Object.freeze({
  // Parts of one message come seconds apart in practice; five minutes tolerates a customer that
  // reconnects between parts while still answering a broken message within a receipt's patience.
  timeoutMs: 300_000,
  // Half a message on a handset is worse than a failed receipt the customer can act on.
  onTimeout: 'reject' as AssemblerConfig['onTimeout'],
  // A customer resends a part after its own response timeout (tens of seconds); two minutes
  // covers that with margin and keeps the memory small.
  recentMs: 120_000,
  maxOpenEntries: 100_000,
  maxRecentGroups: 200_000,
});
