/**
 * The set of providers that are down, as the router sees it: read from the cluster's bind
 * states at most once per `refreshMs` and shared by every message routed meanwhile. A Redis
 * failure keeps the last known set (routing must not stop because Redis hiccuped).
 */
import type { Logger } from '../../log.js';
import { errorMessage } from '../../errors.js';
import { BindStateStore, unavailableFrom } from '../../redis/stores/bind-state.js';
import type { RedisClient } from '../../redis/client.js';
import type { GatewayConfig } from '../../config/types.js';

export class AvailabilityCache {
  private current = new Set<string>();
  private readAt = 0;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly store: BindStateStore,
    private readonly providers: () => readonly string[],
    private readonly log: Logger,
    private readonly refreshMs = 1000,
  ) {}

  /** The providers to treat as unavailable, refreshed first when the last read is stale. */
  async unavailable(now = Date.now()): Promise<ReadonlySet<string>> {
    if (now - this.readAt >= this.refreshMs) {
      this.inFlight ??= this.refresh(now).finally(() => {
        this.inFlight = undefined;
      });
      await this.inFlight;
    }
    return this.current;
  }

  private async refresh(now: number): Promise<void> {
    try {
      const next = unavailableFrom(await this.store.read(this.providers()));
      const changed = next.size !== this.current.size || [...next].some((p) => !this.current.has(p));
      if (changed) this.log.info('provider availability changed', { down: [...next] });
      this.current = next;
    } catch (err) {
      this.log.warn('provider bind states not readable; keeping the last known', { error: errorMessage(err) });
    } finally {
      this.readAt = now;
    }
  }
}

/** The cache over the cluster's bind states of `config`'s providers, as routers (stage and edge) read them. */
export function availabilityOf(redis: RedisClient, config: Pick<GatewayConfig, 'providers' | 'redis'>, log: Logger): AvailabilityCache {
  return new AvailabilityCache(new BindStateStore(redis, config.redis.keyPrefix), () => config.providers.map((p) => p.id), log);
}
