/**
 * The customer edge of a node: the SMPP listeners (plain or TLS), and one session actor per
 * connection with everything sessions share on this node (customer directory, failed-bind
 * guard, cluster bind slots with their heartbeat, cluster rate limiter, message state).
 * The node starts it after its stages and stops it first.
 */
import { readFile } from 'node:fs/promises';
import type { GatewayConfig, ListenerConfig } from '../../config/types.js';
import { ConfigError, errorMessage } from '../../errors.js';
import type { DurableWriter } from '../../kafka/writer.js';
import type { Topics } from '../../kafka/topics.js';
import type { Logger } from '../../log.js';
import type { RedisClient } from '../../redis/client.js';
import type { ActorRef } from '../../runtime/actor.js';
import type { ActorSystem } from '../../runtime/system.js';
import type { SmppConnection } from '../../smpp/connection.js';
import { createSmppServer, type SmppServer } from '../../smpp/server.js';
import { Status } from '../../smpp/status.js';
import { CustomerDirectory } from './auth.js';
import { ClusterBindGuard } from './cluster-bind-guard.js';
import { BindSlots } from './bind-slots.js';
import type { LocalSessions } from './local-sessions.js';
import type { MessageStateStore } from '../../redis/stores/message-state.js';
import { ClusterRateLimiter } from './rate-limiter.js';
import type { SessionRegistry } from '../../redis/stores/session-registry.js';
import { sessionActor, type SessionDeps, type SessionMessage } from './session-actor.js';
import type { IntakeDeps } from './intake.js';
import { noOverrides, type CustomerOverrides } from '../../control/customer-controls.js';
import { EdgeRouter } from './edge-router.js';
import { availabilityOf } from '../router/availability-cache.js';
import type { GatewayMetrics } from '../../metrics/gateway-metrics.js';

export interface EdgeDeps {
  config: GatewayConfig;
  system: ActorSystem;
  writer: DurableWriter;
  topics: Topics;
  redis: RedisClient;
  registry: SessionRegistry;
  local: LocalSessions;
  states: MessageStateStore;
  nodeId: string;
  log: Logger;
  /** Operator blocks and rate changes; none without a control plane. */
  overrides?: CustomerOverrides;
  /** Single-part messages are routed here (routing.atEdge); only on a node that runs the router stage. */
  routeAtEdge: boolean;
  metrics?: GatewayMetrics;
}

export interface CustomerEdge {
  readonly listeners: readonly { name: string; host: string; port: number; tls: boolean }[];
  /** How messages are taken (rate limit, edge routing, durable write): shared with the HTTP edge. */
  readonly intake: IntakeDeps;
  /** The failed-bind slow-down, shared with the HTTP edge's failed authentications. */
  readonly guard: ClusterBindGuard;
  /** How many of the listeners accept connections now. */
  readonly listening: number;
  /** Refuses new connections, lets each session finish its in-flight submits and unbinds it. */
  unbindAll(unbindTimeoutMs: number, askTimeoutMs: number): Promise<void>;
  /** Takes the routes and customers of a changed configuration (a reload, the live directory). */
  reconfigure(config: GatewayConfig): void;
  /** Closes the listeners and what is left of the connections; stops the bind heartbeat. */
  close(): Promise<void>;
}

/** Bind slot lease: a dead node's binds are forgotten this long after its last heartbeat. */
const BIND_LEASE_MS = 30_000;

