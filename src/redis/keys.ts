/**
 * Every Redis key and pub/sub channel of the gateway, under its key prefix (redis.keyPrefix).
 * Stores, stages, the control plane and the CLI take their names from here only, so two
 * processes touching one key cannot spell it differently, and what lives in Redis reads in one
 * place. Changing a string here changes what a running cluster finds: keep them stable.
 */

/** The control plane: shared by the nodes (which publish and listen) and the CLI (which reads and asks). */
export interface ControlKeys {
  /** Sorted set: node id → epoch ms of its latest snapshot. */
  readonly nodes: string;
  /** String with a TTL: the node's latest NodeStatus as JSON. */
  node(nodeId: string): string;
  /** String without a TTL: topics, consumer groups and customers, for `lag` and `outbox` when every node is down. */
  readonly cluster: string;
  /** Set of blocked customer system ids. */
  readonly blocked: string;
  /** Hash: customer system id → rate override (parts per second). */
  readonly customerRates: string;
  /** Set of provider ids an operator paused. */
  readonly pausedProviders: string;
  /** Hash: provider id → rate override (parts per second per bind). */
  readonly providerRates: string;
  /** Sentinel: the four control keys above rebuilt from the journal (Kafka) since Redis last came back empty. */
  readonly controlsRestored: string;
  /** Pub/sub channel the nodes listen on for requests. */
  readonly requests: string;
  /** Pub/sub channel a request's answers come back on. */
  replies(requestId: string): string;
}

export function controlKeys(prefix: string): ControlKeys {
  const base = `${prefix}control:`;
  return Object.freeze({
    nodes: `${base}nodes`,
    node: (nodeId: string) => `${base}node:${nodeId}`,
    cluster: `${base}cluster`,
    blocked: `${base}blocked-customers`,
    customerRates: `${base}customer-rates`,
    pausedProviders: `${base}paused-providers`,
    providerRates: `${base}provider-rates`,
    controlsRestored: `${base}restored`,
    requests: `${base}requests`,
    replies: (requestId: string) => `${base}replies:${requestId}`,
  });
}

export interface RedisKeys {
  /** Hash: session id → SessionEntry JSON, every bind of a customer in the cluster. */
  sessions(customer: string): string;
  /** Set of `<customer>\0<session id>` a node registered, to clear after it crashed. */
  nodeSessions(node: string): string;
  /** Sorted set of a customer's bind slots (`<node>/<session>`) scored by lease expiry. */
  bindSlots(customer: string): string;
  /** Counter of failed binds from one address (its guardKey). */
  bindFailures(guard: string): string;
  /** Token bucket of a customer's submit rate across the cluster. */
  rate(customer: string): string;
  /** String (JSON): what query_sm and cancel_sm learn of an accepted message. */
  messageState(id: string): string;
  /** String: CorrelationRecord JSON of a provider's message id (already normalized). */
  correlation(provider: string, providerMessageId: string): string;
  /** Sentinel: correlations rebuilt from Kafka since Redis last came back empty. */
  readonly correlationsRestored: string;
  /** String with a TTL: the claim of the node holding a provider's bind. */
  bindState(provider: string): string;
  /** String: the provider ids a message got, so a redelivered record is not sent again. */
  sent(provider: string, messageId: string): string;
  /** Marker: this provider receipt already became customer receipts. */
  receiptDone(provider: string, providerMessageId: string, stat: string): string;
  /** Sorted set of a customer's held deliveries scored by outbox offset. */
  held(customer: string): string;
  /** Set of customers with held deliveries from one outbox partition. */
  heldCustomers(partition: number): string;
  /** Sentinel: held deliveries rebuilt from Kafka since Redis last came back empty. */
  readonly heldRestored: string;
  /** Pub/sub channel: deliveries other nodes ask this node to send. */
  nodeInbox(node: string): string;
  /** Pub/sub channel: answers to the deliveries this node forwarded. */
  nodeReplies(node: string): string;
  readonly control: ControlKeys;
}

export function redisKeys(prefix: string): RedisKeys {
  return Object.freeze({
    sessions: (customer: string) => `${prefix}sessions:${customer}`,
    nodeSessions: (node: string) => `${prefix}node-sessions:${node}`,
    bindSlots: (customer: string) => `${prefix}binds:${customer}`,
    bindFailures: (guard: string) => `${prefix}bindfail:${guard}`,
    rate: (customer: string) => `${prefix}rate:${customer}`,
    messageState: (id: string) => `${prefix}msg:${id}`,
    correlation: (provider: string, providerMessageId: string) => `${prefix}corr:${provider}:${providerMessageId}`,
    correlationsRestored: `${prefix}corr-restored`,
    bindState: (provider: string) => `${prefix}bindstate:${provider}`,
    sent: (provider: string, messageId: string) => `${prefix}sent:${provider}:${messageId}`,
    receiptDone: (provider: string, providerMessageId: string, stat: string) => `${prefix}dlr-done:${provider}:${providerMessageId}:${stat}`,
    held: (customer: string) => `${prefix}held:${customer}`,
    heldCustomers: (partition: number) => `${prefix}held-customers:${partition}`,
    heldRestored: `${prefix}held-restored`,
    nodeInbox: (node: string) => `${prefix}node:${node}:inbox`,
    nodeReplies: (node: string) => `${prefix}node:${node}:replies`,
    control: controlKeys(prefix),
  });
}
