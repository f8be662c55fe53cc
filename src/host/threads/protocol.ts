/**
 * Every message that crosses between the main thread and a stage worker thread, typed in one
 * place. Messages are plain data (structured clone); record bytes travel as transferred
 * ArrayBuffers rather than copies.
 */
import type { MessagePort } from 'node:worker_threads';
import type { GatewayConfig } from '../../config/types.js';
import type { ActorStats } from '../../runtime/stats.js';
import type { ThreadMetrics } from '../../metrics/aggregate.js';

/** How a record reached its customer: over an SMPP bind, or an HTTP call (webhook, dlr-url). */
export type DeliveredBy = 'smpp' | 'http';

/** What the main thread hands a worker when it starts it (the piscina task). */
export interface WorkerTask {
  index: number;
  nodeId: string;
  config: GatewayConfig;
  /** Module URLs, each exporting `stage` (a StageDefinition). */
  stages: string[];
  port: MessagePort;
}

/** What the task resolves with once the worker stopped cleanly. */
export interface WorkerResult {
  index: number;
  stopped: true;
}

export interface StageStats {
  stage: string;
  groupId: string;
  assignment: number[];
  handled: number;
  failures: number;
  /** Records this thread set aside in the dead-letter topic since it started. */
  deadLettered: number;
  /** Partition actors that stopped for good (restart budget spent) and were replaced. */
  actorDeaths: number;
  lastError: { message: string; at: number } | null;
  /** Records behind the high watermark per partition, as last seen by a fetch. */
  lag: Record<number, number>;
}

export interface ThreadSnapshot {
  index: number;
  threadId: number;
  memory: { heapUsed: number; heapTotal: number };
  actors: ActorStats[];
  stages: StageStats[];
}

/**
 * An operator's message for the actors of one kind on a worker (optionally only the one with
 * this name, the last segment of its address), asked of each with a timeout.
 */
export interface ActorControl {
  kind: string;
  name?: string;
  message: unknown;
  timeoutMs: number;
}

export type ActorControlResult =
  | { address: string; ok: true; value: unknown }
  | { address: string; ok: false; error: { message: string; code: string | null } };

export type MainToWorker =
  | { type: 'stop' }
  /**
   * The node's configuration changed at runtime (routes, routing, provider rates): stages that
   * take reconfiguration tell their partition actors; later actors start with it.
   */
  | { type: 'reloadRoutes'; requestId: number; config: GatewayConfig }
  | { type: 'snapshot'; requestId: number }
  /** The worker's Prometheus registry, as JSON, for the node's /metrics. */
  | { type: 'metrics'; requestId: number }
  | { type: 'control'; requestId: number; control: ActorControl }
  | { type: 'reply'; requestId: number; ok: true; by?: DeliveredBy }
  | { type: 'reply'; requestId: number; ok: false; error: { message: string; code: string | null } };

export type WorkerToMain =
  | { type: 'ready'; index: number; threadId: number }
  | { type: 'snapshot'; requestId: number; snapshot: ThreadSnapshot }
  | { type: 'metrics'; requestId: number; metrics: ThreadMetrics }
  /** What each addressed actor answered (empty: no such actor on this worker). */
  | { type: 'control'; requestId: number; results: ActorControlResult[] }
  /** A reloadRoutes taken: how many partition actors were told. */
  | { type: 'reconfigured'; requestId: number; actors: number }
  /** Send a delivery (JSON of an OutboxRecord, transferred) over a local customer session. */
  | { type: 'deliver'; requestId: number; record: Uint8Array }
  | { type: 'fatal'; error: string };

/** Copies `bytes` into a fresh ArrayBuffer that can be transferred (a Buffer may share a pool). */
export function transferable(bytes: Uint8Array): { view: Uint8Array; transfer: ArrayBuffer } {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return { view: copy, transfer: copy.buffer };
}
