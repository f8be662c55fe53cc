/**
 * A stateful exactly-once stage for the runtime specs: counts records per key and writes, for
 * each input, `{ key, count }` to the messages topic and the new count to the changelog. Any
 * lost state, lost record or double processing shows up as a gap or a repeat in the counts.
 *
 * A record whose value names a marker file makes the worker thread die (process.exit) the
 * first time it is seen, if that file exists: the spec creates the file to kill a worker in
 * the middle of a batch.
 */
import { existsSync, unlinkSync } from 'node:fs';
import type { ExactlyOnceStage } from '../../../src/host/stage.js';

type Counts = ReadonlyMap<string, number>;

interface Input {
  key: string;
  i: number;
  slowMs?: number;
  dieIfExists?: string;
}

export const stage: ExactlyOnceStage<Counts> = {
  kind: 'exactly-once',
  name: 'counter',
  topic: (t) => t.messageParts,
  changelogTopic: (t) => t.assemblerChangelog,
  init: () => new Map(),
  restore: (state, key, value) => {
    const next = new Map(state);
    if (value === null) next.delete(key);
    else next.set(key, Number(value.toString()));
    return next;
  },
  process: async (state, records, env) => {
    const next = new Map(state);
    const outputs = [];
    for (const r of records) {
      const input = JSON.parse(r.value.toString()) as Input;
      if (input.dieIfExists && existsSync(input.dieIfExists)) {
        unlinkSync(input.dieIfExists);
        process.exit(7);
      }
      if (input.slowMs) await new Promise((res) => setTimeout(res, input.slowMs));
      const count = (next.get(input.key) ?? 0) + 1;
      next.set(input.key, count);
      outputs.push({ topic: env.topics.messages, key: input.key, value: JSON.stringify({ key: input.key, count, i: input.i }) });
      outputs.push({ topic: env.topics.assemblerChangelog, key: input.key, value: String(count), partition: r.partition });
    }
    return { state: next, outputs };
  },
};
