/** The gateway's configuration after validation: every field present, frozen. */
export type BindType = 'transmitter' | 'receiver' | 'transceiver';
export const BIND_TYPES: readonly BindType[] = ['transmitter', 'receiver', 'transceiver'];

export interface ListenerTlsConfig {
  /** PEM certificate chain and private key, read at start-up. */
  readonly certFile: string;
  readonly keyFile: string;
}

export interface ListenerConfig {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** When set, this listener speaks SMPP over TLS only. */
  readonly tls: ListenerTlsConfig | undefined;
}

export interface SessionConfig {
  readonly window: number;
  readonly responseTimeoutMs: number;
  readonly enquireLinkIntervalMs: number;
  readonly inactivityTimeoutMs: number;
  readonly maxPduLength: number;
  /** Failed binds from one address: how many are answered at once, then the growing delay. */
  readonly bindFailures: BindFailureConfig;
  /** How long query_sm can find a message's state (seconds after its last change). */
  readonly messageStateTtlSeconds: number;
}

export interface BindFailureConfig {
  /** Failures from one address answered without delay. */
  readonly free: number;
  /** Delay after the free ones, doubling with each further failure up to maxDelayMs. */
  readonly delayMs: number;
  readonly maxDelayMs: number;
  /** An address's failures are forgotten this long after its last one. */
  readonly forgetMs: number;
}

export interface CustomerConfig {
  readonly systemId: string;
  /** `scrypt$<salt>$<hash>` from `node dist/scripts/hash-password.js`; set instead of `password`. */
  readonly passwordHash: string | undefined;
  /** Plain text, still accepted for development; exactly one of the two is set. */
  readonly password: string | undefined;
  readonly bindTypes: readonly BindType[];
  /** CIDR ranges (or single addresses) a bind may come from; empty means any. */
  readonly allowedIps: readonly string[];
  /** Simultaneous binds of this customer across the whole cluster. */
  readonly maxBinds: number;
  /** Parts per second across the cluster; undefined means no limit. */
  readonly rate: number | undefined;
  /** Parts that may be sent at once above the rate (the bucket size). */
  readonly burst: number;
}

export interface ProviderConfig {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly systemId: string;
  readonly password: string;
  readonly systemType: string;
  readonly bindType: BindType;
  /** Parts per second the provider's contract allows on this bind. */
  readonly rate: number;
  /** Submits in flight on this bind before waiting for responses. */
  readonly window: number;
  readonly responseTimeoutMs: number;
}

export interface RouteConfig {
  readonly provider: string;
  /** Empty means any customer. */
  readonly customers: readonly string[];
  /** Empty means any destination. */
  readonly destinationPrefixes: readonly string[];
}

export type TopicName =
  | 'messageParts'
  | 'assemblerChangelog'
  | 'messages'
  | 'providerOutgoing'
  | 'providerEvents'
  | 'deliveries'
  | 'events';
export const TOPIC_NAMES: readonly TopicName[] = [
  'messageParts', 'assemblerChangelog', 'messages', 'providerOutgoing', 'providerEvents', 'deliveries', 'events',
];

export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly topicPrefix: string;
  readonly replicationFactor: number;
  readonly partitions: Readonly<Record<TopicName, number>>;
}

export interface RedisConfig {
  readonly url: string;
  readonly keyPrefix: string;
}

export interface DeliveryConfig {
  /** How long a receipt waits for a customer bind before the next attempt. */
  readonly retryIntervalMs: number;
  readonly responseTimeoutMs: number;
}

export interface GatewayConfig {
  readonly nodeId: string;
  readonly shutdownTimeoutMs: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly listeners: readonly ListenerConfig[];
  readonly session: SessionConfig;
  readonly kafka: KafkaConfig;
  readonly redis: RedisConfig;
  readonly customers: readonly CustomerConfig[];
  readonly providers: readonly ProviderConfig[];
  readonly routes: readonly RouteConfig[];
  readonly delivery: DeliveryConfig;
}
