/** The delivery stage: customer-outgoing-deliveries → the customers' binds on any node. */
import type { AtLeastOnceStage } from '../../host/stage.js';
import { RestoreGuard } from '../../redis/restore-guard.js';
import { deliveryActor } from './delivery-actor.js';
import { HeldDeliveries } from './held-deliveries.js';

export const stage: AtLeastOnceStage = {
  kind: 'at-least-once',
  name: 'delivery',
  topic: (t) => t.deliveries,
  // A window per partition: the delivery actor starts each customer's records in outbox order
  // and awaits the answers outside its customer lock. A customer that cannot take one does not
  // block the partition: its records are held apart.
  window: (c) => c.delivery.window,
  // A forwarded deliver_sm waits for the customer's answer; a Redis rebuild may come first.
  recordTimeoutMs: (c) => c.delivery.responseTimeoutMs * 2 + 120000,
  retry: (c) => ({ initialMs: 100, maxMs: c.delivery.retryIntervalMs }),
  partitionActor: (partition, env) => {
    const held = new HeldDeliveries(env.redis, env.config.redis.keyPrefix, env.writer, env.topics.heldDeliveries);
    const heldRestored = new RestoreGuard(env.redis, {
      sentinelKey: held.sentinelKey, owner: `${env.nodeId}/w${env.workerIndex}/p${partition}`, lockMs: 120000, logger: env.log,
      rebuild: () => held.rebuild(env.kafka, env.log),
    });
    return deliveryActor({
      partition, writer: env.writer, topics: env.topics, nodeId: env.nodeId, main: env.main, held, heldRestored,
      retryIntervalMs: env.config.delivery.retryIntervalMs, retentionMs: env.config.delivery.retentionSeconds * 1000,
    });
  },
};
