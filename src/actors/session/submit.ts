/** Turns a customer's submit_sm into the record the gateway stores. Pure. */
import type { Pdu } from '../../smpp/pdu.js';
import { SmppStatusError } from '../../errors.js';
import { Status } from '../../smpp/status.js';
import type { MessageRecord } from '../../domain/records.js';

export interface SubmitContext {
  customer: string;
  messageId: string;
  node: string;
  now: number;
}

export function messageFromSubmit(pdu: Pdu, ctx: SubmitContext): MessageRecord {
  const destination = pdu.destination_addr ?? '';
  if (destination.length === 0) throw new SmppStatusError('SUBMIT_NO_DESTINATION', Status.ESME_RINVDSTADR, 'destination_addr is empty');
  if (destination.length > 20) throw new SmppStatusError('SUBMIT_BAD_DESTINATION', Status.ESME_RINVDSTADR, 'destination_addr is longer than 20 octets');
  const source = pdu.source_addr ?? '';
  if (source.length > 20) throw new SmppStatusError('SUBMIT_BAD_SOURCE', Status.ESME_RINVSRCADR, 'source_addr is longer than 20 octets');
  const body = pdu.short_message && pdu.short_message.length > 0 ? pdu.short_message : pdu.message_payload ?? Buffer.alloc(0);
  if (pdu.short_message && pdu.short_message.length > 0 && pdu.message_payload)
    throw new SmppStatusError('SUBMIT_BOTH_BODIES', Status.ESME_RINVMSGLEN, 'short_message and message_payload are both set');
  return {
    id: ctx.messageId,
    customer: ctx.customer,
    source: { ton: pdu.source_addr_ton ?? 0, npi: pdu.source_addr_npi ?? 0, addr: source },
    destination: { ton: pdu.dest_addr_ton ?? 0, npi: pdu.dest_addr_npi ?? 0, addr: destination },
    serviceType: pdu.service_type ?? '',
    esmClass: pdu.esm_class ?? 0,
    protocolId: pdu.protocol_id ?? 0,
    priority: pdu.priority_flag ?? 0,
    registeredDelivery: pdu.registered_delivery ?? 0,
    dataCoding: pdu.data_coding ?? 0,
    body: body.toString('base64'),
    partIds: [ctx.messageId],
    acceptedAt: ctx.now,
    node: ctx.node,
  };
}
