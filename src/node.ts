/**
 * One gateway node. The main thread holds the customer edge (SMPP listeners and one session
 * actor per connection); the stage actors (router, suppliers, correlator, delivery) run on
 * worker threads, each bound to its Kafka topic. Started and stopped as one.
 */
import type { GatewayConfig } from './config/types.js';
import type { Logger } from './log.js';
import { ConfigError, errorMessage, redactUrl } from './errors.js';
import { mergeReload } from './config/reload.js';
import { createKafka } from './kafka/client.js';
import { ensureTopics } from './kafka/topics.js';
import { DurableWriter, GATEWAY_LINGER_MS } from './kafka/writer.js';
import { connectRedis } from './redis/client.js';
import { ActorSystem } from './runtime/system.js';
import { StagePool } from './host/threads/stage-pool.js';
import type { NodeSnapshot, ReloadResult } from './node-types.js';
import { SessionRegistry } from './redis/stores/session-registry.js';
import { LocalSessions } from './actors/session/local-sessions.js';
import { MessageStateStore } from './redis/stores/message-state.js';
import { startCustomerEdge } from './actors/session/edge.js';
import { builtInStages } from './actors/stages.js';
import { DeliveryDispatch } from './actors/delivery/dispatch.js';
import { NodeLink } from './actors/delivery/node-link.js';
import { CustomerControls } from './control/customer-controls.js';
import { packageVersion, startNodeControl } from './control/node-control.js';
import { startHttpEdge } from './http/server.js';
import { startAdminServer, timedCheck } from './control/admin-server.js';
import type { CheckResult } from './control/readiness.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { nodeExposition } from './metrics/aggregate.js';
import { heldSummary } from './redis/stores/held-summary.js';
import { LiveDirectory } from './directory/live-directory.js';
import { restoreOperatorControls } from './control/restore-controls.js';
import { checkReferences, liveConfig, type LiveConfig } from './directory/live-config.js';
import type { DirectoryStatus } from './control/status.js';

export type { NodeSnapshot, ReloadResult } from './node-types.js';

export interface GatewayNode {
  readonly nodeId: string;
  readonly listeners: readonly { name: string; host: string; port: number; tls: boolean }[];
  /** The admin HTTP listener's address (admin-server.ts), when configured. */
  readonly admin: { host: string; port: number } | null;
  /** The customer HTTP API's address; null when not configured. */
  readonly http: { host: string; port: number } | null;
  readonly system: ActorSystem;
  readonly pool: StagePool;
  snapshot(): Promise<NodeSnapshot>;
  /** The configuration in force (changed by reloads). */
  readonly config: GatewayConfig;
  /**
   * Reads the node's configuration again (StartOptions.reloadConfig) and applies its routes,
   * routing, customer groups and provider rates to the stage actors of every worker thread
   * (and to those started later). The one reload path: the file watch, SIGHUP and the
   * operator's reload-routes all come here. An invalid file is refused, with the field named,
   * and the running configuration stays.
   */
  reload(why: string): Promise<ReloadResult>;
  /** Unbinds customers, finishes in-flight work, commits, disconnects. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Stage modules for the worker threads (default: the gateway's own stages). */
  stages?: readonly string[];
  /** Reads the node's configuration again (its file); without it a reload is refused. */
  reloadConfig?: () => Promise<GatewayConfig>;
}

/** How often a node writes its sessions into the registry again (brings them back after a Redis loss). */
const REGISTRY_REFRESH_MS = 5000;

