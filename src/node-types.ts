/**
 * What a node hands its control plane: its actor snapshot and the outcome of a reload. Apart
 * from node.ts so the control plane, which node.ts starts, needs nothing back from it.
 */
import type { ThreadSnapshot } from './host/threads/protocol.js';
import type { ActorStats } from './runtime/stats.js';

export interface NodeSnapshot {
  nodeId: string;
  main: ActorStats[];
  workers: ThreadSnapshot[];
}

/** A reload applied (routes, and the partition actors told on each worker that answered) or refused. */
export type ReloadResult =
  | { ok: true; routes: number; workers: number; actors: number }
  | { ok: false; field: string | undefined; error: string };
