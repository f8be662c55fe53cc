/**
 * The deliver_sm a customer gets for what the gateway owes it. Pure.
 * - A receipt: esm_class 0x04, from the handset's number to the sender, the standard text with
 *   the gateway id the customer was given, receipted_message_id and message_state.
 * - An MO: esm_class 0 (with the UDH indicator when the provider's message had a UDH), from
 *   the handset to the customer's number, the octets as the provider sent them; bodies over
 *   254 octets travel in message_payload.
 */
import type { PduFields } from '../../smpp/pdu.js';
import { EsmClass } from '../../smpp/status.js';
import { formatReceiptText, messageStateFor, normalizeStat } from '../../smpp/receipt.js';
import type { OutboxRecord } from '../../domain/records.js';

const MAX_SHORT_MESSAGE = 254;

export function deliverSmFields(record: OutboxRecord): PduFields {
  if (record.kind === 'mo') {
    const body = Buffer.from(record.body, 'base64');
    return {
      source_addr_ton: record.source.ton, source_addr_npi: record.source.npi, source_addr: record.source.addr,
      dest_addr_ton: record.destination.ton, dest_addr_npi: record.destination.npi, destination_addr: record.destination.addr,
      esm_class: record.esmClass & EsmClass.UDH_INDICATOR,
      protocol_id: record.protocolId,
      data_coding: record.dataCoding,
      ...(body.length > MAX_SHORT_MESSAGE ? { short_message: Buffer.alloc(0), message_payload: body } : { short_message: body }),
    };
  }
  const text = formatReceiptText({
    id: record.messageId, sub: 1, dlvrd: record.stat === 'DELIVRD' ? 1 : 0,
    submitDate: new Date(record.submittedAt), doneDate: new Date(record.doneAt),
    stat: normalizeStat(record.stat) ?? 'UNKNOWN', err: record.err, text: '',
  });
  return {
    source_addr_ton: record.destination.ton, source_addr_npi: record.destination.npi, source_addr: record.destination.addr,
    dest_addr_ton: record.source.ton, dest_addr_npi: record.source.npi, destination_addr: record.source.addr,
    esm_class: EsmClass.DELIVERY_RECEIPT,
    data_coding: 0,
    short_message: Buffer.from(text, 'latin1'),
    receipted_message_id: record.messageId,
    message_state: messageStateFor(record.stat),
  };
}
