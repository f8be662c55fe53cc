/**
 * Turns parsed YAML/JSON into a GatewayConfig, or throws a ConfigError naming the bad field.
 * Pure: the environment comes in as data, read once by the caller at start-up.
 */
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { ConfigError } from '../errors.js';
import { Fields } from './fields.js';
import {
  BIND_TYPES, TOPIC_NAMES,
  type BindFailureConfig, type CustomerConfig, type GatewayConfig, type KafkaConfig, type ListenerConfig, type ProviderConfig,
  type RouteConfig, type TopicName,
} from './types.js';

export interface EnvOverrides {
  /** SMSGW_KAFKA_BROKERS: comma-separated host:port list. */
  kafkaBrokers?: string;
  /** REDIS_URL */
  redisUrl?: string;
  /** SMSGW_NODE_ID */
  nodeId?: string;
  /** SMSGW_LOG_LEVEL */
  logLevel?: string;
}

export function envOverrides(env: NodeJS.ProcessEnv): EnvOverrides {
  const out: EnvOverrides = {};
  if (env.SMSGW_KAFKA_BROKERS) out.kafkaBrokers = env.SMSGW_KAFKA_BROKERS;
  if (env.REDIS_URL) out.redisUrl = env.REDIS_URL;
  if (env.SMSGW_NODE_ID) out.nodeId = env.SMSGW_NODE_ID;
  if (env.SMSGW_LOG_LEVEL) out.logLevel = env.SMSGW_LOG_LEVEL;
  return out;
}

const HOST_PORT = /^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$/;
const ID = /^[A-Za-z0-9_.-]+$/;

