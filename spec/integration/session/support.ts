/**
 * The customer edge started in this process over real loopback sockets and the real Redis,
 * with a Kafka writer fake so a spec can make Kafka acknowledge, fail or be full at will.
 */
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCustomerEdge, type CustomerEdge } from '../../../src/actors/session/edge.js';
import { LocalSessions } from '../../../src/actors/session/local-sessions.js';
import { MessageStateStore } from '../../../src/redis/stores/message-state.js';
import { SessionRegistry } from '../../../src/redis/stores/session-registry.js';
import { validateConfig } from '../../../src/config/validate.js';
import type { GatewayConfig } from '../../../src/config/types.js';
import { topicNames } from '../../../src/kafka/topics.js';
import { WriterQueueFullError, type DurableWriter, type OutRecord } from '../../../src/kafka/writer.js';
import { UnavailableError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { connectRedis, type RedisClient } from '../../../src/redis/client.js';
import { ActorSystem } from '../../../src/runtime/system.js';
import { SmppConnection } from '../../../src/smpp/connection.js';
import { redisUrl } from '../../support/env.js';

/** Stands in for the DurableWriter: acknowledges, fails like a broker that is down, or is full. */
export class ScriptedWriter {
  readonly records: OutRecord[] = [];
  behaviour: 'ack' | 'broker-down' | 'queue-full' = 'ack';
  append(records: OutRecord | OutRecord[]): Promise<void> {
    const list = Array.isArray(records) ? records : [records];
    if (this.behaviour === 'broker-down') return Promise.reject(new UnavailableError('KAFKA_WRITE_FAILED', 'broker down'));
    if (this.behaviour === 'queue-full') return Promise.reject(new WriterQueueFullError(20000));
    this.records.push(...list);
    return Promise.resolve();
  }
}

export interface TestEdge {
  config: GatewayConfig;
  edge: CustomerEdge;
  writer: ScriptedWriter;
  redis: RedisClient;
  states: MessageStateStore;
  /** The node's actor system and local sessions, for specs that check what is left after sessions close. */
  system: ActorSystem;
  local: LocalSessions;
  port: number;
  tlsPort: number | undefined;
  stop(): Promise<void>;
}

export async function startTestEdge(prefix: string, raw: { customers: unknown[]; session?: Record<string, unknown>; tls?: boolean; nodeId?: string; routes?: unknown[]; routeAtEdge?: boolean }): Promise<TestEdge> {
  const pem = raw.tls ? selfSigned() : undefined;
  const config = validateConfig({
    node: { id: raw.nodeId ?? `edge-${prefix.replace(/[^A-Za-z0-9_.-]/g, '')}` },
    listeners: [{ port: 0 }, ...(pem ? [{ name: 'tls', port: 0, tls: pem }] : [])],
    session: { enquireLinkIntervalMs: 0, ...raw.session },
    redis: { url: redisUrl, keyPrefix: prefix },
    kafka: { topicPrefix: prefix },
    customers: raw.customers,
    providers: [{ id: 'p', host: '127.0.0.1', port: 1, systemId: 'p', password: 'p' }],
    routes: raw.routes ?? [{ provider: 'p' }],
  });
  const redis = await connectRedis(config.redis, silentLogger);
  const writer = new ScriptedWriter();
  const system = new ActorSystem({ name: config.nodeId, logger: silentLogger, askTimeoutMs: 10000 });
  const states = new MessageStateStore(redis, prefix, 600);
  const local = new LocalSessions();
  const edge = await startCustomerEdge({
    config, system, writer: writer as unknown as DurableWriter, topics: topicNames(prefix), redis,
    registry: new SessionRegistry(redis, prefix), local, states, nodeId: config.nodeId, log: silentLogger,
    routeAtEdge: raw.routeAtEdge ?? false,
  });
  return {
    config, edge, writer, redis, states, system, local,
    port: edge.listeners[0]!.port,
    tlsPort: edge.listeners[1]?.port,
    stop: async () => {
      await edge.unbindAll(500, 2000);
      await edge.close();
      await system.shutdown({ drain: false });
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}

/** Our own SMPP transport as the customer's client, so a spec can send any field or TLV. */
export async function connectClient(port: number, useTls = false): Promise<SmppConnection> {
  const socket = useTls
    ? tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false })
    : net.connect({ host: '127.0.0.1', port });
  await once(socket, useTls ? 'secureConnect' : 'connect');
  return new SmppConnection(socket, { enquireLinkIntervalMs: 0, inactivityTimeoutMs: 0, responseTimeoutMs: 20000 });
}

export function selfSigned(): { certFile: string; keyFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'smsgw-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { certFile, keyFile };
}
