/**
 * Knows whether Redis still holds state that is rebuilt from Kafka, and rebuilds it once when
 * not. A sentinel key is written after each rebuild; Redis keeps nothing on disk here, so a
 * missing sentinel means Redis started empty (first start, or a restart) and the state must be
 * replayed before anyone trusts a miss. One process in the cluster rebuilds (a lock key);
 * the others wait for the sentinel.
 */
import type { RedisClient } from './client.js';
import { UnavailableError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

export interface RestoreGuardOptions {
  /** The sentinel; the lock is `<sentinel>:lock`. */
  sentinelKey: string;
  /** Who is rebuilding (node and thread), stored in the lock and the sentinel. */
  owner: string;
  /**
   * How long the lock outlives its holder's last extension: the holder extends it while it
   * rebuilds (a journal of millions of records takes minutes), so another process takes over
   * only from a holder that died.
   */
  lockMs: number;
  rebuild: () => Promise<number>;
  logger: Logger;
}

export class RestoreGuard {
  private running: Promise<void> | null = null;

  constructor(private readonly redis: RedisClient, private readonly options: RestoreGuardOptions) {}

  /** Resolves once Redis holds the state (rebuilding it first if it was lost). */
  async ensure(): Promise<void> {
    if ((await this.redis.exists(this.options.sentinelKey)) === 1) return;
    this.running ??= this.restore().finally(() => (this.running = null));
    return this.running;
  }

  private async restore(): Promise<void> {
    const { sentinelKey, owner, lockMs, logger } = this.options;
    const lockKey = `${sentinelKey}:lock`;
    for (;;) {
      if ((await this.redis.exists(sentinelKey)) === 1) return;
      if ((await this.redis.set(lockKey, owner, 'PX', lockMs, 'NX')) === 'OK') {
        // The lock may be free because another process just finished (sentinel set, lock let
        // go between this loop's two reads): a second rebuild would only cost its callers a wait.
        if ((await this.redis.exists(sentinelKey)) === 1) {
          await this.release(lockKey, owner);
          return;
        }
        const started = Date.now();
        const extend = setInterval(() => {
          void this.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0", 1, lockKey, owner, lockMs)
            .catch(() => undefined);
        }, Math.max(100, Math.floor(lockMs / 3)));
        try {
          logger.warn('Redis state missing; rebuilding it from Kafka', { sentinel: sentinelKey });
          const records = await this.options.rebuild();
          await this.redis.set(sentinelKey, JSON.stringify({ by: owner, at: Date.now(), records }));
          logger.info('Redis state rebuilt from Kafka', { sentinel: sentinelKey, records, ms: Date.now() - started });
        } catch (err) {
          throw new UnavailableError('REDIS_RESTORE_FAILED', `rebuilding ${sentinelKey} failed: ${errorMessage(err)}`, err);
        } finally {
          clearInterval(extend);
          await this.release(lockKey, owner);
        }
        return;
      }
      // Another process rebuilds: its lock lives as long as it does, and then this one takes over.
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Lets go of the lock if it is still ours (a holder that stalled past it may have lost it). */
  private async release(lockKey: string, owner: string): Promise<void> {
    await this.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0", 1, lockKey, owner).catch(() => undefined);
  }
}
