/**
 * The failed receipts a message owes its customer when a stage gives up on it: one per part id
 * the customer was given, each as that part asked (registered_delivery). Used for messages
 * the router cannot route and for records set aside in the dead letters.
 */
import type { Topics } from '../kafka/topics.js';
import type { OutRecord } from '../kafka/writer.js';
import { encodeRecord, type MessageRecord } from '../domain/records.js';
import { receiptsForMessage } from './correlator/receipt-targets.js';
import type { DeadLetterOutcome } from '../host/stage.js';

export function failedReceipts(topics: Topics, m: MessageRecord, stat: 'UNDELIV' | 'REJECTD' | 'EXPIRED', err: string, now: number): OutRecord[] {
  return receiptsForMessage(m, stat, err, now).map((dlr) => ({ topic: topics.deliveries, key: m.customer, value: encodeRecord(dlr) }));
}

/**
 * A message set aside by a stage gets UNDELIV with err 008 (the gateway's own failure, as
 * ESME_RSYSERR is 0x08) instead of silence, when the record is readable enough to say whose
 * message it was; otherwise nothing more can be told.
 */
export function deadLetteredMessage(topics: Topics, read: () => MessageRecord): DeadLetterOutcome {
  let m: MessageRecord;
  try {
    m = read();
  } catch {
    return { messageId: null, outputs: [] };
  }
  let outputs: OutRecord[] = [];
  try {
    outputs = failedReceipts(topics, m, 'UNDELIV', '008', Date.now());
  } catch {
    // The message is too damaged to answer (its parts unreadable): the id still goes in the trace.
  }
  return { messageId: m.id, outputs };
}
