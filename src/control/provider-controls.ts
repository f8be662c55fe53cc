/**
 * The operator's say over provider binds (smsgw pause, resume, rate provider). Journalled in
 * the live directory topic (src/directory/controls.ts) and copied to Redis, where the stage
 * workers read it, so it outlives the bind it was given to and Redis itself: whichever node
 * owns the bind next (after a crash, a rebalance or a restart) starts it paused, and at the rate
 * the operator set, when so told.
 */
import type { RedisClient } from '../redis/client.js';
import { controlKeys, type ControlKeys } from '../redis/keys.js';
import type { ControlJournal } from '../directory/live-directory.js';
import { GatewayError } from '../errors.js';

export interface ProviderOverrides {
  paused: boolean;
  /** Parts per second an operator set; undefined: the configured rate. */
  rate: number | undefined;
}

/**
 * How long a bind waits for a node to rebuild the controls in a Redis that came back empty
 * (every node does at its next status tick, every 1.5 s) before it trusts what Redis holds.
 */
const RESTORE_WAIT_MS = 5000;

export class ProviderControls {
  private readonly keys: ControlKeys;
  private unrestoredSince: number | undefined;

  constructor(private readonly redis: RedisClient, prefix: string, private readonly journal?: ControlJournal) {
    this.keys = controlKeys(prefix);
  }

  async pause(provider: string): Promise<void> {
    await this.journal?.journal({ target: 'provider', id: provider, aspect: 'paused', value: true });
    await this.redis.sadd(this.keys.pausedProviders, provider);
  }

  async resume(provider: string): Promise<void> {
    await this.journal?.journal({ target: 'provider', id: provider, aspect: 'paused', value: false });
    await this.redis.srem(this.keys.pausedProviders, provider);
  }

  async setRate(provider: string, rate: number): Promise<void> {
    await this.journal?.journal({ target: 'provider', id: provider, aspect: 'rate', value: rate });
    await this.redis.hset(this.keys.providerRates, provider, String(rate));
  }

  /**
   * The controls a starting bind honours. Throws (the bind asks again a second later) while
   * Redis has come back empty and no node has rebuilt them yet, for up to RESTORE_WAIT_MS: a
   * paused provider must not start sending because Redis forgot.
   */
  async read(provider: string, now = Date.now()): Promise<ProviderOverrides> {
    const [paused, rate, restored] = await Promise.all([
      this.redis.sismember(this.keys.pausedProviders, provider),
      this.redis.hget(this.keys.providerRates, provider),
      this.redis.exists(this.keys.controlsRestored),
    ]);
    if (restored === 0) {
      this.unrestoredSince ??= now;
      if (now - this.unrestoredSince < RESTORE_WAIT_MS) {
        throw new GatewayError('CONTROLS_NOT_RESTORED', 'Redis came back empty; waiting for a node to rebuild the operator controls from Kafka', { retriable: true });
      }
    } else {
      this.unrestoredSince = undefined;
    }
    const n = rate === null ? NaN : Number(rate);
    return { paused: paused === 1, rate: Number.isFinite(n) && n > 0 ? n : undefined };
  }
}
