/**
 * The arguments of `smsgw dead-letters`: nothing (list them), or `replay` with dead letters
 * named `<partition>:<offset>` (a bare `<offset>` only when the dead-letter topic has one
 * partition) or `--all`. Pure.
 */
import { usageError } from './errors.js';

export interface DeadLetterRef {
  /** null: a bare offset, partition 0 only if the topic has a single partition. */
  partition: number | null;
  /** Decimal, without leading zeros. */
  offset: string;
  /** As the operator wrote it. */
  text: string;
}

export type DeadLetterRequest =
  | { kind: 'list' }
  | { kind: 'replay'; all: true }
  | { kind: 'replay'; all: false; refs: DeadLetterRef[] };

export const REPLAY_USAGE = 'dead-letters replay <partition:offset>... | <offset> (one-partition topic) | --all';

export function deadLetterRequest(args: readonly string[], all: boolean): DeadLetterRequest {
  const [sub, ...rest] = args;
  if (sub === undefined) {
    if (all) throw usageError(`--all goes with replay: smsgw ${REPLAY_USAGE}`);
    return { kind: 'list' };
  }
  if (sub !== 'replay') throw usageError(`dead-letters: unknown argument ${JSON.stringify(sub)} (smsgw dead-letters, or smsgw ${REPLAY_USAGE})`);
  if (all && rest.length > 0) throw usageError(`dead-letters replay: either --all or dead letters, not both (got --all ${rest.join(' ')})`);
  if (all) return { kind: 'replay', all: true };
  if (rest.length === 0) throw usageError(`dead-letters replay needs what to replay: smsgw ${REPLAY_USAGE}`);
  const refs: DeadLetterRef[] = [];
  for (const text of rest) {
    const ref = parseDeadLetterRef(text);
    if (!refs.some((r) => r.partition === ref.partition && r.offset === ref.offset)) refs.push(ref);
  }
  return { kind: 'replay', all: false, refs };
}

export function parseDeadLetterRef(text: string): DeadLetterRef {
  const m = /^(?:(\d{1,9}):)?(\d{1,19})$/.exec(text);
  if (!m) throw usageError(`dead-letters replay: ${JSON.stringify(text)} is not <partition>:<offset> (or <offset> when the dead-letter topic has one partition)`);
  return { partition: m[1] === undefined ? null : Number(m[1]), offset: BigInt(m[2]!).toString(), text };
}

/** The partition a ref names: a bare offset needs a topic of one partition. */
export function refPartition(ref: DeadLetterRef, topic: string, partitions: number): number {
  if (ref.partition !== null) return ref.partition;
  if (partitions === 1) return 0;
  throw usageError(`dead-letters replay: a bare offset (${ref.text}) needs a dead-letter topic of one partition; ${topic} has ${partitions}: give <partition>:<offset>, e.g. 0:${ref.offset}`);
}
