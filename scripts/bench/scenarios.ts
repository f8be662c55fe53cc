/**
 * The named benchmark scenarios and their defaults, sized for a small (2-core) machine shared
 * with other work. A scenario is data: the load the generator applies, how the provider
 * simulator behaves, and whether the same load is also run against the simulator directly
 * (the bare-SMPP baseline). Pure.
 */
import type { ReceiptUnit } from '../loadgen/accounting.js';

export type ScenarioName = 'steady' | 'peak' | 'multipart' | 'throttled' | 'many-binds' | 'soak' | 'capacity';

export interface Scenario {
  name: ScenarioName;
  description: string;
  /** submit_sm per second over all binds of all generators; Infinity: as fast as the windows allow. */
  rate: number;
  durationSec: number;
  /** Customers in total, shared out over the gateway nodes. */
  customers: number;
  /** Binds per customer (transceivers). */
  binds: number;
  /** Submits in flight per bind. */
  window: number;
  multipartRatio: number;
  minParts: number;
  maxParts: number;
  ucs2Ratio: number;
  receiptUnit: ReceiptUnit;
  /** Run the same load against the provider simulator directly, for the ratio. */
  baseline: boolean;
  /** The gateway's contracted rate per provider connection (parts/s). */
  providerRate: number;
  /** Provider connections (the route spreads over them by weight). */
  providerBinds: number;
  /** Submits in flight per provider connection. */
  providerWindow: number;
  /** The simulator answers ESME_RTHROTTLED beyond this many submits per second. */
  simulatorMaxPerSec: number | undefined;
  /** Seconds between RSS samples of each gateway node; 0: no samples. */
  rssEverySec: number;
  /**
   * Stepped load (the capacity scenario): steady runs at `rate`, `rate` x factor, ... each
   * `durationSec` long, up to `maxRate`, through the bare path and through the gateway, each
   * path until a step does not hold.
   */
  steps?: CapacitySteps;
}

export interface CapacitySteps {
  /** Each step's rate is the previous one's times this (> 1). */
  factor: number;
  /** No step beyond this rate: a path that holds it is reported as holding at least this much. */
  maxRate: number;
}

const base = {
  window: 20,
  multipartRatio: 0,
  minParts: 2,
  maxParts: 3,
  ucs2Ratio: 0.2,
  receiptUnit: 'part' as ReceiptUnit,
  baseline: true,
  providerRate: 2000,
  providerBinds: 1,
  providerWindow: 50,
  simulatorMaxPerSec: undefined,
  rssEverySec: 5,
};

export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = Object.freeze({
  steady: Object.freeze({
    ...base, name: 'steady', description: 'single-part messages at a fixed rate',
    rate: 200, durationSec: 60, customers: 2, binds: 2,
  }),
  peak: Object.freeze({
    ...base, name: 'peak', description: 'single-part messages as fast as the windows allow',
    rate: Infinity, durationSec: 30, customers: 2, binds: 2,
  }),
  multipart: Object.freeze({
    ...base, name: 'multipart', description: 'multi-part heavy: 80 % of messages in 2-4 parts (8-bit UDH), spread over the binds',
    rate: 100, durationSec: 60, customers: 2, binds: 2, multipartRatio: 0.8, minParts: 2, maxParts: 4,
  }),
  throttled: Object.freeze({
    ...base, name: 'throttled', description: 'the provider allows 50 submits/s and the customers send 100/s: the gateway keeps pace with the provider and loses nothing',
    rate: 100, durationSec: 30, customers: 2, binds: 2, baseline: false, providerRate: 50, simulatorMaxPerSec: 50, ucs2Ratio: 0,
  }),
  'many-binds': Object.freeze({
    ...base, name: 'many-binds', description: '1,000 customer sessions (10 customers x 100 transceiver binds) at a modest rate',
    rate: 200, durationSec: 60, customers: 10, binds: 100, window: 5,
  }),
  soak: Object.freeze({
    ...base, name: 'soak', description: 'an hour of mixed load for memory growth: RSS of each gateway node over time',
    rate: 100, durationSec: 3600, customers: 2, binds: 2, multipartRatio: 0.2, baseline: false, rssEverySec: 10,
  }),
  // The gateway's per-provider rate is set high so the provider contract is never the limit.
  capacity: Object.freeze({
    ...base, name: 'capacity', description: 'steady single-part rates stepped up (x1.25 a step), through the bare SMPP path and through the gateway: the highest rate each holds with accepted >= 99 % and receipt p99 <= 2 s',
    rate: 200, durationSec: 20, customers: 2, binds: 2, providerRate: 10_000, ucs2Ratio: 0.2,
    steps: Object.freeze({ factor: 1.25, maxRate: 10_000 }),
  }),
});

export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

/** Parts a message of the scenario's mix has on average. */
export function meanParts(s: Pick<Scenario, 'multipartRatio' | 'minParts' | 'maxParts'>): number {
  return 1 - s.multipartRatio + s.multipartRatio * ((s.minParts + s.maxParts) / 2);
}

/**
 * How long to wait for receipts after sending: the backlog a throttled provider leaves
 * (parts sent beyond its rate, drained at its rate) plus a fixed margin.
 */
export function drainSecFor(s: Pick<Scenario, 'rate' | 'durationSec' | 'providerRate' | 'providerBinds' | 'simulatorMaxPerSec' | 'multipartRatio' | 'minParts' | 'maxParts'>, marginSec = 30): number {
  const providerPerSec = Math.min(s.providerRate * s.providerBinds, s.simulatorMaxPerSec ?? Infinity);
  if (!Number.isFinite(s.rate)) return marginSec;
  const partsPerSec = s.rate * meanParts(s);
  if (partsPerSec <= providerPerSec) return marginSec;
  const backlog = (partsPerSec - providerPerSec) * s.durationSec;
  return Math.ceil(backlog / providerPerSec) + marginSec;
}
