/**
 * Rebuilds the operator's controls in Redis from their journal (src/directory/controls.ts)
 * when Redis has lost them: a node does it at start and on every status tick, whenever the
 * `restored` sentinel is missing (a Redis that restarted empty, or a first start). The writes
 * are idempotent, so two nodes restoring at once write the same thing. Aspects the journal
 * never recorded are left as Redis has them.
 */
import type { RedisClient } from '../redis/client.js';
import { controlKeys } from '../redis/keys.js';
import type { ControlState } from '../directory/controls.js';
import type { Logger } from '../log.js';

/** Writes the journalled controls back when the sentinel is missing, and says so in the log. */
export async function restoreOperatorControls(redis: RedisClient, prefix: string, controls: ControlState, log: Logger): Promise<void> {
  const keys = controlKeys(prefix);
  if ((await redis.exists(keys.controlsRestored)) === 1) return;
  const m = redis.multi();
  const records = controls.all();
  for (const r of records) {
    if (r.aspect === 'rate') {
      const hash = r.target === 'customer' ? keys.customerRates : keys.providerRates;
      if (typeof r.value === 'number') m.hset(hash, r.id, String(r.value));
      else m.hdel(hash, r.id);
    } else {
      const set = r.target === 'customer' ? keys.blocked : keys.pausedProviders;
      if (r.value === true) m.sadd(set, r.id);
      else m.srem(set, r.id);
    }
  }
  m.set(keys.controlsRestored, String(Date.now()));
  await m.exec();
  log.info('operator controls written to Redis from their journal', { aspects: records.length });
}
