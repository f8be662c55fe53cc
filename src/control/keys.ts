/**
 * Where the control plane lives in Redis, under the gateway's key prefix. Shared by the nodes
 * (which publish and listen) and the CLI (which reads and asks), so both agree on one place.
 */
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
    requests: `${base}requests`,
    replies: (requestId: string) => `${base}replies:${requestId}`,
  });
}

/** How often a node publishes, and how long its snapshot outlives a silent node. */
export const PUBLISH_INTERVAL_MS = 1500;
export const SNAPSHOT_TTL_SECONDS = 10;
