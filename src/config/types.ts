/** The gateway's configuration after validation: every field present, frozen. */
export type BindType = 'transmitter' | 'receiver' | 'transceiver';
export const BIND_TYPES: readonly BindType[] = ['transmitter', 'receiver', 'transceiver'];

export interface ListenerConfig {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export interface SessionConfig {
  readonly window: number;
  readonly responseTimeoutMs: number;
  readonly enquireLinkIntervalMs: number;
  readonly inactivityTimeoutMs: number;
  readonly maxPduLength: number;
}

export interface CustomerConfig {
  readonly systemId: string;
  readonly password: string;
  readonly bindTypes: readonly BindType[];
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
  /** Worker threads hosting the stage actors. */
  readonly threads: number;
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
