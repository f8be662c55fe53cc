/** Shared helpers for the runtime specs: condition polling instead of timing assertions. */
import { silentLogger } from '../../../src/log.js';
import { ActorSystem, type ActorSystemOptions } from '../../../src/runtime/index.js';

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `condition` holds; fails with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await delay(2);
  }
}

/** A promise opened from outside, to hold a receive in flight. */
export interface Gate {
  readonly promise: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open: () => open() };
}

/** Settles to a tagged result so a test can check a promise has NOT settled yet. */
export function track<T>(promise: Promise<T>): { readonly settled: boolean; readonly result: Promise<T> } {
  const state = { settled: false };
  const result = promise.finally(() => (state.settled = true));
  result.catch(() => undefined);
  return {
    get settled() {
      return state.settled;
    },
    result,
  };
}

export function testSystem(options: Partial<ActorSystemOptions> = {}): ActorSystem {
  return new ActorSystem({ name: 'test', logger: silentLogger, ...options });
}

/** Small backoff so restart tests run quickly. */
export const fastRestart = { backoff: { initialMs: 1, maxMs: 4, factor: 2 } } as const;
