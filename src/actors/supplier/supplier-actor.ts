/**
 * A supplier actor: owns one provider bind. It keeps the SMPP client bound (reconnecting with
 * backoff), sends each routed message at the provider's contracted rate within the bind's
 * window, records the provider's message id for correlation before the record's offset may be
 * committed, and turns the provider's receipts into provider-incoming-events.
 */
import PQueue from 'p-queue';
import type { ActorSpec } from '../../runtime/actor.js';
import type { ActorContext } from '../../runtime/context.js';
import type { GatewayConfig, ProviderConfig } from '../../config/types.js';
import type { DurableWriter, OutRecord } from '../../kafka/writer.js';
import type { Topics } from '../../kafka/topics.js';
import type { Logger } from '../../log.js';
import { SmppClient } from '../../smpp/client.js';
import type { Pdu } from '../../smpp/pdu.js';
import { Status } from '../../smpp/status.js';
import { parseReceiptText } from '../../smpp/receipt.js';
import { UnavailableError, errorMessage } from '../../errors.js';
import { normalizeProviderId } from '../../domain/ids.js';
import {
  decodeRecord, encodeRecord,
  type CorrelationRecord, type DeliveryRecord, type LifecycleEvent, type OutgoingRecord, type ProviderEventRecord,
} from '../../domain/records.js';
import type { CorrelationStore } from './correlation-store.js';
import { throttleFor } from './throttle.js';
import { isTemporarySubmitStatus } from './submit-status.js';
import { wantsReceipt } from '../correlator/receipt-policy.js';
import { replyWhenDone, type RecordMessage } from '../stage-message.js';

export type SupplierMessage = RecordMessage;

interface SupplierState {
  client: SmppClient;
  queue: PQueue;
}

export interface SupplierDeps {
  config: GatewayConfig;
  writer: DurableWriter;
  topics: Topics;
  correlation: CorrelationStore;
  nodeId: string;
}

