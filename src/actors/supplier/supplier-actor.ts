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
import { UnavailableError, errorMessage } from '../../errors.js';
import { canonicalProviderId, receiptIdCandidates } from '../../domain/provider-id.js';
import { isDeliveryReceipt, readProviderReceipt } from '../correlator/provider-receipt.js';
import { MessageTooLongError, splitForProvider, type SplitResult } from './split.js';
import {
  decodeRecord, encodeRecord,
  type CorrelationRecord, type LifecycleEvent, type OutgoingRecord, type ProviderEventRecord,
} from '../../domain/records.js';
import type { CorrelationStore } from './correlation-store.js';
import { throttleFor } from './throttle.js';
import { isTemporarySubmitStatus } from './submit-status.js';
import { receiptsForMessage, targetsPerProviderPart } from '../correlator/receipt-targets.js';
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
    let split: SplitResult;
    try {
      split = splitForProvider(m, { concatenation: provider.concatenation });
    } catch (err) {
      if (!(err instanceof MessageTooLongError)) throw err;
      return refuse(m, Status.ESME_RINVMSGLEN, ctx);
    }
    // One queue entry per submit_sm: the throttle counts parts. Parts go in order; a temporary
    // refusal of a later part retries the whole record (earlier parts carry the same reference).
    const corr: CorrelationRecord = {
      messageId: m.id, customer: m.customer, source: m.source, destination: m.destination,
      registeredDelivery: m.registeredDelivery, submittedAt: Date.now(),
    };
    const providerIds: string[] = [];
    // Which of the customer's part ids each provider part's receipt answers for.
    const targets = targetsPerProviderPart(m, split.submits.length);
    for (const [i, fields] of split.submits.entries()) {
      const resp = await state.queue.add(() => {
        if (state.client.state !== 'bound') throw new UnavailableError('PROVIDER_NOT_BOUND', `provider ${provider.id} is not bound`);
        // The gateway needs the provider's receipt to keep its own promise to the customer.
        return state.client.request('submit_sm', { ...fields, registered_delivery: 0x01 });
      });
      if (resp.command_status === Status.ESME_ROK && resp.message_id) {
        // Stored per part as soon as it is known: a part's receipt can overtake the next submit.
        await deps.correlation.put(provider.id, resp.message_id, { ...corr, parts: targets[i] ?? [] });
        providerIds.push(resp.message_id);
        continue;
      }
      if (isTemporarySubmitStatus(resp.command_status)) {
        // Not committed: the stage retries the record after a backoff.
        throw new UnavailableError('PROVIDER_TEMPORARY', `provider ${provider.id} answered status 0x${resp.command_status.toString(16)}`);
      }
      return refuse(m, resp.command_status, ctx);
    }
    const now = Date.now();
    const ev: LifecycleEvent = {
      messageId: m.id, type: 'submitted', at: now, node: deps.nodeId,
      detail: { provider: provider.id, providerMessageId: providerIds.join(','), parts: split.parts },
    };
    await deps.writer.append({ topic: deps.topics.events, key: m.id, value: encodeRecord(ev) });
  }

  async function refuse(m: OutgoingRecord['message'], status: number, ctx: ActorContext<SupplierMessage>): Promise<void> {
    const now = Date.now();
    ctx.log.warn('provider rejected message', { provider: provider.id, messageId: m.id, status });
    const records: OutRecord[] = [{
      topic: deps.topics.events, key: m.id,
      value: encodeRecord({ messageId: m.id, type: 'submit_failed', at: now, node: deps.nodeId, detail: { provider: provider.id, status } } satisfies LifecycleEvent),
    }];
    for (const dlr of receiptsForMessage(m, 'REJECTD', String(status % 1000).padStart(3, '0'), now)) {
      records.push({ topic: deps.topics.deliveries, key: m.customer, value: encodeRecord(dlr) });
    }
    await deps.writer.append(records);
  }

  /** A deliver_sm from the provider: answered only once what it carries is durable in Kafka. */
  async function onProviderRequest(pdu: Pdu, log: Logger): Promise<number> {
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
}
