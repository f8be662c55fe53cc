/**
 * Turns parsed YAML/JSON into a GatewayConfig, or throws a ConfigError naming the bad field.
 * Pure: the environment comes in as data, read once by the caller at start-up.
 */
import { DEFAULT_BROKERS, DEFAULT_KEY_PREFIX, DEFAULT_REDIS_URL, DEFAULT_TOPIC_PREFIX } from './defaults.js';
import { isIP } from 'node:net';
import { availableParallelism, hostname } from 'node:os';
import { ConfigError } from '../errors.js';
import { Fields } from './fields.js';
import {
  type AdminConfig, type HttpConfig,
  BIND_TYPES, CONCATENATIONS, RECEIPT_ID_FORMS, ROUTE_KINDS, TOPIC_NAMES, WEEKDAYS,
  type AssemblerConfig, type BindFailureConfig, type CustomerConfig, type GatewayConfig, type KafkaConfig, type ListenerConfig, type ProviderConfig,
  type RouteConfig, type RouteProviderConfig, type RoutingConfig, type TimeWindowConfig, type TopicName,
} from './types.js';
import { ENCODING_CLASSES } from '../domain/encoding-class.js';
import { compileRoutes } from '../domain/routing/route-table.js';
import { compileNumberOwners } from '../domain/routing/number-owners.js';
import { ASSEMBLER_DEFAULTS } from './assembler-defaults.js';
import { readSasl, readTlsClient } from './connectivity.js';
import { API_KEY_DIGEST } from '../domain/api-keys.js';

export interface EnvOverrides {
  /** SMSGW_KAFKA_BROKERS: comma-separated host:port list. */
  kafkaBrokers?: string;
  /** REDIS_URL */
  redisUrl?: string;
  /** SMSGW_NODE_ID */
  nodeId?: string;
  /** SMSGW_LOG_LEVEL */
  logLevel?: string;
  /** SMSGW_THREADS */
  threads?: number;
}

export function envOverrides(env: NodeJS.ProcessEnv): EnvOverrides {
  const out: EnvOverrides = {};
  if (env.SMSGW_KAFKA_BROKERS) out.kafkaBrokers = env.SMSGW_KAFKA_BROKERS;
  if (env.REDIS_URL) out.redisUrl = env.REDIS_URL;
  if (env.SMSGW_NODE_ID) out.nodeId = env.SMSGW_NODE_ID;
  if (env.SMSGW_LOG_LEVEL) out.logLevel = env.SMSGW_LOG_LEVEL;
  if (env.SMSGW_THREADS) {
    const n = Number(env.SMSGW_THREADS);
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new ConfigError('SMSGW_THREADS', 'must be an integer from 1 to 64', env.SMSGW_THREADS);
    out.threads = n;
  }
  return out;
}

const HOST_PORT = /^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$/;
const ID = /^[A-Za-z0-9_.-]+$/;

export interface ValidateOptions {
  /**
   * `file` (default): routes and customer groups may name only the file's customers and
   * providers. `directory`: also those of the live directory (src/directory/), which the node
   * checks once it has read it (live-config.ts).
   */
  references?: 'file' | 'directory';
}

