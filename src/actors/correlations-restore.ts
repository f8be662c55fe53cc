/**
 * What Redis loses that the correlations journal (provider-message-correlations) brings back:
 * the correlations themselves, which the correlator needs to find a receipt's customer, and
 * the supplier's sent memory, which keeps a copy of a record from reaching its provider twice.
 * One replay rebuilds both under one sentinel, whichever stage meets the empty Redis first;
 * the other waits for it (RestoreGuard).
 */
import type { StageEnv } from '../host/stage.js';
import { RestoreGuard } from '../redis/restore-guard.js';
import { CorrelationStore, CORRELATION_TTL_SECONDS, journalEntries } from '../redis/stores/correlation-store.js';
import { replayTopic } from '../kafka/replay.js';
import { SentMemory, SENT_MEMORY_TTL_SECONDS } from './supplier/sent-memory.js';
import { SentRebuild } from './supplier/sent-rebuild.js';

export interface CorrelationsState {
  correlations: CorrelationStore;
  sent: SentMemory;
  guard: RestoreGuard;
}

/** `journalled`: this store writes the journal as well (the supplier's), not only reads Redis. */
export function correlationsState(env: StageEnv, journalled: boolean): CorrelationsState {
  const prefix = env.config.redis.keyPrefix;
  const correlations = new CorrelationStore(env.redis, prefix, CORRELATION_TTL_SECONDS,
    journalled ? { writer: env.writer, topic: env.topics.correlations } : undefined);
  // The sent memory waits for the guard, and the guard's rebuild writes the sent memory.
  let guard: RestoreGuard | undefined;
  const sent = new SentMemory(env.redis, prefix, SENT_MEMORY_TTL_SECONDS, { ensure: () => guard!.ensure() });
  guard = new RestoreGuard(env.redis, {
    sentinelKey: correlations.sentinelKey, owner: `${env.nodeId}/w${env.workerIndex}`, lockMs: 60000, logger: env.log,
    rebuild: async () => {
      const rebuilt = new SentRebuild(SENT_MEMORY_TTL_SECONDS);
      const n = await replayTopic(env.kafka, env.topics.correlations, async (records) => {
        const entries = journalEntries(records);
        await correlations.restore(entries);
        await sent.restore(rebuilt.add(entries));
      }, { timeoutMs: 55000, logger: env.log });
      await sent.restore(rebuilt.rest());
      return n;
    },
  });
  return { correlations, sent, guard };
}
