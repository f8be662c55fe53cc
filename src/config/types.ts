/** The gateway's configuration after validation: every field present, frozen. */
import type { EncodingClass } from '../domain/encoding-class.js';

export type BindType = 'transmitter' | 'receiver' | 'transceiver';
export const BIND_TYPES: readonly BindType[] = ['transmitter', 'receiver', 'transceiver'];

export interface ListenerTlsConfig {
  /** PEM certificate chain and private key, read at start-up. */
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * TLS towards a server (Kafka brokers, a provider's SMSC). The files are paths to PEM files,
 * kept as paths so the configuration stays plain data for the worker threads; they are checked
 * when the configuration is loaded and read where the connection is made (src/config/pem-files.ts).
 */
export interface TlsClientConfig {
  /** CA certificates the server's certificate must chain to; the system's CAs when absent. */
  readonly ca: string | undefined;
  /** Our certificate chain and private key, for servers that ask for one; both or neither. */
  readonly cert: string | undefined;
  readonly key: string | undefined;
  /** false accepts any server certificate (testing only). */
  readonly rejectUnauthorized: boolean;
  /** The name the server's certificate must carry (and SNI), when not the host connected to. */
  readonly servername: string | undefined;
}

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';
export const SASL_MECHANISMS: readonly SaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512'];

export interface SaslConfig {
  readonly mechanism: SaslMechanism;
  readonly username: string;
  /** Never logged or echoed in an error (src/log.ts and src/errors.ts redact `sasl`). */
  readonly password: string;
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
  /** Open connections from one IP address per node; more are closed as they arrive. */
  readonly maxConnectionsPerAddress: number;
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
  /**
   * Numbers whose mobile-originated messages belong to this customer: exact numbers
   * (`447700900123`) or prefixes ending in `*` (`4477009001*`), without a leading `+`.
   */
  readonly numbers: readonly string[];
  /** CIDR ranges (or single addresses) a bind may come from; empty means any. */
  readonly allowedIps: readonly string[];
  /** Simultaneous binds of this customer across the whole cluster. */
  readonly maxBinds: number;
  /** Parts per second across the cluster; undefined means no limit. */
  readonly rate: number | undefined;
  /** Parts that may be sent at once above the rate (the bucket size). */
  readonly burst: number;
  /** HTTP API keys as `sha256$<hex>` digests (src/domain/api-keys.ts); none when absent. */
  readonly apiKeys?: readonly string[];
  /** Receipts and MO as signed JSON POSTs (src/http/webhook.ts) instead of deliver_sm. */
  readonly webhook?: WebhookConfig;
}

export interface WebhookConfig {
  /** http:// or https:// URL the events are POSTed to. */
  readonly url: string;
  /** The HMAC-SHA256 key of the X-Smsgw-Signature header. */
  readonly secret: string;
  /**
   * true: over SMPP while the customer has a receiving bind somewhere, by webhook otherwise.
   * false (default): always by webhook.
   */
  readonly preferSmpp: boolean;
}

/**
 * How a long message is cut for a provider: a UDH with an 8- or 16-bit reference in every
 * part, the SAR TLVs, or one submit_sm carrying the whole message in message_payload.
 */
export type Concatenation = 'udh8' | 'udh16' | 'sar' | 'payload';
export const CONCATENATIONS: readonly Concatenation[] = ['udh8', 'udh16', 'sar', 'payload'];

/**
 * How the message id in a provider's receipts relates to the id its submit_sm_resp gave:
 * `auto` tries the receipt's id as sent, then its decimal→hex and hex→decimal conversions;
 * `same`, `hexToDecimal` (submit_sm_resp hex, receipt decimal) and `decimalToHex` (the reverse)
 * say which one form the provider uses.
 */
export type ReceiptIdForm = 'auto' | 'same' | 'hexToDecimal' | 'decimalToHex';
export const RECEIPT_ID_FORMS: readonly ReceiptIdForm[] = ['auto', 'same', 'hexToDecimal', 'decimalToHex'];

export interface ProviderConfig {
  readonly id: string;
  /**
   * Where the provider's partition of provider-outgoing-messages comes from (slot % partitions):
   * given by the live directory for the provider's life; without it, its index in the list.
   */
  readonly slot?: number;
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
  readonly concatenation: Concatenation;
  readonly receiptIdForm: ReceiptIdForm;
  /** Sends of one part answered with a temporary error (or no answer) before it fails. */
  readonly maxAttempts: number;
  /** A message older than this (since accepted) is not retried again. */
  readonly maxRetryAgeMs: number;
  /** First wait before retrying a temporary error; doubles per attempt up to 30 s. */
  readonly retryDelayMs: number;
  /** How long a message of a failover route waits for a down bind before going to the next provider. */
  readonly failoverAfterMs: number;
  /** First pause of the whole bind after ESME_RTHROTTLED; doubles while throttling persists. */
  readonly throttlePauseMs: number;
  readonly throttlePauseMaxMs: number;
  /** SMPP over TLS to this provider when set. */
  readonly tls: TlsClientConfig | undefined;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/**
 * From `from` (inclusive) to `to` (exclusive), `hh:mm`, local time of the route's zone, on the
 * listed days. `to` earlier than `from` crosses midnight: the window belongs to the day it
 * starts on (`fri 22:00-06:00` includes Saturday 03:00, not Friday 03:00). `to` may be `24:00`.
 */
export interface TimeWindowConfig {
  readonly days: readonly Weekday[];
  readonly from: string;
  readonly to: string;
}

export interface RouteProviderConfig {
  readonly id: string;
  /** Share of a weighted route's traffic (relative to the other providers' weights). */
  readonly weight: number;
  /** Price of a message through this provider on this route; the route's price when absent. */
  readonly price?: number;
}

export type RouteKind = 'static' | 'failover' | 'weighted';
export const ROUTE_KINDS: readonly RouteKind[] = ['static', 'failover', 'weighted'];

/** Every filter left empty matches everything; filters of different kinds must all match. */
export interface RouteConfig {
  readonly name: string;
  /** Taken only when no other route is eligible; has no filters. At most one. */
  readonly default: boolean;
  readonly kind: RouteKind;
  /** One for `static`; in order of preference for `failover`; with weights for `weighted`. */
  readonly providers: readonly RouteProviderConfig[];
  readonly price?: number;
  /** Customers (system ids) and customer groups; both empty means any customer. */
  readonly customers: readonly string[];
  readonly customerGroups: readonly string[];
  /** Digits, without `+`. */
  readonly destinationPrefixes: readonly string[];
  /** A JavaScript regular expression tested on the destination without its `+`. */
  readonly destinationPattern?: string;
  readonly sourcePrefixes: readonly string[];
  readonly sourcePattern?: string;
  readonly timeWindows: readonly TimeWindowConfig[];
  /** IANA zone of the time windows; `routing.timeZone` when absent. */
  readonly timeZone?: string;
  readonly encodings: readonly EncodingClass[];
}

export interface RoutingConfig {
  /** `first`: the first eligible route in order; `cheapest`: the eligible route with the lowest price. */
  readonly mode: 'first' | 'cheapest';
  /** IANA zone (or `UTC`) of route time windows that name none. */
  readonly timeZone: string;
  /**
   * Single-part messages are routed by the session that accepts them (one record and one hop
   * fewer); false sends every message through the router stage.
   */
  readonly atEdge: boolean;
}

export type TopicName =
  | 'messageParts'
  | 'assemblerChangelog'
  | 'messages'
  | 'providerOutgoing'
  | 'providerEvents'
  | 'deliveries'
  | 'heldDeliveries'
  | 'correlations'
  | 'events'
  | 'deadLetters'
  /** The live customers and providers (src/directory/): compacted, one partition. */
  | 'directory';
export const TOPIC_NAMES: readonly TopicName[] = [
  'messageParts', 'assemblerChangelog', 'messages', 'providerOutgoing', 'providerEvents', 'deliveries', 'heldDeliveries',
  'correlations', 'events', 'deadLetters', 'directory',
];

export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly topicPrefix: string;
  readonly replicationFactor: number;
  readonly partitions: Readonly<Record<TopicName, number>>;
  /** TLS to the brokers when set. */
  readonly ssl: TlsClientConfig | undefined;
  /** SASL authentication with the brokers when set (over TLS when `ssl` is set too). */
  readonly sasl: SaslConfig | undefined;
}

export interface RedisConfig {
  readonly url: string;
  readonly keyPrefix: string;
}

export interface DeliveryConfig {
  /** How often held deliveries (customer not bound, or deliver_sm refused) are tried again. */
  readonly retryIntervalMs: number;
  readonly responseTimeoutMs: number;
  /** How long a receipt or MO waits for its customer before it is dropped (with an event). */
  readonly retentionSeconds: number;
  /**
   * Receipts and MO of one outbox partition in flight at once. A customer's go out in outbox
   * order; only when one fails can a later one in flight arrive before it.
   */
  readonly window: number;
}

/** The assembler stage (the stage's options.ts says what each option decides; defaults in assembler-defaults.ts). */
export interface AssemblerConfig {
  /** How long after its first part an unfinished message waits for the rest. */
  readonly timeoutMs: number;
  /** What happens then: `reject` (failed receipts, nothing sent) or `release` (sent incomplete). */
  readonly onTimeout: 'reject' | 'release';
  /** How long a completed message's parts are remembered to recognise late resends (0: off). */
  readonly recentMs: number;
  /** Unfinished messages one partition holds; one more closes the oldest as if timed out. */
  readonly maxOpenEntries: number;
  /** Completed messages remembered per partition. */
  readonly maxRecentGroups: number;
  /** How often each partition looks for messages past their timeout. */
  readonly checkIntervalMs: number;
}

/** How stages treat records they cannot handle. */
export interface StagesConfig {
  /**
   * Tries of a record that fails for its own content (undecodable, invalid, a non-retriable
   * error of its handler) before it goes to the dead-letter topic and the partition moves on.
   */
  readonly maxRecordFailures: number;
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
  /** Group name → customer system ids, for route filters. */
  readonly customerGroups: Readonly<Record<string, readonly string[]>>;
  readonly providers: readonly ProviderConfig[];
  /**
   * Providers the live directory removed (src/directory/): records still routed to one are
   * handed back to the router. Never in a configuration file.
   */
  readonly removedProviders?: readonly string[];
  readonly routing: RoutingConfig;
  readonly routes: readonly RouteConfig[];
  readonly delivery: DeliveryConfig;
  readonly assembler: AssemblerConfig;
  readonly stages: StagesConfig;
  /** The node's operator HTTP listener (health, readiness); none when absent. */
  readonly admin: AdminConfig | null;
  /** The customer HTTP API (src/http/); none when absent. */
  readonly http: HttpConfig | null;
}

export interface HttpConfig {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** HTTPS with this certificate and key (PEM files); plain HTTP when absent. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
}

export interface AdminConfig {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  readonly token: string | null;
}
