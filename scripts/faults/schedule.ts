/**
 * The fault schedule: what happens when, relative to the start of the load. Pure. The short
 * form (CI) runs each kind of fault once; the long form repeats the cycle for the duration,
 * killing a different gateway node each time.
 */
export type Fault =
  | { kind: 'kill-node'; node: number }
  | { kind: 'restart-node'; node: number }
  | { kind: 'kill-broker'; broker: number }
  | { kind: 'restart-broker'; broker: number }
  | { kind: 'restart-redis' }
  | { kind: 'drop-provider'; provider: number }
  /** SIGSTOP, longer than the Kafka session and the send claims; `resume-node` sends SIGCONT. */
  | { kind: 'pause-node'; node: number }
  | { kind: 'resume-node'; node: number }
  | { kind: 'pause-broker'; broker: number }
  | { kind: 'resume-broker'; broker: number }
  /** Answers slower than the gateway's response timeout, until `provider-normal`. */
  | { kind: 'slow-provider'; provider: number }
  /** Drops its connections and refuses every bind, until `provider-normal`. */
  | { kind: 'refuse-binds'; provider: number }
  | { kind: 'provider-normal'; provider: number };

export interface TimedFault {
  atS: number;
  fault: Fault;
}

/**
 * One cycle: a node killed and restarted, a broker killed and restarted, Redis restarted, a
 * provider dropping its binds, a second node killed and restarted; then a node paused past its
 * session (25 s), a broker paused (20 s), a provider answering slower than the response timeout
 * (15 s) and a provider refusing binds (15 s).
 */
export function cycle(startS: number, nodes: number, n: number): TimedFault[] {
  // Node 0 is never killed, so some node always serves; the others take turns.
  const victim1 = 1 + ((2 * n) % (nodes - 1));
  const victim2 = 1 + ((2 * n + 1) % (nodes - 1));
  return [
    { atS: startS + 15, fault: { kind: 'kill-node', node: victim1 } },
    { atS: startS + 30, fault: { kind: 'restart-node', node: victim1 } },
    { atS: startS + 45, fault: { kind: 'kill-broker', broker: 2 + (n % 2) } },
    { atS: startS + 65, fault: { kind: 'restart-broker', broker: 2 + (n % 2) } },
    { atS: startS + 80, fault: { kind: 'restart-redis' } },
    { atS: startS + 95, fault: { kind: 'drop-provider', provider: n % 2 } },
    { atS: startS + 105, fault: { kind: 'kill-node', node: victim2 } },
    { atS: startS + 120, fault: { kind: 'restart-node', node: victim2 } },
    { atS: startS + 135, fault: { kind: 'pause-node', node: victim1 } },
    { atS: startS + 160, fault: { kind: 'resume-node', node: victim1 } },
    { atS: startS + 175, fault: { kind: 'pause-broker', broker: 3 - (n % 2) } },
    { atS: startS + 195, fault: { kind: 'resume-broker', broker: 3 - (n % 2) } },
    { atS: startS + 205, fault: { kind: 'slow-provider', provider: n % 2 } },
    { atS: startS + 220, fault: { kind: 'provider-normal', provider: n % 2 } },
    { atS: startS + 225, fault: { kind: 'refuse-binds', provider: (n + 1) % 2 } },
    { atS: startS + 240, fault: { kind: 'provider-normal', provider: (n + 1) % 2 } },
  ];
}

export const CYCLE_S = 255;

/** Cycles that fit in `durationS` of load (at least one); node 0 is never killed, so one node always serves. */
export function schedule(durationS: number, nodes: number): TimedFault[] {
  if (nodes < 2) throw new RangeError('the fault harness needs at least 2 gateway nodes');
  const cycles = Math.max(1, Math.floor(durationS / CYCLE_S));
  const out: TimedFault[] = [];
  for (let n = 0; n < cycles; n++) out.push(...cycle(n * CYCLE_S, nodes, n));
  return out;
}
