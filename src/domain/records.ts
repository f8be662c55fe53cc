/**
 * The records that travel between stages through Kafka, as JSON. Plain data only: they cross
 * topics, threads and nodes. Octet strings (short_message bodies) travel as base64.
 */
import { RecordError, errorMessage } from '../errors.js';

export interface SmsAddress {
  ton: number;
  npi: number;
  addr: string;
}

/** A whole message accepted from a customer (customer-incoming-messages, keyed by id). */
export interface MessageRecord {
  /** Gateway message id; the id the customer was given in submit_sm_resp. */
  id: string;
  customer: string;
  source: SmsAddress;
  destination: SmsAddress;
  serviceType: string;
  esmClass: number;
  protocolId: number;
  priority: number;
  registeredDelivery: number;
  dataCoding: number;
  /**
   * The message's octets, base64. A single-part submit keeps its short_message as sent (UDH
   * included when esm_class has 0x40); an assembled message holds the parts' user data joined
   * in order, without their concatenation headers (esm_class without 0x40).
   */
  body: string;
  /** The customer's message ids of every part this message was made of, in part order. */
  partIds: string[];
  acceptedAt: number;
  node: string;
  /**
   * From validity_period (epoch ms): not sent to a provider after it (the receipt says EXPIRED);
   * the provider gets it as its own validity_period.
   */
  validUntil?: number;
  /** From schedule_delivery_time (epoch ms): the provider gets it and delivers no earlier. */
  scheduledAt?: number;
  /** Set by the assembler when parts never came and configuration releases what arrived. */
  incomplete?: { missing: number[] };
  /** The customer's own reference for the message (HTTP API), in its `accepted` event. */
  reference?: string;
  /** Kannel's dlr-url and dlr-mask (sendsms): the receipt is told by calling the URL. */
  dlr?: DlrRequest;
  /**
   * Set by the assembler: UDH information elements other than concatenation (e.g. port
   * addressing) that part 1 carried, base64, for the supplier to put back when it re-splits.
   */
  udhOther?: string;
  /**
   * Set by the assembler: the customer's ids of resent copies of parts it already held. Each was
   * answered with its own id, so each is owed the same receipt as the message.
   */
  duplicatePartIds?: string[];
  /**
   * Set when a supplier hands the message back to the router for the next provider of a
   * failover route: the providers already tried (never chosen again) and why the last failed.
   */
  reroute?: Reroute;
  /**
   * Set by the assembler: for each id of `partIds`, then of `duplicatePartIds`, that part's seq
   * (1-based) and registered_delivery, so every part gets the receipt it asked for and a
   * receipt can be matched to the provider part that carried its text.
   */
  partReceipts?: PartReceiptInfo[];
}

export interface PartReceiptInfo {
  seq: number;
  registeredDelivery: number;
}

export interface Reroute {
  excluded: string[];
  /** rejected: a permanent submit_sm_resp status; down: the bind stayed down; exhausted: temporary errors past the limits. */
  reason: 'rejected' | 'down' | 'exhausted';
  /** The last submit_sm_resp status, when there was one. */
  lastStatus: number | null;
}

/** How the customer marked a part as one of a concatenated message. */
export type ConcatScheme = 'udh8' | 'udh16' | 'sar';

/**
 * One part of a multi-part message (customer-incoming-message-parts). Keyed by `partKey`, so
 * every part of one message lands in one partition whichever bind or node it came through.
 */
export interface PartRecord {
  customer: string;
  /** The id the customer was given for this part. */
  partId: string;
  scheme: ConcatScheme;
  ref: number;
  total: number;
  /** 1-based. */
  seq: number;
  source: SmsAddress;
  destination: SmsAddress;
  serviceType: string;
  esmClass: number;
  protocolId: number;
  priority: number;
  registeredDelivery: number;
  dataCoding: number;
  /** This part's user data without its concatenation header, base64. */
  body: string;
  /** UDH information elements other than concatenation (e.g. port addressing), base64, if any. */
  udhOther?: string;
  acceptedAt: number;
  node: string;
  /**
   * From validity_period (epoch ms): not sent to a provider after it (the receipt says EXPIRED);
   * the provider gets it as its own validity_period.
   */
  validUntil?: number;
  /** From schedule_delivery_time (epoch ms): the provider gets it and delivers no earlier. */
  scheduledAt?: number;
}

/** The concatenation group a part belongs to: customer, source, destination, reference, total. */
export function partKey(p: Pick<PartRecord, 'customer' | 'source' | 'destination' | 'ref' | 'total'>): string {
  return `${p.customer}|${p.source.addr}|${p.destination.addr}|${p.ref}|${p.total}`;
}

/** A message routed to a provider bind (provider-outgoing-messages, partitioned by provider). */
export interface OutgoingRecord {
  message: MessageRecord;
  provider: string;
  routedAt: number;
  /** The route is a failover route: a provider that is down or refuses hands the message back to the router. */
  failover?: boolean;
  /**
   * Routed by the customer edge that accepted it (a single-part message): this record is the
   * message's only whole-message record, there is none in customer-incoming-messages.
   */
  atEdge?: boolean;
}

