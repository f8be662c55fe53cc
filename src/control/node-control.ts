/**
 * The control plane of one node, started by the node after its customer edge: the status
 * publisher and the control-channel handler, sharing the customer overrides the sessions read.
 */
import { readFile } from 'node:fs/promises';
import type { GatewayConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { RedisClient } from '../redis/client.js';
import type { Topics } from '../kafka/topics.js';
import type { ActorSystem } from '../runtime/system.js';
import type { StagePool } from '../host/threads/stage-pool.js';
import { groupIdFor, type StageDefinition } from '../host/stage.js';
import type { NodeSnapshot, ReloadResult } from '../node-types.js';
import type { CustomerControls } from './customer-controls.js';
import type { ControlJournal } from '../directory/live-directory.js';
import { restoreOperatorControls } from './restore-controls.js';
import { ControlHandler } from './handler.js';
import { StatusPublisher } from './publisher.js';
import type { DirectoryStatus, NodeStatus } from './status.js';

export interface NodeControlDeps {
  config: GatewayConfig;
  redis: RedisClient;
  topics: Topics;
  system: ActorSystem;
  pool: StagePool;
  controls: CustomerControls;
  /** Where operator controls are journalled (the live directory); without it, Redis only. */
  journal?: ControlJournal;
  stages: readonly string[];
  listeners: NodeStatus['listeners'];
  snapshot: () => Promise<NodeSnapshot>;
  /** The node's one reload (GatewayNode.reload). */
  reload: () => Promise<ReloadResult>;
  directory?: () => DirectoryStatus;
  log: Logger;
}

export interface NodeControl {
  /** The configuration in force changed (live directory): operators' commands check against it. */
  reconfigure(config: GatewayConfig): Promise<void>;
  stop(): Promise<void>;
}

export async function startNodeControl(deps: NodeControlDeps): Promise<NodeControl> {
  const { config, log } = deps;
  const definitions = await Promise.all(deps.stages.map(async (url) => (await import(url) as { stage: StageDefinition }).stage));
  const handler = new ControlHandler({
    nodeId: config.nodeId, config, redis: deps.redis, system: deps.system, pool: deps.pool, controls: deps.controls, log,
    reload: deps.reload, ...(deps.journal ? { journal: deps.journal } : {}),
  });
  const publisher = new StatusPublisher({
    redis: deps.redis, prefix: config.redis.keyPrefix, nodeId: config.nodeId, version: await packageVersion(),
    listeners: deps.listeners, snapshot: deps.snapshot, onTick: async () => {
      // A Redis that came back empty gets the operator's controls back from their journal.
      if (deps.journal) await restoreOperatorControls(deps.redis, config.redis.keyPrefix, deps.journal.controls, log);
      await deps.controls.refresh();
    }, log,
    ...(deps.directory ? { directory: deps.directory } : {}),
    cluster: {
      topics: deps.topics,
      stages: definitions.map((d) => ({ stage: d.name, groupId: groupIdFor(config, d.name), topic: d.topic(deps.topics) })),
      customers: config.customers.map((c) => c.systemId),
    },
  });
  await handler.start();
  await publisher.start();
  return {
    reconfigure: async (next) => {
      handler.reconfigure(next);
      await publisher.describe(next.customers.map((c) => c.systemId)).catch((err: unknown) => log.warn('cluster description not updated', { error: String(err) }));
      publisher.nudge();
    },
    stop: async () => {
      await publisher.stop();
      await handler.stop();
    },
  };
}

export async function packageVersion(): Promise<string> {
  try {
    // dist/src/control/ → the package root.
    const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