export function supplierActor(provider: ProviderConfig, deps: SupplierDeps): ActorSpec<SupplierState, SupplierMessage> {
  return {
    kind: 'supplier',
    mailboxCapacity: 4096,
    init: (ctx) => {
      const client = new SmppClient({
        host: provider.host, port: provider.port, systemId: provider.systemId, password: provider.password,
        systemType: provider.systemType, bindType: provider.bindType,
        reconnect: { initialMs: 250, maxMs: 10000 },
        connection: { window: provider.window, responseTimeoutMs: provider.responseTimeoutMs, enquireLinkIntervalMs: 30000, logger: ctx.log },
        logger: ctx.log,
      });
      client.on('bound', () => ctx.log.info('provider bound', { provider: provider.id }));
      client.on('unbound', (reason) => ctx.log.warn('provider bind lost', { provider: provider.id, reason: reason ? errorMessage(reason) : undefined }));
      client.on('request', (pdu, respond) => onProviderRequest(pdu, ctx.log).then(respond, () => respond(Status.ESME_RX_T_APPN)));
      client.start();
      const t = throttleFor(provider.rate);
      return { client, queue: new PQueue({ concurrency: provider.window, intervalCap: t.intervalCap, interval: t.interval }) };
    },
    receive: (state, message, ctx) => {
      const out = decodeRecord<OutgoingRecord>(message.record.value);
      replyWhenDone(ctx, submit(state, out, ctx));
      return state;
    },
    postStop: async (state) => {
      state.queue.clear();
      await state.client.stop();
    },
  };

  async function submit(state: SupplierState, out: OutgoingRecord, ctx: ActorContext<SupplierMessage>): Promise<void> {
    const m = out.message;
    const resp = await state.queue.add(() => {
      if (state.client.state !== 'bound') throw new UnavailableError('PROVIDER_NOT_BOUND', `provider ${provider.id} is not bound`);
      return state.client.request('submit_sm', {
        service_type: m.serviceType,
        source_addr_ton: m.source.ton, source_addr_npi: m.source.npi, source_addr: m.source.addr,
        dest_addr_ton: m.destination.ton, dest_addr_npi: m.destination.npi, destination_addr: m.destination.addr,
        esm_class: m.esmClass & ~0x03, protocol_id: m.protocolId, priority_flag: m.priority,
        // The gateway needs the provider's receipt to keep its own promise to the customer.
        registered_delivery: 0x01,
        data_coding: m.dataCoding,
        short_message: Buffer.from(m.body, 'base64'),
      });
    });
    const now = Date.now();
    if (resp.command_status === Status.ESME_ROK && resp.message_id) {
      const corr: CorrelationRecord = {
        messageId: m.id, customer: m.customer, source: m.source, destination: m.destination,
        registeredDelivery: m.registeredDelivery, submittedAt: now,
      };
      await deps.correlation.put(provider.id, resp.message_id, corr);
      const ev: LifecycleEvent = { messageId: m.id, type: 'submitted', at: now, node: deps.nodeId, detail: { provider: provider.id, providerMessageId: resp.message_id } };
      await deps.writer.append({ topic: deps.topics.events, key: m.id, value: encodeRecord(ev) });
      return;
    }
    if (isTemporarySubmitStatus(resp.command_status)) {
      // Not committed: the stage retries the record after a backoff.
      throw new UnavailableError('PROVIDER_TEMPORARY', `provider ${provider.id} answered status 0x${resp.command_status.toString(16)}`);
    }
    ctx.log.warn('provider rejected message', { provider: provider.id, messageId: m.id, status: resp.command_status });
    const records: OutRecord[] = [{
      topic: deps.topics.events, key: m.id,
      value: encodeRecord({ messageId: m.id, type: 'submit_failed', at: now, node: deps.nodeId, detail: { provider: provider.id, status: resp.command_status } } satisfies LifecycleEvent),
    }];
    if (wantsReceipt(m.registeredDelivery, 'REJECTD')) {
      const dlr: DeliveryRecord = {
        kind: 'receipt', customer: m.customer, messageId: m.id, source: m.source, destination: m.destination,
        stat: 'REJECTD', err: String(resp.command_status % 1000).padStart(3, '0'), submittedAt: m.acceptedAt, doneAt: now, createdAt: now,
      };
      records.push({ topic: deps.topics.deliveries, key: m.customer, value: encodeRecord(dlr) });
    }
    await deps.writer.append(records);
  }

  /** A deliver_sm from the provider: answered only once what it carries is durable in Kafka. */
  async function onProviderRequest(pdu: Pdu, log: Logger): Promise<number> {
    if (pdu.command !== 'deliver_sm') return Status.ESME_RINVCMDID;
    const isReceipt = ((pdu.esm_class ?? 0) & 0x3c) === 0x04;
    if (!isReceipt) {
      log.warn('mobile-originated message refused: MO routing is not configured', { provider: provider.id });
      return Status.ESME_RX_P_APPN;
    }
    const parsed = parseReceiptText((pdu.short_message ?? Buffer.alloc(0)).toString('latin1'));
    const providerMessageId = pdu.receipted_message_id ?? parsed?.id;
    if (!providerMessageId) {
      log.warn('receipt without a message id', { provider: provider.id });
      return Status.ESME_RX_P_APPN;
    }
    const ev: ProviderEventRecord = {
      kind: 'receipt', provider: provider.id, providerMessageId: normalizeProviderId(providerMessageId),
      stat: parsed?.stat ?? 'UNKNOWN', err: parsed?.err ?? '000',
      submitDate: parsed?.submitDate?.toISOString() ?? null, doneDate: parsed?.doneDate?.toISOString() ?? null, receivedAt: Date.now(),
    };
    await deps.writer.append({ topic: deps.topics.providerEvents, key: `${provider.id}:${ev.providerMessageId}`, value: encodeRecord(ev) });
    return Status.ESME_ROK;
  }
}