/** Something a provider sent us (provider-incoming-events, keyed by provider message id). */
export interface ProviderEventRecord {
  kind: 'receipt';
  provider: string;
  /** Canonical key of the id the receipt named (see provider-id.ts). */
  providerMessageId: string;
  /** Keys to look the correlation up under, best first; `[providerMessageId]` when absent. */
  lookupIds?: string[];
  stat: string;
  err: string;
  submitDate: string | null;
  doneDate: string | null;
  receivedAt: number;
}

/**
 * What the gateway owes a customer (customer-outgoing-deliveries, keyed by customer): a
 * receipt or a mobile-originated message.
 */
export type OutboxRecord = DeliveryRecord | MoDelivery;

/** A delivery receipt for a message the customer submitted. */
export interface DeliveryRecord {
  kind: 'receipt';
  customer: string;
  /** The customer's message id this receipt is about. */
  messageId: string;
  source: SmsAddress;
  destination: SmsAddress;
  stat: string;
  err: string;
  submittedAt: number;
  doneAt: number;
  createdAt: number;
  /** The provider whose receipt this is (absent for the gateway's own failed receipts). */
  provider?: string;
  /** The SMS parts the message went to the provider as (absent for the gateway's own failed receipts). */
  parts?: number;
  /** Set when the message came with a Kannel dlr-url: the receipt goes there (src/http/dlr-url.ts). */
  dlr?: DlrRequest;
}

/** Kannel's dlr-url (with its escapes) and dlr-mask (1 delivered, 2 failed, 4 buffered, 16 rejected). */
export interface DlrRequest {
  url: string;
  mask: number;
}

/** A mobile-originated message to a number the customer owns. */
export interface MoDelivery {
  kind: 'mo';
  customer: string;
  /** The gateway's id of this MO (events are keyed by it). */
  messageId: string;
  /** The provider it came from. */
  provider: string;
  /** The handset. */
  source: SmsAddress;
  /** The customer's number. */
  destination: SmsAddress;
  /** As the provider sent it: only the UDH indicator (0x40) is passed on. */
  esmClass: number;
  protocolId: number;
  dataCoding: number;
  /** The message octets (UDH included when esmClass has 0x40), base64. */
  body: string;
  createdAt: number;
}

/**
 * submit_retry: a part sent to the provider again (detail.possibleDuplicate when the provider
 * may already have it: its answer was lost to a timeout or a dropped connection); rerouted:
 * handed back to the router for the next provider of a failover route.
 */
export type LifecycleType =
  | 'accepted' | 'routed' | 'unroutable' | 'submitted' | 'submit_failed' | 'submit_retry' | 'rerouted' | 'receipt' | 'receipt_unmatched'
  | 'mo_received' | 'mo_unroutable'
  /** A receipt or MO put aside until its customer can take it (not bound, or deliver_sm failed). */
  | 'delivery_held'
  | 'delivered'
  /** Held longer than delivery.retentionSeconds: dropped. */
  | 'delivery_expired'
  // The assembler's: a whole message made (keyed by its id); a resent part not counted again or
  // a part refused as impossible (keyed by the part's id); an unfinished message closed by its
  // timeout, a reused reference or the open-entry bound (keyed by its first part's id).
  | 'assembled' | 'part_duplicate' | 'part_rejected' | 'assembly_expired'
  /** A stage gave up on a record of this message: it is in the dead-letter topic. */
  | 'dead_lettered';

/** One step in a message's life (message-events, keyed by gateway message id). */
export interface LifecycleEvent {
  messageId: string;
  type: LifecycleType;
  at: number;
  node: string;
  detail?: Record<string, string | number | boolean | null>;
}

/** What the supplier remembers about a submitted message, to match its receipt later. */
export interface CorrelationRecord {
  messageId: string;
  customer: string;
  source: SmsAddress;
  destination: SmsAddress;
  registeredDelivery: number;
  submittedAt: number;
  /** The message's dlr-url, passed on to its receipts. */
  dlr?: DlrRequest;
  /** How many submit_sm the message took at this provider (its SMS parts), passed on to its receipts. */
  providerParts?: number;
  /**
   * The customer's part ids this provider part answers for, each with the registered_delivery
   * it was submitted with: one receipt goes to each. Absent in records written before parts
   * were tracked: then one receipt goes to `messageId`.
   */
  parts?: ReceiptTarget[];
}

/** A customer message id a receipt is owed to, and what that submit asked for. */
export interface ReceiptTarget {
  id: string;
  registeredDelivery: number;
}

export function encodeRecord(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** The record's JSON; bytes that are not JSON are the record's fault (RecordError). */
export function decodeRecord<T>(value: Buffer): T {
  try {
    return JSON.parse(value.toString('utf8')) as T;
  } catch (err) {
    throw new RecordError('RECORD_UNDECODABLE', `undecodable record (${value.length} bytes): ${errorMessage(err)}`, err);
  }
}
