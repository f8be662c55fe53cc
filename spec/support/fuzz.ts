/**
 * What the fuzz specs share: the seed (SMSGW_FUZZ_SEED to repeat a run, else a fresh one,
 * always printed), the time budget (SMSGW_FUZZ_SECONDS scales it for a longer run by hand),
 * and a heap measure after a full garbage collection.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { randomSeed } from '../../scripts/fuzz/rng.js';

export function fuzzSeed(label: string): number {
  const fromEnv = process.env.SMSGW_FUZZ_SEED;
  const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) >>> 0 : randomSeed();
  // The seed is what makes a failure reproducible, so it goes to the test output.
  process.stdout.write(`      [fuzz] ${label}: seed ${seed} (repeat with SMSGW_FUZZ_SEED=${seed})\n`);
  return seed;
}

/** Milliseconds for a fuzz spec: `defaultSeconds`, unless SMSGW_FUZZ_SECONDS asks for more. */
export function fuzzBudgetMs(defaultSeconds: number): number {
  const s = Number(process.env.SMSGW_FUZZ_SECONDS ?? defaultSeconds);
  return (Number.isFinite(s) && s > 0 ? s : defaultSeconds) * 1000;
}

let collect: (() => void) | undefined;

/** Heap in use after a full collection (the flag is set at run time: mocha is started without it). */
export function heapAfterGc(): number {
  if (!collect) {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}
