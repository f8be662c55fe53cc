/** A routed message as the suppliers read it; a record of another shape is the record's fault. */
import { decodeRecord, type OutgoingRecord } from '../../domain/records.js';
import { RecordError } from '../../errors.js';

export function decodeOutgoing(value: Buffer): OutgoingRecord {
  const out = decodeRecord<OutgoingRecord>(value);
  const m = (out as Partial<OutgoingRecord> | null)?.message;
  if (typeof out !== 'object' || out === null || typeof out.provider !== 'string' || typeof m !== 'object' || m === null
    || typeof m.id !== 'string' || typeof m.customer !== 'string' || typeof m.source?.addr !== 'string' || typeof m.destination?.addr !== 'string') {
    throw new RecordError('RECORD_INVALID', 'not a routed message: provider, message.id, message.customer and its addresses are required');
  }
  return out;
}
