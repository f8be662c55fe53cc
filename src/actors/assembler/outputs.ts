/**
 * The effects the assembly logic asks for, and pure builders for them. The stage turns each
 * into a Kafka record of one transaction: messages to customer-incoming-messages, receipts to
 * customer-outgoing-deliveries, events to message-events, changelog writes to the assembler's
 * changelog; `key` is the record key for that topic.
 */
import type { DeliveryRecord, LifecycleEvent, LifecycleType, MessageRecord } from '../../domain/records.js';
import { lifecycleEvent } from '../../domain/lifecycle.js';
import { wantsReceipt } from '../correlator/receipt-policy.js';
import type { GroupHead, GroupValue, StoredDup, StoredPart } from './changelog.js';

/** The lifecycle steps the assembler reports (message-events). */
export type AssemblyEventType = Extract<LifecycleType, 'assembled' | 'part_duplicate' | 'part_rejected' | 'assembly_expired'>;

export interface AssemblyEvent extends LifecycleEvent {
  type: AssemblyEventType;
}

export type AssemblyOutput =
  /** A whole (or, by configuration, incomplete) message; key = message id. */
  | { kind: 'message'; key: string; message: MessageRecord }
  /** A failed receipt owed to the customer for one part; key = customer. */
  | { kind: 'receipt'; key: string; receipt: DeliveryRecord }
  /** key = the id the event is about (a message id or a part id). */
  | { kind: 'event'; key: string; event: AssemblyEvent }
  /** key = the group's partKey; null = tombstone. */
  | { kind: 'changelog'; key: string; value: GroupValue | null };

/**
 * Why a part or an unfinished message is refused, and the `err` of its failed receipt.
 * Every refusal is stat REJECTD (message_state 8): the gateway declines to send what the
 * customer submitted, before any provider saw it. UNDELIV would claim a delivery attempt failed
 * in the network, which is not what happened and which customers tend to retry blindly.
 */
export const REJECT_ERR = Object.freeze({
  /** Parts still missing when the timeout came. */
  timeout: '001',
  /** The reference was reused, with other content, before this message completed. */
  superseded: '002',
  /** The partition held `maxOpenEntries` unfinished messages and this was the oldest. */
  evicted: '003',
  /** total 0 or > 255, seq 0 or > total, or a reference out of its range. */
  invalid: '004',
  /**
   * A resend of a message already sent (every part equal to it, within `recentMs`): not sent
   * again; the message's own ids get its receipt, the resend's ids this one.
   */
  duplicate: '005',
});

export const REJECT_STAT = 'REJECTD';

export type CloseReason = 'timeout' | 'superseded' | 'evicted';

/** The message a set of parts makes, in seq order. Its id is its lowest part's id. */
export function buildMessage(head: GroupHead, parts: readonly StoredPart[], dups: readonly StoredDup[] | undefined, incompleteMissing?: number[]): MessageRecord {
  const first = parts[0]!;
  const message: MessageRecord = {
    id: first.id,
    customer: head.customer,
    source: head.source,
    destination: head.destination,
    serviceType: head.serviceType,
    esmClass: head.esmClass & ~0x40,
    protocolId: head.protocolId,
    priority: head.priority,
    registeredDelivery: first.rd,
    dataCoding: head.dataCoding,
    body: parts.length === 1 ? first.body : Buffer.concat(parts.map((p) => Buffer.from(p.body, 'base64'))).toString('base64'),
    partIds: parts.map((p) => p.id),
    acceptedAt: Math.min(...parts.map((p) => p.at)),
    node: head.node,
  };
  if (head.validUntil !== undefined) message.validUntil = head.validUntil;
  if (head.scheduledAt !== undefined) message.scheduledAt = head.scheduledAt;
  if (incompleteMissing) message.incomplete = { missing: incompleteMissing };
  if (first.udh !== undefined) message.udhOther = first.udh;
  if (dups && dups.length > 0) message.duplicatePartIds = dups.map((d) => d.id);
  // Only a joined message needs them: a lone part's receipt is the message's own.
  if (parts.length > 1 || message.duplicatePartIds) {
    message.partReceipts = [...parts, ...(dups ?? [])].map((p) => ({ seq: p.seq, registeredDelivery: p.rd }));
  }
  return message;
}

/** A failed receipt for one part, when its registered_delivery asks for one; else null. */
export function failedReceipt(head: Pick<GroupHead, 'customer' | 'source' | 'destination'>, part: { id: string; at: number; rd: number }, err: string, now: number): DeliveryRecord | null {
  if (!wantsReceipt(part.rd, REJECT_STAT)) return null;
  return {
    kind: 'receipt', customer: head.customer, messageId: part.id, source: head.source, destination: head.destination,
    stat: REJECT_STAT, err, submittedAt: part.at, doneAt: now, createdAt: now,
  };
}

export function event(messageId: string, type: AssemblyEventType, now: number, node: string, detail: AssemblyEvent['detail']): AssemblyOutput {
  return { kind: 'event', key: messageId, event: lifecycleEvent(messageId, type, node, detail, now) };
}
