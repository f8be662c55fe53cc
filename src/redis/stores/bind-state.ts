/**
 * Provider bind states shared across the cluster through Redis, so every router knows which
 * providers are down and failover routes skip them. The owner of a bind writes its state with
 * a short TTL and refreshes it; when a node dies its claims lapse and the provider counts as
 * available again (its new owner will bind it), never as down forever.
 */
import type { RedisClient } from '../client.js';
import { redisKeys, type RedisKeys } from '../keys.js';

/** paused: bound but holding submits after ESME_RTHROTTLED. */
export type BindState = 'bound' | 'down' | 'paused';

export interface BindStateClaim {
  state: BindState;
  node: string;
  at: number;
}

export const BIND_STATE_TTL_SECONDS = 5;
/** How often an owner rewrites its claim; well inside the TTL. */
export const BIND_STATE_REFRESH_MS = 1000;

export class BindStateStore {
  private readonly keys: RedisKeys;

  constructor(private readonly redis: RedisClient, prefix: string, private readonly ttlSeconds = BIND_STATE_TTL_SECONDS) {
    this.keys = redisKeys(prefix);
  }

  private key(provider: string): string {
    return this.keys.bindState(provider);
  }

  async publish(provider: string, claim: BindStateClaim): Promise<void> {
    await this.redis.set(this.key(provider), JSON.stringify(claim), 'EX', this.ttlSeconds);
  }

  /** Each provider's current claim, or null when nobody holds one. */
  async read(providers: readonly string[]): Promise<Map<string, BindStateClaim | null>> {
    const out = new Map<string, BindStateClaim | null>();
    if (providers.length === 0) return out;
    const values = await this.redis.mget(providers.map((p) => this.key(p)));
    providers.forEach((p, i) => {
      const v = values[i];
      out.set(p, v === null || v === undefined ? null : (JSON.parse(v) as BindStateClaim));
    });
    return out;
  }
}

/**
 * Which providers routing should avoid. Only `down` counts: a paused bind resumes within
 * seconds (moving its traffic would flap), and a provider nobody claims is about to be bound
 * by whichever node takes its partition. Pure.
 */
export function unavailableFrom(claims: ReadonlyMap<string, BindStateClaim | null>): Set<string> {
  const out = new Set<string>();
  for (const [provider, claim] of claims) if (claim?.state === 'down') out.add(provider);
  return out;
}