export function validateConfig(raw: unknown, env: EnvOverrides = {}, options: ValidateOptions = {}): GatewayConfig {
  const deferred = options.references === 'directory';
  const root = Fields.root(raw);

  const node = root.obj('node');
  const nodeId = env.nodeId ?? node.str('id', { default: `${hostname()}-${process.pid}`, pattern: ID, hint: 'must use letters, digits, _ . -' });
  const shutdownTimeoutMs = node.int('shutdownTimeoutMs', { default: 15000, min: 100 });
  const threads = env.threads ?? node.int('threads', { default: availableParallelism(), min: 1, max: 64 });
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
    maxConnectionsPerAddress: s.int('maxConnectionsPerAddress', { default: 100, min: 1 }),
    bindFailures: readBindFailures(s.obj('bindFailures')),
    messageStateTtlSeconds: s.int('messageStateTtlSeconds', { default: 7 * 24 * 3600, min: 1 }),
  };
  s.done();

  const kafka = readKafka(root.obj('kafka'), env);
  const r = root.obj('redis');
  // Read (and check) the file's url even when REDIS_URL overrides it, as the Kafka brokers are.
  const fileRedisUrl = r.str('url', { default: DEFAULT_REDIS_URL, pattern: /^rediss?:\/\//, hint: 'must start with redis:// or rediss://' });
  const redis = {
    url: env.redisUrl ?? fileRedisUrl,
    keyPrefix: r.str('keyPrefix', { default: DEFAULT_KEY_PREFIX }),
  };
  r.done();
  if (env.redisUrl !== undefined && !/^rediss?:\/\//.test(env.redisUrl))
    throw new ConfigError('REDIS_URL', 'must start with redis:// or rediss://', env.redisUrl);

  const customers = root.objects<CustomerConfig>('customers', readCustomer, { required: true, minLength: 1 });
  unique(customers.map((c) => c.systemId), 'customers', 'systemId');
  // Two customers claiming one number is an error naming both.
  compileNumberOwners(customers);
  const customerGroups = readCustomerGroups(root.obj('customerGroups'), deferred ? null : new Set(customers.map((c) => c.systemId)));

  const providers = root.objects<ProviderConfig>('providers', readProvider, { required: true, minLength: 1 });
  providers.forEach((p, i) => checkProvider(p, `providers[${i}]`));
  unique(providers.map((p) => p.id), 'providers', 'id');

  const rt = root.obj('routing');
  const routing: RoutingConfig = {
    mode: rt.oneOf('mode', ['first', 'cheapest'] as const, 'first'),
    timeZone: rt.str('timeZone', { default: 'UTC' }),
    atEdge: rt.bool('atEdge', true),
  };
  rt.done();
  const routes = root.objects<RouteConfig>('routes', readRoute, { required: true, minLength: 1 });
  // References, patterns, time zones and windows: the same checks a runtime reload makes.
  compileRoutes(deferred ? withNamed({ routes, customerGroups, providers, customers }, routing) : { routes, routing, customerGroups, providers, customers });

  const d = root.obj('delivery');
  const delivery = {
    retryIntervalMs: d.int('retryIntervalMs', { default: 2000, min: 10 }),
    responseTimeoutMs: d.int('responseTimeoutMs', { default: 10000, min: 100 }),
    retentionSeconds: d.int('retentionSeconds', { default: 72 * 3600, min: 1 }),
    window: d.int('window', { default: 20, min: 1, max: 1000 }),
  };
  d.done();
  const assembler = readAssembler(root.obj('assembler'));
  const st = root.obj('stages');
  const stages = { maxRecordFailures: st.int('maxRecordFailures', { default: 3, min: 1, max: 100 }) };
  st.done();
  const admin = readAdmin(root);
  const http = readHttp(root);
  root.done();

  return deepFreeze({
    nodeId, shutdownTimeoutMs, threads, logLevel: (env.logLevel as GatewayConfig['logLevel'] | undefined) ?? logLevel,
    listeners, session, kafka, redis, customers, customerGroups, providers, routing, routes, delivery, assembler, stages, admin, http,
  });
}

function readAdmin(root: Fields): AdminConfig | null {
  if (!root.has('admin')) return null;
  const a = root.obj('admin');
  const admin = {
    host: a.str('host', { default: '127.0.0.1' }),
    port: a.int('port', { min: 0, max: 65535 }),
    // Long enough that guessing it is hopeless; it is compared in constant time.
    token: a.has('token') ? a.str('token', { pattern: /^[\x21-\x7e]{16,}$/, hint: 'must be at least 16 printable characters, no spaces' }) : null,
  };
  a.done();
  return admin;
}

function readHttp(root: Fields): HttpConfig | null {
  if (!root.has('http')) return null;
  const h = root.obj('http');
  const http = { host: h.str('host', { default: '127.0.0.1' }), port: h.int('port', { min: 0, max: 65535 }), tls: readListenerTls(h) };
  h.done();
  return http;
}

/** The routing input with a stand-in for every customer and provider the routes name (their existence is checked later). */
function withNamed(
  input: { routes: RouteConfig[]; customerGroups: Record<string, string[]>; providers: ProviderConfig[]; customers: CustomerConfig[] }, routing: RoutingConfig,
): Parameters<typeof compileRoutes>[0] {
  const providerIds = new Set([...input.providers.map((p) => p.id), ...input.routes.flatMap((r) => r.providers.map((p) => p.id))]);
  const customerIds = new Set([...input.customers.map((c) => c.systemId), ...input.routes.flatMap((r) => r.customers), ...Object.values(input.customerGroups).flat()]);
  return {
    routes: input.routes, routing, customerGroups: input.customerGroups,
    providers: [...providerIds].map((id) => ({ id }) as ProviderConfig),
    customers: [...customerIds].map((systemId) => ({ systemId }) as CustomerConfig),
  };
}

function readCustomerGroups(g: Fields, customerIds: ReadonlySet<string> | null): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of g.keys()) {
    if (!ID.test(name)) throw new ConfigError(`customerGroups.${name}`, 'group names must use letters, digits, _ . -', name);
    out[name] = g.strings(name, { required: true });
    out[name].forEach((c, j) => {
      if (customerIds !== null && !customerIds.has(c)) throw new ConfigError(`customerGroups.${name}[${j}]`, 'names no configured customer', c);
    });
  }
  g.done();
  return out;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

function readRoute(f: Fields, i: number): RouteConfig {
  const name = f.str('name', { default: `route-${i}`, pattern: ID, hint: 'must use letters, digits, _ . -' });
  const isDefault = f.bool('default', false);
  const explicitKind = f.has('kind') ? f.oneOf('kind', ROUTE_KINDS) : undefined;
  let providers: RouteProviderConfig[];
  let kind: RouteConfig['kind'];
  if (f.has('provider') === f.has('providers'))
    throw new ConfigError(`${f.path}.provider`, 'give either provider (one) or providers (a list), not both or neither');
  if (f.has('provider')) {
    providers = [{ id: f.str('provider'), weight: 1 }];
    kind = explicitKind ?? 'static';
  } else {
    kind = explicitKind ?? 'failover';
    providers = f.items('providers', (item, path) => {
      if (typeof item === 'string') return { id: item, weight: 1 };
      if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new ConfigError(path, 'must be a provider id or a mapping { id, weight, price }', item);
      const p = new Fields(path, item as Record<string, unknown>);
      const out: RouteProviderConfig = { id: p.str('id'), weight: p.num('weight', { default: 1, min: 0 }) };
      if (p.has('weight') && kind !== 'weighted') throw new ConfigError(`${path}.weight`, 'applies only to weighted routes', p.num('weight'));
      const price = p.has('price') ? p.num('price', { min: 0 }) : undefined;
      p.done();
      return price === undefined ? out : { ...out, price };
    }, { required: true, minLength: 1 });
  }
  if (kind === 'static' && providers.length !== 1)
    throw new ConfigError(`${f.path}.providers`, 'a static route has exactly one provider', providers.map((p) => p.id));
  if (kind === 'weighted' && !providers.some((p) => p.weight > 0))
    throw new ConfigError(`${f.path}.providers`, 'a weighted route needs a provider with a weight above 0');
  const digits = (key: string) => f.strings(key).map((p, j) => {
    if (!/^\+?\d+$/.test(p)) throw new ConfigError(`${f.path}.${key}[${j}]`, 'must be digits', p);
    return p.replace(/^\+/, '');
  });
  const route: RouteConfig = {
    name, default: isDefault, kind, providers,
    customers: f.strings('customers'),
    customerGroups: f.strings('customerGroups'),
    destinationPrefixes: digits('destinationPrefixes'),
    sourcePrefixes: f.strings('sourcePrefixes').map((p) => p.replace(/^\+/, '')),
    timeWindows: f.objects<TimeWindowConfig>('timeWindows', (w) => ({
      days: w.strings('days', { allowed: WEEKDAYS, default: WEEKDAYS }) as TimeWindowConfig['days'],
      from: w.str('from', { pattern: HHMM, hint: 'must be hh:mm' }),
      to: w.str('to', { pattern: HHMM, hint: 'must be hh:mm (24:00 for the end of the day)' }),
    })),
    encodings: f.strings('encodings', { allowed: ENCODING_CLASSES }) as RouteConfig['encodings'],
  };
  const optional = {
    price: f.has('price') ? f.num('price', { min: 0 }) : undefined,
    destinationPattern: f.has('destinationPattern') ? f.str('destinationPattern') : undefined,
    sourcePattern: f.has('sourcePattern') ? f.str('sourcePattern') : undefined,
    timeZone: f.has('timeZone') ? f.str('timeZone') : undefined,
  };
  const out: Record<string, unknown> = { ...route };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) out[k] = v;
  return out as unknown as RouteConfig;
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
    brokers = k.strings('brokers', { default: [...DEFAULT_BROKERS] });
    brokers.forEach((b, i) => {
      if (!HOST_PORT.test(b)) throw new ConfigError(`kafka.brokers[${i}]`, 'must be host:port', b);
    });
  }
  if (brokers.length === 0) throw new ConfigError('kafka.brokers', 'must list at least one broker');
  const clientId = k.str('clientId', { default: 'smsgw' });
  const topicPrefix = k.str('topicPrefix', { default: DEFAULT_TOPIC_PREFIX, pattern: /^[A-Za-z0-9._-]*$/, hint: 'must use letters, digits, . _ -' });
  const replicationFactor = k.int('replicationFactor', { default: 1, min: 1, max: 7 });
  const partitions = readPartitions(k);
  const ssl = readTlsClient(k, 'ssl');
  const sasl = readSasl(k, 'sasl');
  k.done();
  return { brokers, clientId, topicPrefix, replicationFactor, partitions, ssl, sasl };
}

