/**
 * What a supplier does with a request its provider sends over the bind (deliver_sm: receipts
 * today, MO later). Kept apart from the outbound path so the return path can grow here.
 */
import type { ProviderConfig } from '../../config/types.js';
import type { DurableWriter } from '../../kafka/writer.js';
import type { Topics } from '../../kafka/topics.js';
import type { Logger } from '../../log.js';
import type { Pdu } from '../../smpp/pdu.js';
import { Status } from '../../smpp/status.js';
import { canonicalProviderId, receiptIdCandidates } from '../../domain/provider-id.js';
import { isDeliveryReceipt, readProviderReceipt } from '../correlator/provider-receipt.js';
import { encodeRecord, type ProviderEventRecord } from '../../domain/records.js';

export interface ProviderInboundDeps {
  writer: DurableWriter;
  topics: Topics;
}

/** A deliver_sm from the provider: answered only once what it carries is durable in Kafka. */
export async function onProviderRequest(provider: ProviderConfig, deps: ProviderInboundDeps, pdu: Pdu, log: Logger): Promise<number> {
  if (pdu.command !== 'deliver_sm') return Status.ESME_RINVCMDID;
  if (!isDeliveryReceipt(pdu.esm_class ?? 0)) {
    log.warn('mobile-originated message refused: MO routing is not configured', { provider: provider.id });
    return Status.ESME_RX_P_APPN;
  }
  const receipt = readProviderReceipt(pdu);
  if (!receipt) {
    log.warn('receipt without a message id', { provider: provider.id });
    return Status.ESME_RX_P_APPN;
  }
  const ev: ProviderEventRecord = {
    kind: 'receipt', provider: provider.id, providerMessageId: canonicalProviderId(receipt.providerMessageId),
    lookupIds: receiptIdCandidates(receipt.providerMessageId, provider.receiptIdForm),
    stat: receipt.stat, err: receipt.err,
    submitDate: receipt.submitDate?.toISOString() ?? null, doneDate: receipt.doneDate?.toISOString() ?? null, receivedAt: Date.now(),
  };
  await deps.writer.append({ topic: deps.topics.providerEvents, key: `${provider.id}:${ev.providerMessageId}`, value: encodeRecord(ev) });
  return Status.ESME_ROK;
}
