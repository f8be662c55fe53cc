/**
 * The consumer-group member every stage input uses: the same session and rebalance settings,
 * read_committed, and the assignment taken from kafkajs's GROUP_JOIN event (kafkajs has no
 * assign/revoke callbacks).
 */
import type { Consumer } from 'kafkajs';
import type { KafkaClient } from './client.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

/** Partitions per topic, as kafkajs's GROUP_JOIN reports this member's share. */
export type Assignment = Record<string, number[]>;

/** How often a member tells the coordinator it is alive (kafkajs: between batches, and as records finish). */
export const HEARTBEAT_EVERY_MS = 1000;

/**
 * A fetch is answered once it has FETCH_MIN_BYTES or FETCH_MAX_WAIT_MS passed: under load a
 * batch then holds tens of records instead of one or two, and every batch costs a fetch, a
 * run of kafkajs's batch machinery and a heartbeat. The wait is what a record may lose per hop
 * on a quiet node.
 */
export const FETCH_MIN_BYTES = 16384;
export const FETCH_MAX_WAIT_MS = 50;

/**
 * How a member fetches. `batched` (above) suits a stage every message passes through.
 * `prompt` suits one most messages skip (the router and correlator, now that the edge routes
 * single-part messages and suppliers correlate receipts on arrival): a fetch is answered as
 * soon as any record is there, and an idle member asks only twice a second instead of twenty
 * times (each empty fetch is a request and its socket writes on both sides).
 */
export type FetchMode = 'batched' | 'prompt';
const FETCH: Record<FetchMode, { minBytes: number; maxWaitTimeInMs: number }> = {
  batched: { minBytes: FETCH_MIN_BYTES, maxWaitTimeInMs: FETCH_MAX_WAIT_MS },
  prompt: { minBytes: 1, maxWaitTimeInMs: 500 },
};

export interface GroupMemberOptions {
  groupId: string;
  sessionTimeoutMs?: number;
  logger: Logger;
  /** Called after every group join with this member's partitions. */
  onAssignment?: (assignment: Assignment) => void | Promise<void>;
  /** Default `batched`. */
  fetch?: FetchMode;
}

export function groupMember(kafka: KafkaClient, o: GroupMemberOptions, track: (assignment: Assignment) => void): Consumer {
  const consumer = kafka.consumer({
    groupId: o.groupId,
    sessionTimeout: o.sessionTimeoutMs ?? 10000,
    heartbeatInterval: HEARTBEAT_EVERY_MS,
    rebalanceTimeout: 30000,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    ...FETCH[o.fetch ?? 'batched'],
  });
  const { GROUP_JOIN, CRASH } = consumer.events;
  consumer.on(GROUP_JOIN, (e) => {
    const assignment = e.payload.memberAssignment;
    track(assignment);
    o.logger.info('partitions assigned', { groupId: o.groupId, assignment });
    void Promise.resolve(o.onAssignment?.(assignment)).catch((err: unknown) =>
      o.logger.error('assignment handler failed', { error: errorMessage(err) }));
  });
  consumer.on(CRASH, (e) => {
    o.logger.error('consumer crashed', { groupId: o.groupId, error: errorMessage(e.payload.error), restart: e.payload.restart });
  });
  return consumer;
}