function readPartitions(k: Fields): Record<TopicName, number> {
  const out = {} as Record<TopicName, number>;
  if (!k.has('partitions') || k.isNumber('partitions')) {
    const n = k.int('partitions', { default: 12, min: 1, max: 1000 });
    for (const t of TOPIC_NAMES) out[t] = n;
    // Every node reads all of it: one partition keeps its records in the order written.
    out.directory = 1;
    return out;
  }
  const p = k.obj('partitions');
  const def = p.int('default', { default: 12, min: 1, max: 1000 });
  for (const t of TOPIC_NAMES) out[t] = t === 'directory' ? 1 : p.int(t, { default: def, min: 1, max: 1000 });
  p.done();
  // The changelog must be co-partitioned with the parts it records.
  if (out.assemblerChangelog !== out.messageParts)
    throw new ConfigError('kafka.partitions.assemblerChangelog', `must equal kafka.partitions.messageParts (${out.messageParts})`, out.assemblerChangelog);
  return out;
}

function readAssembler(a: Fields): AssemblerConfig {
  const d = ASSEMBLER_DEFAULTS;
  const out: AssemblerConfig = {
    timeoutMs: a.int('timeoutMs', { default: d.timeoutMs, min: 1 }),
    onTimeout: a.oneOf('onTimeout', ['reject', 'release'] as const, d.onTimeout),
    recentMs: a.int('recentMs', { default: d.recentMs, min: 0 }),
    maxOpenEntries: a.int('maxOpenEntries', { default: d.maxOpenEntries, min: 1 }),
    maxRecentGroups: a.int('maxRecentGroups', { default: d.maxRecentGroups, min: 0 }),
    // A message is closed at most this late after its timeout; a second is well inside what a
    // five-minute timeout promises, and an idle check costs one heap peek per partition.
    checkIntervalMs: a.int('checkIntervalMs', { default: 1000, min: 10 }),
  };
  a.done();
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

function readCustomer(f: Fields): CustomerConfig {
  // SMPP 3.4 limits: system_id 15 octets, password 8.
  const systemId = f.str('systemId', { maxLength: 15, pattern: /^[\x21-\x7e]+$/, hint: 'must be printable ASCII without spaces' });
  const passwordHash = f.has('passwordHash')
    ? f.str('passwordHash', { pattern: SCRYPT_HASH, hint: 'must be scrypt$<salt>$<hash> as printed by hash-password' })
    : undefined;
  const password = f.has('password') ? f.str('password', { maxLength: 8 }) : undefined;
  if ((passwordHash === undefined) === (password === undefined))
    throw new ConfigError(f.path, 'needs exactly one of passwordHash and password');
  const bindTypes = f.strings('bindTypes', { allowed: BIND_TYPES, default: BIND_TYPES }) as CustomerConfig['bindTypes'];
  const allowedIps = f.strings('allowedIps');
  allowedIps.forEach((ip, j) => {
    if (!IP_RANGE.test(ip) || !validRange(ip)) throw new ConfigError(`${f.path}.allowedIps[${j}]`, 'must be an IPv4 or IPv6 address or CIDR range', ip);
  });
  const maxBinds = f.int('maxBinds', { default: 10, min: 1, max: 10000 });
  const rate = f.has('rate') ? f.num('rate', { min: 0.1 }) : undefined;
  const burst = f.int('burst', { default: Math.max(1, Math.ceil(rate ?? 1)), min: 1 });
  const numbers = f.strings('numbers').map((n, j) => {
    if (!/^\+?\d+\*?$/.test(n) && n !== '*')
      throw new ConfigError(`${f.path}.numbers[${j}]`, 'must be digits (a prefix ends with *)', n);
    return n.replace(/^\+/, '');
  });
  const apiKeys = f.strings('apiKeys');
  apiKeys.forEach((k, j) => {
    if (!API_KEY_DIGEST.test(k)) throw new ConfigError(`${f.path}.apiKeys[${j}]`, 'must be sha256$<64 hex digits>, the digest node dist/scripts/mint-api-key.js prints (never the key itself)', k.slice(0, 12));
  });
  const webhook = readWebhook(f);
  return {
    systemId, passwordHash, password, bindTypes, numbers, allowedIps, maxBinds, rate, burst,
    ...(apiKeys.length > 0 ? { apiKeys } : {}), ...(webhook ? { webhook } : {}),
  };
}

function readWebhook(f: Fields): CustomerConfig['webhook'] {
  if (!f.has('webhook')) return undefined;
  const w = f.obj('webhook');
  const url = w.str('url', { pattern: /^https?:\/\/\S+$/, hint: 'must be an http:// or https:// URL' });
  try {
    new URL(url);
  } catch {
    throw new ConfigError(`${w.path}.url`, 'is not a valid URL', url);
  }
  // Long enough that guessing it is hopeless.
  const secret = w.str('secret', { pattern: /^[\x21-\x7e]{16,}$/, hint: 'must be at least 16 printable characters, no spaces' });
  const preferSmpp = w.bool('preferSmpp', false);
  w.done();
  return { url, secret, preferSmpp };
}

function readProvider(f: Fields): ProviderConfig {
  return {
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
    concatenation: f.oneOf('concatenation', CONCATENATIONS, 'udh8'),
    receiptIdForm: f.oneOf('receiptIdForm', RECEIPT_ID_FORMS, 'auto'),
    maxAttempts: f.int('maxAttempts', { default: 5, min: 1, max: 100 }),
    maxRetryAgeMs: f.int('maxRetryAgeMs', { default: 600000, min: 1000, max: 86400000 }),
    retryDelayMs: f.int('retryDelayMs', { default: 1000, min: 10 }),
    failoverAfterMs: f.int('failoverAfterMs', { default: 3000, min: 0 }),
    throttlePauseMs: f.int('throttlePauseMs', { default: 100, min: 10 }),
    throttlePauseMaxMs: f.int('throttlePauseMaxMs', { default: 5000, min: 10 }),
    tls: readTlsClient(f, 'tls'),
  };
}

function checkProvider(p: ProviderConfig, path: string): void {
  if (p.throttlePauseMaxMs < p.throttlePauseMs) throw new ConfigError(`${path}.throttlePauseMaxMs`, 'must be at least throttlePauseMs', p.throttlePauseMaxMs);
}

/**
 * One customer or provider entry on its own, with the checks the file's entries get: what the
 * live directory (src/directory/) and `smsgw customer|provider` take. `path` names it in errors.
 */
export function validateCustomerEntry(raw: unknown, path: string): CustomerConfig {
  const f = entryFields(raw, path);
  const c = readCustomer(f);
  f.done();
  compileNumberOwners([c]);
  return deepFreeze(c);
}

export function validateProviderEntry(raw: unknown, path: string): ProviderConfig {
  const f = entryFields(raw, path);
  const p = readProvider(f);
  f.done();
  checkProvider(p, path);
  return deepFreeze(p);
}

function entryFields(raw: unknown, path: string): Fields {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(path, 'must be a mapping', raw);
  return new Fields(path, raw as Record<string, unknown>);
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
