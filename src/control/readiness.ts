/**
 * Whether a node can do its work, from facts the node gathers (admin-server.ts asks them at
 * each /readyz). Pure: the verdict and its JSON body can be unit-tested without a node.
 */

/** One check: ok, or why not. */
export type CheckResult = { ok: true } | { ok: false; error: string };

export interface ReadinessFacts {
  /** The SMPP listeners configured, and those listening now. */
  listeners: { configured: number; listening: number };
  kafka: CheckResult;
  redis: CheckResult;
  /** Worker slots: how many there are, ready (stages bound to their groups), given up. */
  workers: { configured: number; ready: number; givenUp: number };
  /** The node has begun to stop: a load balancer should send nothing new. */
  stopping: boolean;
}

export interface Readiness {
  ready: boolean;
  checks: Record<'listeners' | 'kafka' | 'redis' | 'stages' | 'node', CheckResult>;
}

export function readiness(f: ReadinessFacts): Readiness {
  const checks: Readiness['checks'] = {
    listeners: f.listeners.listening >= f.listeners.configured
      ? { ok: true }
      : { ok: false, error: `${f.listeners.listening} of ${f.listeners.configured} SMPP listeners are listening` },
    kafka: f.kafka,
    redis: f.redis,
    stages: f.workers.givenUp > 0
      ? { ok: false, error: `${f.workers.givenUp} of ${f.workers.configured} stage worker threads were given up after dying repeatedly` }
      : f.workers.ready < f.workers.configured
        ? { ok: false, error: `${f.workers.ready} of ${f.workers.configured} stage worker threads are running their stages` }
        : { ok: true },
    node: f.stopping ? { ok: false, error: 'the node is stopping' } : { ok: true },
  };
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}