export async function startCustomerEdge(deps: EdgeDeps): Promise<CustomerEdge> {
  const { config, system, nodeId, log } = deps;
  const prefix = config.redis.keyPrefix;
  const slots = new BindSlots(deps.redis, prefix, nodeId, { leaseMs: BIND_LEASE_MS });
  await slots.clearNode(config.customers.map((c) => c.systemId));
  let lastRedisError = 0;
  const redisTrouble = (what: string) => (err: unknown) => {
    // At most one line every 10 s: this can fire for every submit while Redis is away.
    if (Date.now() - lastRedisError > 10_000) log.warn(what, { error: errorMessage(err) });
    lastRedisError = Date.now();
  };
  slots.startHeartbeat(redisTrouble('bind slot heartbeat failed'));
  const routing = deps.routeAtEdge
    ? new EdgeRouter(config, deps.topics, nodeId, config.kafka.partitions.providerOutgoing, availabilityOf(deps.redis, config, log))
    : undefined;
  const sessionDeps: SessionDeps = {
    config, writer: deps.writer, topics: deps.topics, registry: deps.registry, local: deps.local, nodeId,
    customers: new CustomerDirectory(config.customers),
    guard: new ClusterBindGuard(deps.redis, prefix, config.session.bindFailures, redisTrouble('failed-bind counts cannot reach Redis; counting per node')),
    slots,
    limiter: new ClusterRateLimiter(deps.redis, prefix, redisTrouble('rate limiter cannot reach Redis; limiting per node')),
    states: deps.states,
    overrides: deps.overrides ?? noOverrides,
    ...(routing ? { routing } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  };

  let draining = false;
  let sessionSeq = 0;
  const sessions = new Set<ActorRef<SessionMessage>>();
  const onConnection = (conn: SmppConnection) => {
    if (draining) {
      conn.destroy();
      return;
    }
    const id = `${nodeId}-${++sessionSeq}`;
    const ref = system.spawn(`session-${sessionSeq}`, sessionActor(id, conn, sessionDeps));
    sessions.add(ref);
    conn.on('request', (pdu, respond) => {
      // A customer far beyond its window: push back rather than queue without bound.
      if (!ref.tell({ type: 'request', pdu, respond })) respond(Status.ESME_RMSGQFUL);
    });
    conn.once('close', () => {
      if (!ref.tell({ type: 'closed' })) void ref.stop({ drain: false });
      void ref.stop({ drain: true }).finally(() => sessions.delete(ref));
    });
  };

  const servers: SmppServer[] = [];
  const listeners: { name: string; host: string; port: number; tls: boolean }[] = [];
  try {
    for (const [i, l] of config.listeners.entries()) {
      const server = createSmppServer({
        host: l.host, port: l.port, logger: log, maxConnectionsPerAddress: config.session.maxConnectionsPerAddress,
        ...(l.tls ? { tls: await readTls(l, i) } : {}),
        connection: {
          window: config.session.window, responseTimeoutMs: config.session.responseTimeoutMs,
          enquireLinkIntervalMs: config.session.enquireLinkIntervalMs, inactivityTimeoutMs: config.session.inactivityTimeoutMs,
          maxPduLength: config.session.maxPduLength, logger: log,
        },
      }, onConnection);
      const addr = await server.listen();
      servers.push(server);
      listeners.push({ name: l.name, ...addr, tls: Boolean(l.tls) });
    }
  } catch (err) {
    slots.stopHeartbeat();
    await Promise.allSettled(servers.map((s) => s.close()));
    throw err;
  }

  return {
    listeners,
    intake: sessionDeps,
    guard: sessionDeps.guard,
    get listening() {
      return servers.filter((s) => s.listening).length;
    },
    unbindAll: async (unbindTimeoutMs, askTimeoutMs) => {
      draining = true;
      await Promise.allSettled([...sessions].map((s) => s.ask({ type: 'shutdown', unbindTimeoutMs }, askTimeoutMs)));
    },
    reconfigure: (next) => {
      routing?.reload(next);
      // Binds from now on check the new entries; each session looks at its own customer again.
      sessionDeps.config = next;
      sessionDeps.customers = new CustomerDirectory(next.customers);
      for (const s of sessions) s.tell({ type: 'customersChanged' });
    },
    close: async () => {
      draining = true;
      await Promise.allSettled(servers.map((s) => s.close()));
      slots.stopHeartbeat();
    },
  };
}

function readTls(l: ListenerConfig, i: number): Promise<{ key: Buffer; cert: Buffer }> {
  return readTlsFiles(l.tls!, `listeners[${i}].tls`);
}

/** A listener's certificate and key (PEM files); a file that cannot be read is a ConfigError naming `path`. */
export async function readTlsFiles(tls: { certFile: string; keyFile: string }, path: string): Promise<{ key: Buffer; cert: Buffer }> {
  const read = async (field: 'certFile' | 'keyFile') => {
    try {
      return await readFile(tls[field]);
    } catch (err) {
      throw new ConfigError(`${path}.${field}`, `cannot be read: ${errorMessage(err)}`, tls[field]);
    }
  };
  return { cert: await read('certFile'), key: await read('keyFile') };
}
