/**
 * What a provider sends the gateway over its bind: deliver_sm carrying a delivery receipt
 * (→ the customer's outbox when its correlation is at hand, else provider-incoming-events for
 * the correlator) or a mobile-originated message (→ the
 * outbox of the customer owning the destination number). Each is answered only once what it
 * carries is durable in Kafka, so the provider keeps (and resends) anything the gateway could
 * not take.
 */
import type { ProviderConfig } from '../../config/types.js';
import type { Logger } from '../../log.js';
import type { Pdu } from '../../smpp/pdu.js';
import { EsmClass, Status } from '../../smpp/status.js';
import { canonicalProviderId, receiptIdCandidates } from '../../domain/provider-id.js';
import { newMessageId } from '../../domain/ids.js';
import { encodeRecord, type MoDelivery, type ProviderEventRecord } from '../../domain/records.js';
import { lifecycleEvent } from '../../domain/lifecycle.js';
import { eventRecord } from '../event-record.js';
import { isDeliveryReceipt, readProviderReceipt } from '../correlator/provider-receipt.js';
import type { ArrivalCorrelation, InboundDeps } from './supplier-deps.js';
import { deliverReceipt } from '../correlator/receipt-delivery.js';
import { errorMessage } from '../../errors.js';

/** The provider keeps a small window of deliver_sm open: its writes do not linger. */
const URGENT = { urgent: true };

/** A deliver_sm from the provider: answered only once what it carries is durable in Kafka. */
export async function onProviderRequest(provider: ProviderConfig, deps: InboundDeps, pdu: Pdu, log: Logger): Promise<number> {
  if (pdu.command !== 'deliver_sm') return Status.ESME_RINVCMDID;
  if (!isDeliveryReceipt(pdu.esm_class ?? 0)) return onMobileOriginated(provider, deps, pdu, log);
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
  if (deps.arrival && await correlatedOnArrival(deps, deps.arrival, ev, log)) return Status.ESME_ROK;
  await deps.writer.append({ topic: deps.topics.providerEvents, key: `${provider.id}:${ev.providerMessageId}`, value: encodeRecord(ev) }, URGENT);
  return Status.ESME_ROK;
}

/**
 * A receipt whose correlation is at hand (this supplier's recent ones in memory, else Redis in
 * one MGET with its handled marker) goes to the customer's outbox from here:
 * one record and a consumer hop through the correlator fewer. False: the correlator's to do
 * (not correlated yet, or Redis not answering: nothing is decided on a failed look-up).
 */
async function correlatedOnArrival(deps: InboundDeps, arrival: ArrivalCorrelation, ev: ProviderEventRecord, log: Logger): Promise<boolean> {
  const ids = ev.lookupIds ?? [ev.providerMessageId];
  const recent = arrival.recent?.find(ev.provider, ids, ev.stat);
  let record = recent?.record;
  let handled = recent?.handled ?? false;
  if (!recent) {
    try {
      const found = await arrival.store.lookup(ev.provider, ids, arrival.seen.key(ev.provider, ev.providerMessageId, ev.stat));
      record = found.record ?? undefined;
      handled = found.also;
    } catch (err) {
      log.debug('receipt not correlated on arrival; the correlator takes it', { error: errorMessage(err) });
      return false;
    }
  }
  if (handled) {
    log.debug('provider receipt already handled', { provider: ev.provider, providerMessageId: ev.providerMessageId, stat: ev.stat });
    return true;
  }
  if (!record) return false;
  // The provider waits only for the records; marking and the message state follow (best effort).
  const { written, done } = deliverReceipt({ writer: deps.writer, topics: deps.topics, nodeId: deps.nodeId, seen: arrival.seen, states: arrival.states }, ev, record, log, URGENT);
  void done.catch(() => undefined);
  await written;
  recent?.markHandled();
  return true;
}

/**
 * An MO goes to the customer owning its destination number (`customers[].numbers`); one that
 * no customer owns is refused with ESME_RINVDSTADR, so the provider sees why, and reported.
 */
async function onMobileOriginated(provider: ProviderConfig, deps: InboundDeps, pdu: Pdu, log: Logger): Promise<number> {
  const now = Date.now();
  const id = newMessageId(now);
  const destination = pdu.destination_addr ?? '';
  const owner = deps.numberOwners.ownerOf(destination);
  if (owner === undefined) {
    log.warn('mobile-originated message to a number no customer owns', { provider: provider.id, destination });
    await deps.writer.append(eventRecord(deps.topics, lifecycleEvent(id, 'mo_unroutable', deps.nodeId, {
      provider: provider.id, source: pdu.source_addr ?? '', destination,
    }, now)), URGENT);
    return Status.ESME_RINVDSTADR;
  }
  const body = pdu.short_message?.length ? pdu.short_message : pdu.message_payload ?? Buffer.alloc(0);
  const mo: MoDelivery = {
    kind: 'mo', customer: owner, messageId: id, provider: provider.id,
    source: { ton: pdu.source_addr_ton ?? 0, npi: pdu.source_addr_npi ?? 0, addr: pdu.source_addr ?? '' },
    destination: { ton: pdu.dest_addr_ton ?? 0, npi: pdu.dest_addr_npi ?? 0, addr: destination },
    esmClass: (pdu.esm_class ?? 0) & EsmClass.UDH_INDICATOR,
    protocolId: pdu.protocol_id ?? 0, dataCoding: pdu.data_coding ?? 0,
    body: body.toString('base64'), createdAt: now,
  };
  await deps.writer.append([
    { topic: deps.topics.deliveries, key: owner, value: encodeRecord(mo) },
    eventRecord(deps.topics, lifecycleEvent(id, 'mo_received', deps.nodeId, { provider: provider.id, customer: owner, destination }, now)),
  ], URGENT);
  return Status.ESME_ROK;
}
