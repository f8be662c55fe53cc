/**
 * When a killed gateway node's share counts as served again. Pure: the harness reads the stage
 * groups (admin.describeGroups) before and after the kill and while it waits; this decides.
 *
 * A node is restarted under the same node id, so its kafkajs client ids (`<clientId>-<nodeId>`,
 * `-w<i>` on its worker threads) are the same before and after; on a loaded machine the restart
 * can come before the rebalance that removes the dead members, and a wait keyed on the client
 * id then also waits for the successor to leave. The broker gives every member that joins a
 * member id of its own, so the dead incarnation is told apart by the member ids it held.
 */
import { kafkajs } from '../../src/kafka/kafkajs.js';
import type { GroupDescription } from 'kafkajs';

export interface GroupMember {
  memberId: string;
  clientId: string;
  /** Partitions by topic, as the group leader last assigned them (empty while none is). */
  assignment: Readonly<Record<string, readonly number[]>>;
}

export interface GroupSnapshot {
  groupId: string;
  state: string;
  members: readonly GroupMember[];
}

/** A stage's consumer group, the topic it reads and that topic's partition count. */
export interface StageGroup {
  groupId: string;
  topic: string;
  partitions: number;
}

export type Served = { recovered: true } | { recovered: false; waitingFor: string };

/** The groups as kafkajs describes them, with each member's assignment decoded. */
export function snapshot(groups: readonly GroupDescription[]): GroupSnapshot[] {
  return groups.map((g) => ({
    groupId: g.groupId,
    state: g.state,
    members: g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, assignment: decodeAssignment(m.memberAssignment) })),
  }));
}

function decodeAssignment(buffer: Buffer): Record<string, number[]> {
  // A member that joined and has not been through a sync yet has an empty assignment.
  try {
    return kafkajs.AssignerProtocol.MemberAssignment.decode(buffer)?.assignment ?? {};
  } catch {
    return {};
  }
}

/** Whether a kafkajs client id is one of a node's: `nodeClientId` itself or it followed by `-…`. */
export function ownedBy(clientId: string, nodeClientId: string): boolean {
  return clientId === nodeClientId || clientId.startsWith(`${nodeClientId}-`);
}

/**
 * The member ids a node holds in any of the groups. Read while that node is the only process
 * with its client id (before the kill, or after it and before the restart), these are the
 * members of that incarnation and no other.
 */
export function incarnation(groups: readonly GroupSnapshot[], nodeClientId: string): Set<string> {
  const out = new Set<string>();
  for (const g of groups) for (const m of g.members) if (ownedBy(m.clientId, nodeClientId)) out.add(m.memberId);
  return out;
}

/**
 * Served again: every stage group stable, none of the dead incarnation's members left in it,
 * and every partition of its topic assigned to one of its (live) members. A successor under
 * the same node id counts as live: its member ids are new.
 */
export function servedAgain(stages: readonly StageGroup[], groups: readonly GroupSnapshot[], dead: ReadonlySet<string>): Served {
  for (const s of stages) {
    const g = groups.find((x) => x.groupId === s.groupId);
    if (!g) return { recovered: false, waitingFor: `${s.groupId}: not described` };
    const stale = g.members.filter((m) => dead.has(m.memberId)).length;
    if (stale > 0) return { recovered: false, waitingFor: `${s.groupId}: ${stale} member(s) of the dead node still in the group` };
    // Assignments read in any other state are those of a generation that is being replaced.
    if (g.state !== 'Stable') return { recovered: false, waitingFor: `${s.groupId}: ${g.state}` };
    const assigned = new Set(g.members.flatMap((m) => m.assignment[s.topic] ?? []));
    const missing = Array.from({ length: s.partitions }, (_, p) => p).filter((p) => !assigned.has(p));
    if (missing.length > 0) return { recovered: false, waitingFor: `${s.groupId}: ${s.topic} partition(s) ${missing.join(', ')} unassigned` };
  }
  return { recovered: true };
}