export function validateConfig(raw: unknown, env: EnvOverrides = {}): GatewayConfig {
  const root = Fields.root(raw);

  const node = root.obj('node');
  const nodeId = env.nodeId ?? node.str('id', { default: `${hostname()}-${process.pid}`, pattern: ID, hint: 'must use letters, digits, _ . -' });
  const shutdownTimeoutMs = node.int('shutdownTimeoutMs', { default: 15000, min: 100 });
  const logLevel = node.oneOf('logLevel', ['debug', 'info', 'warn', 'error'] as const, 'info');
  node.done();
  if (env.logLevel !== undefined && !['debug', 'info', 'warn', 'error'].includes(env.logLevel))
    throw new ConfigError('SMSGW_LOG_LEVEL', 'must be one of debug, info, warn, error', env.logLevel);

  const listeners = root.objects<ListenerConfig>('listeners', (f, i) => ({
    name: f.str('name', { default: `listener-${i}` }),
    host: f.str('host', { default: '127.0.0.1' }),
    port: f.int('port', { min: 0, max: 65535 }),
    tls: readListenerTls(f),
  }), { required: true, minLength: 1 });

  const s = root.obj('session');
  const session = {
    window: s.int('window', { default: 10, min: 1, max: 1000 }),
    responseTimeoutMs: s.int('responseTimeoutMs', { default: 10000, min: 100 }),
    enquireLinkIntervalMs: s.int('enquireLinkIntervalMs', { default: 30000, min: 0 }),
    inactivityTimeoutMs: s.int('inactivityTimeoutMs', { default: 90000, min: 1000 }),
    maxPduLength: s.int('maxPduLength', { default: 16384, min: 64, max: 1 << 20 }),
    bindFailures: readBindFailures(s.obj('bindFailures')),
    messageStateTtlSeconds: s.int('messageStateTtlSeconds', { default: 7 * 24 * 3600, min: 1 }),
  };
  s.done();

  const kafka = readKafka(root.obj('kafka'), env);
  const r = root.obj('redis');
  const redis = {
    url: env.redisUrl ?? r.str('url', { default: 'redis://127.0.0.1:6379', pattern: /^rediss?:\/\//, hint: 'must start with redis:// or rediss://' }),
    keyPrefix: r.str('keyPrefix', { default: 'smsgw:' }),
  };
  r.done();
  if (env.redisUrl !== undefined && !/^rediss?:\/\//.test(env.redisUrl))
    throw new ConfigError('REDIS_URL', 'must start with redis:// or rediss://', env.redisUrl);

  const customers = root.objects<CustomerConfig>('customers', readCustomer, { required: true, minLength: 1 });
  unique(customers.map((c) => c.systemId), 'customers', 'systemId');

  const providers = root.objects<ProviderConfig>('providers', (f) => ({
    id: f.str('id', { pattern: ID, hint: 'must use letters, digits, _ . -' }),
    host: f.str('host'),
    port: f.int('port', { min: 1, max: 65535 }),
    systemId: f.str('systemId', { maxLength: 15 }),
    password: f.str('password', { maxLength: 8 }),
    systemType: f.str('systemType', { default: '', maxLength: 12 }),
    bindType: f.oneOf('bindType', BIND_TYPES, 'transceiver'),
    rate: f.num('rate', { default: 100, min: 0.01 }),
    window: f.int('window', { default: 10, min: 1, max: 1000 }),
    responseTimeoutMs: f.int('responseTimeoutMs', { default: 10000, min: 100 }),
  }), { required: true, minLength: 1 });
  unique(providers.map((p) => p.id), 'providers', 'id');

  const providerIds = new Set(providers.map((p) => p.id));
  const customerIds = new Set(customers.map((c) => c.systemId));
  const routes = root.objects<RouteConfig>('routes', (f, i) => {
    const provider = f.str('provider');
    if (!providerIds.has(provider)) throw new ConfigError(`routes[${i}].provider`, 'names no configured provider', provider);
    const routeCustomers = f.strings('customers');
    routeCustomers.forEach((c, j) => {
      if (!customerIds.has(c)) throw new ConfigError(`routes[${i}].customers[${j}]`, 'names no configured customer', c);
    });
    const destinationPrefixes = f.strings('destinationPrefixes');
    destinationPrefixes.forEach((p, j) => {
      if (!/^\+?\d*$/.test(p)) throw new ConfigError(`routes[${i}].destinationPrefixes[${j}]`, 'must be digits', p);
    });
    return { provider, customers: routeCustomers, destinationPrefixes: destinationPrefixes.map((p) => p.replace(/^\+/, '')) };
  }, { required: true, minLength: 1 });

  const d = root.obj('delivery');
  const delivery = {
    retryIntervalMs: d.int('retryIntervalMs', { default: 2000, min: 10 }),
    responseTimeoutMs: d.int('responseTimeoutMs', { default: 10000, min: 100 }),
  };
  d.done();
  root.done();

  return deepFreeze({
    nodeId, shutdownTimeoutMs, logLevel: (env.logLevel as GatewayConfig['logLevel'] | undefined) ?? logLevel,
    listeners, session, kafka, redis, customers, providers, routes, delivery,
  });
}

function readKafka(k: Fields, env: EnvOverrides): KafkaConfig {
  let brokers: string[];
  if (env.kafkaBrokers !== undefined) {
    brokers = env.kafkaBrokers.split(',').map((b) => b.trim()).filter(Boolean);
    brokers.forEach((b) => {
      if (!HOST_PORT.test(b)) throw new ConfigError('SMSGW_KAFKA_BROKERS', 'each broker must be host:port', b);
    });
    k.list('brokers');
  } else {
    brokers = k.strings('brokers', { default: ['127.0.0.1:9092'] });
    brokers.forEach((b, i) => {
      if (!HOST_PORT.test(b)) throw new ConfigError(`kafka.brokers[${i}]`, 'must be host:port', b);
    });
  }
  if (brokers.length === 0) throw new ConfigError('kafka.brokers', 'must list at least one broker');
  const clientId = k.str('clientId', { default: 'smsgw' });
  const topicPrefix = k.str('topicPrefix', { default: 'smsgw.', pattern: /^[A-Za-z0-9._-]*$/, hint: 'must use letters, digits, . _ -' });
  const replicationFactor = k.int('replicationFactor', { default: 1, min: 1, max: 7 });
  const partitions = readPartitions(k);
  k.done();
  return { brokers, clientId, topicPrefix, replicationFactor, partitions };
}

function readPartitions(k: Fields): Record<TopicName, number> {
  const out = {} as Record<TopicName, number>;
  if (!k.has('partitions') || k.isNumber('partitions')) {
    const n = k.int('partitions', { default: 12, min: 1, max: 1000 });
    for (const t of TOPIC_NAMES) out[t] = n;
    return out;
  }
  const p = k.obj('partitions');
  const def = p.int('default', { default: 12, min: 1, max: 1000 });
  for (const t of TOPIC_NAMES) out[t] = p.int(t, { default: def, min: 1, max: 1000 });
  p.done();
  // The changelog must be co-partitioned with the parts it records.
  if (out.assemblerChangelog !== out.messageParts)
    throw new ConfigError('kafka.partitions.assemblerChangelog', `must equal kafka.partitions.messageParts (${out.messageParts})`, out.assemblerChangelog);
  return out;
}

function readListenerTls(f: Fields): ListenerConfig['tls'] {
  if (!f.has('tls')) return undefined;
  const t = f.obj('tls');
  const tls = { certFile: t.str('certFile'), keyFile: t.str('keyFile') };
  t.done();
  return tls;
}

function readBindFailures(b: Fields): BindFailureConfig {
  const out = {
    free: b.int('free', { default: 3, min: 0 }),
    delayMs: b.int('delayMs', { default: 1000, min: 0 }),
    maxDelayMs: b.int('maxDelayMs', { default: 16000, min: 0 }),
    forgetMs: b.int('forgetMs', { default: 300000, min: 1000 }),
  };
  b.done();
  if (out.maxDelayMs < out.delayMs) throw new ConfigError(`${b.path}.maxDelayMs`, `must be >= delayMs (${out.delayMs})`, out.maxDelayMs);
  return out;
}

const SCRYPT_HASH = /^scrypt\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/;
const IP_RANGE = /^(\d{1,3}(\.\d{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)(\/\d{1,3})?$/;

function readCustomer(f: Fields, i: number): CustomerConfig {
  // SMPP 3.4 limits: system_id 15 octets, password 8.
  const systemId = f.str('systemId', { maxLength: 15, pattern: /^[\x21-\x7e]+$/, hint: 'must be printable ASCII without spaces' });
  const passwordHash = f.has('passwordHash')
    ? f.str('passwordHash', { pattern: SCRYPT_HASH, hint: 'must be scrypt$<salt>$<hash> as printed by hash-password' })
    : undefined;
  const password = f.has('password') ? f.str('password', { maxLength: 8 }) : undefined;
  if ((passwordHash === undefined) === (password === undefined))
    throw new ConfigError(`customers[${i}]`, 'needs exactly one of passwordHash and password');
  const bindTypes = f.strings('bindTypes', { allowed: BIND_TYPES, default: BIND_TYPES }) as CustomerConfig['bindTypes'];
  const allowedIps = f.strings('allowedIps');
  allowedIps.forEach((ip, j) => {
    if (!IP_RANGE.test(ip) || !validRange(ip)) throw new ConfigError(`customers[${i}].allowedIps[${j}]`, 'must be an IPv4 or IPv6 address or CIDR range', ip);
  });
  const maxBinds = f.int('maxBinds', { default: 10, min: 1, max: 10000 });
  const rate = f.has('rate') ? f.num('rate', { min: 0.1 }) : undefined;
  const burst = f.int('burst', { default: Math.max(1, Math.ceil(rate ?? 1)), min: 1 });
  return { systemId, passwordHash, password, bindTypes, allowedIps, maxBinds, rate, burst };
}

function validRange(range: string): boolean {
  const [addr = '', bits] = range.split('/');
  const family = isIP(addr);
  if (family === 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return Number.isInteger(n) && n >= 0 && n <= (family === 4 ? 32 : 128);
}

function unique(values: string[], list: string, field: string): void {
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (seen.has(v)) throw new ConfigError(`${list}[${i}].${field}`, 'is a duplicate', v);
    seen.add(v);
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