export async function startNode(fileConfig: GatewayConfig, logger: Logger, options: StartOptions = {}): Promise<GatewayNode> {
  const nodeId = fileConfig.nodeId;
  const log = logger.child({ node: nodeId });
  const kafka = createKafka(fileConfig.kafka, `${fileConfig.kafka.clientId}-${nodeId}`, log);
  const topics = await ensureTopics(kafka, fileConfig.kafka, log);
  const redis = await connectRedis(fileConfig.redis, log);
  const writer = new DurableWriter(kafka, { maxPending: 20000, maxBatch: 1000, lingerMs: GATEWAY_LINGER_MS, foldTopic: topics.events, logger: log });
  await writer.start();

  // Customers and providers come from the live directory every node follows; the file seeds it.
  const directory = new LiveDirectory(kafka, topics, writer, nodeId, log);
  await directory.start();
  checkReferences(fileConfig, directory.state);
  await directory.seed(fileConfig);
  const reportLive = (live: LiveConfig): GatewayConfig => {
    for (const why of live.removed) log.warn('left out of the configuration: removed from the directory', { why });
    for (const bad of live.invalid) log.error('directory entry not taken', bad);
    return live.config;
  };
  const config = reportLive(liveConfig(fileConfig, directory.state));
  let directoryStatus: DirectoryStatus = { appliedAt: directory.state.latestAt, error: null };

  const registry = new SessionRegistry(redis, config.redis.keyPrefix);
  const cleared = await registry.clearNode(nodeId);
  if (cleared > 0) log.info('stale sessions of an earlier run of this node removed', { sessions: cleared });
  const local = new LocalSessions();
  // query_sm state: written by sessions on accept, updated by the correlator on receipts.
  const states = new MessageStateStore(redis, config.redis.keyPrefix, config.session.messageStateTtlSeconds);
  const system = new ActorSystem({ name: nodeId, logger: log, askTimeoutMs: 30000 });
  // The main thread's metrics; each worker keeps its own, merged at each scrape (/metrics).
  const metrics = new GatewayMetrics();

  // Receipts and MO go out over a bind here, or through another node that has one.
  // A forwarded record is sent over a bind here only (deliverLocal): it never travels on.
  const link: NodeLink = new NodeLink({ redis, prefix: config.redis.keyPrefix, nodeId, deliverLocal: (r): Promise<void> => dispatch.deliverLocal(r), logger: log });
  // Customers with a webhook take their receipts and MO by HTTP (customers change live: apply()).
  const webhooksOf = (c: GatewayConfig) => new Map(c.customers.flatMap((x) => (x.webhook ? [[x.systemId, x.webhook] as const] : [])));
  let webhooks = webhooksOf(config);
  const dispatch: DeliveryDispatch = new DeliveryDispatch({
    nodeId, local, registry, link, responseTimeoutMs: config.delivery.responseTimeoutMs, logger: log, metrics, webhookOf: (c) => webhooks.get(c),
  });
  await link.start();
  registry.startRefresh(REGISTRY_REFRESH_MS, (err) => log.warn('session registry refresh failed', { error: errorMessage(err) }));
  // Before the stage workers start: the provider binds they hold read the controls from Redis.
  await restoreOperatorControls(redis, config.redis.keyPrefix, directory.controls, log);
  const pool = new StagePool({
    threads: config.threads, nodeId, config, stages: [...(options.stages ?? builtInStages)], logger: log,
    deliver: (record) => dispatch.deliver(record),
  });
  pool.on('givenUp', (index, error) => log.error('a stage worker keeps dying; this node no longer runs its share', { worker: index, error: error.message }));
  await pool.start();

  // Operator blocks and rate changes: journalled in the directory topic, copied to Redis.
  const controls = new CustomerControls(redis, config.redis.keyPrefix, directory);
  await controls.refresh();
  // The customer edge (SMPP listeners and session actors): src/actors/session/edge.ts.
  const routeAtEdge = config.routing.atEdge && (options.stages ?? builtInStages).some((s) => s.endsWith('/actors/router/stage.js'));
  const edge = await startCustomerEdge({ config, system, writer, topics, redis, registry, local, states, nodeId, log, overrides: controls, routeAtEdge, metrics });
  const listeners = edge.listeners;
  // The customer HTTP API beside SMPP, taking messages the same way (src/http/).
  const httpEdge = config.http === null ? null : await startHttpEdge({
    config, http: config.http, intake: edge.intake, states, overrides: controls, guard: edge.guard, nodeId, version: await packageVersion(), log,
  });
  const snapshot = async (): Promise<NodeSnapshot> => ({ nodeId, main: system.snapshot(), workers: await pool.snapshot() });
  let current = config;
  let file = fileConfig;
  /** Puts a configuration in force on the edge, every worker and the control plane. */
  const apply = async (next: GatewayConfig): Promise<{ workers: number; actors: number }> => {
    current = next;
    webhooks = webhooksOf(next);
    const told = await pool.reconfigure(next);
    edge.reconfigure(next);
    httpEdge?.reconfigure(next);
    await control.reconfigure(next);
    return { workers: told.length, actors: told.reduce((n, t) => n + t.actors, 0) };
  };
  // One reload or directory change at a time, in the order they came: the later one wins.
  let reloading: Promise<unknown> = Promise.resolve();
  const reload = (why: string): Promise<ReloadResult> => {
    const done = reloading.then(async (): Promise<ReloadResult> => {
      if (!options.reloadConfig) return { ok: false, field: undefined, error: 'this node was started without a configuration file to read again' };
      try {
        const nextFile = mergeReload(file, await options.reloadConfig());
        checkReferences(nextFile, directory.state);
        await directory.seed(nextFile);
        const next = reportLive(liveConfig(nextFile, directory.state));
        file = nextFile;
        const told = await apply(next);
        directoryStatus = { appliedAt: directory.state.latestAt, error: null };
        log.info('configuration reloaded', { why, routes: next.routes.length, customers: next.customers.length, providers: next.providers.length, ...told });
        return { ok: true, routes: next.routes.length, ...told };
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        log.error('configuration not reloaded; the running configuration stays', { why, field: err.field, error: err.message });
        return { ok: false, field: err.field, error: err.message };
      }
    });
    reloading = done.catch(() => undefined);
    return done;
  };
  const onDirectoryChanged = (): void => {
    reloading = reloading.then(async () => {
      try {
        const next = reportLive(liveConfig(file, directory.state));
        // Its own seeds coming back, or a record that changes nothing here: nothing to tell anyone.
        if (sameDirectory(next, current)) {
          directoryStatus = { appliedAt: directory.state.latestAt, error: null };
          return;
        }
        const told = await apply(next);
        directoryStatus = { appliedAt: directory.state.latestAt, error: null };
        log.info('directory change applied', { customers: next.customers.length, providers: next.providers.length, ...told });
      } catch (err) {
        directoryStatus = { appliedAt: directoryStatus.appliedAt, error: errorMessage(err) };
        log.error('directory change not applied; the running configuration stays', { error: errorMessage(err), field: err instanceof ConfigError ? err.field : undefined });
      }
    }).catch(() => undefined);
  };

  // What the operator CLI sees and does: src/control/.
  const control = await startNodeControl({
    config, redis, topics, system, pool, controls, journal: directory, stages: options.stages ?? builtInStages, listeners: [...listeners], snapshot, log,
    reload: () => reload('reload-routes'),
    directory: () => directoryStatus,
  });
  // From here a change can be applied everywhere; one that came during start-up is applied now.
  directory.on('changed', onDirectoryChanged);
  onDirectoryChanged();
  // What a load balancer or orchestrator asks: src/control/admin-server.ts.
  let stoppingNow = false;
  const kafkaAdmin = config.admin === null ? null : kafka.admin();
  let kafkaProbe: Promise<CheckResult> | null = null;
  if (config.admin !== null) {
    // Process-wide figures (CPU, memory, event loop) once, from the main thread.
    metrics.observeProcess();
    metrics.observeNode({
      sessions: () => [...local.all()].map((s) => ({ customer: s.customer, bindType: s.bindType })),
      workers: () => pool.slotStates,
      held: () => Promise.all(current.customers.map(async (c) => ({ customer: c.systemId, ...(await heldSummary(redis, config.redis.keyPrefix, c.systemId)) }))),
    });
  }
  const admin = config.admin === null || kafkaAdmin === null ? null : await startAdminServer({
    config: config.admin, log,
    metrics: async () => nodeExposition(metrics.registry, await pool.metrics()),
    facts: async () => {
      // One probe of each kind at a time: a broker that hangs does not pile up requests.
      kafkaProbe ??= timedCheck('Kafka', 2000, async () => {
        await kafkaAdmin.connect();
        await kafkaAdmin.describeCluster();
      }).finally(() => { kafkaProbe = null; });
      const [kafkaOk, redisOk] = await Promise.all([kafkaProbe, timedCheck('Redis', 2000, () => redis.ping())]);
      return {
        listeners: { configured: config.listeners.length, listening: edge.listening },
        kafka: kafkaOk, redis: redisOk, workers: pool.slotStates, stopping: stoppingNow,
      };
    },
  });
  log.info('gateway node started', { listeners, http: httpEdge === null ? null : { host: httpEdge.host, port: httpEdge.port }, admin: admin === null ? null : { host: admin.host, port: admin.port }, threads: config.threads, brokers: config.kafka.brokers, redis: redactUrl(config.redis.url) });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      log.info('gateway node stopping');
      // Not ready from the first moment of stopping; the listener itself goes last.
      stoppingNow = true;
      directory.off('changed', onDirectoryChanged);
      await control.stop().catch((err: unknown) => log.warn('control plane stop failed', { error: errorMessage(err) }));
      // Customers first: each session finishes its in-flight submits (answered only once
      // durable) and is unbound, so nothing is acknowledged but unwritten.
      await httpEdge?.close().catch((err: unknown) => log.warn('HTTP API close failed', { error: errorMessage(err) }));
      await edge.unbindAll(3000, 10000);
      await edge.close();
      // Stages: each worker stops fetching, lets in-flight records finish, commits, unbinds
      // its providers.
      await pool.stop();
      await system.shutdown({ drain: true });
      await directory.stop();
      await writer.stop().catch((err: unknown) => log.error('writer stop failed', { error: errorMessage(err) }));
      registry.stopRefresh();
      await link.stop();
      await registry.clearNode(nodeId).catch(() => undefined);
      await redis.quit().catch(() => redis.disconnect());
      await kafkaAdmin?.disconnect().catch(() => undefined);
      await admin?.close();
      log.info('gateway node stopped');
    })();
    return stopping;
  };
  return { nodeId, listeners, admin: admin === null ? null : { host: admin.host, port: admin.port }, http: httpEdge === null ? null : { host: httpEdge.host, port: httpEdge.port }, system, pool, snapshot, stop, reload, get config() { return current; } };
}

/** Whether two configurations have the same customers, providers and routes (what the directory changes). */
function sameDirectory(a: GatewayConfig, b: GatewayConfig): boolean {
  const of = (c: GatewayConfig) => JSON.stringify([c.customers, c.providers, c.removedProviders ?? [], c.routes, c.customerGroups]);
  return of(a) === of(b);
}
