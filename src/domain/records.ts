/**
 * The records that travel between stages through Kafka, as JSON. Plain data only: they cross
 * topics, threads and nodes. Octet strings (short_message bodies) travel as base64.
 */
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
  /** Set by the assembler when parts never came and configuration releases what arrived. */
  incomplete?: { missing: number[] };
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

/** What the gateway owes a customer (customer-outgoing-deliveries, keyed by customer). */
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
}

export type LifecycleType =
  | 'accepted' | 'routed' | 'unroutable' | 'submitted' | 'submit_failed' | 'receipt' | 'receipt_unmatched' | 'delivered'
  // The assembler's: a whole message made (keyed by its id); a resent part not counted again or
  // a part refused as impossible (keyed by the part's id); an unfinished message closed by its
  // timeout, a reused reference or the open-entry bound (keyed by its first part's id).
  | 'assembled' | 'part_duplicate' | 'part_rejected' | 'assembly_expired';

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

export function decodeRecord<T>(value: Buffer): T {
  return JSON.parse(value.toString('utf8')) as T;
}
