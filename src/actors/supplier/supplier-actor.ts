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
import { SmppClient } from '../../smpp/client.js';
import { Status } from '../../smpp/status.js';
import { UnavailableError, errorMessage } from '../../errors.js';
import { MessageTooLongError, splitForProvider, type SplitResult } from './split.js';
import {
  decodeRecord, encodeRecord,
  type CorrelationRecord, type DeliveryRecord, type LifecycleEvent, type OutgoingRecord,
} from '../../domain/records.js';
import type { CorrelationStore } from './correlation-store.js';
import { throttleFor } from './throttle.js';
import { isTemporarySubmitStatus } from './submit-status.js';
import { wantsReceipt } from '../correlator/receipt-policy.js';
import { replyWhenDone, type RecordMessage } from '../stage-message.js';
import type { NumberOwners } from '../router/number-owners.js';
import { onProviderRequest } from './provider-inbound.js';

/** Operator controls (src/control/): hold or release the submits of this bind, change its rate. */
export type SupplierControl =
  | { type: 'control'; action: 'pause' }
  | { type: 'control'; action: 'resume' }
  | { type: 'control'; action: 'rate'; rate: number };

export type SupplierMessage = RecordMessage | SupplierControl;

interface SupplierState {
  client: SmppClient;
  queue: PQueue;
  paused: boolean;
  rate: number;
  submitted: number;
  lastError: string;
  /** Refreshes the inspector's gauges (bind state, queue depth...). */
  report: () => void;
}

export interface SupplierDeps {
  config: GatewayConfig;
  writer: DurableWriter;
  topics: Topics;
  correlation: CorrelationStore;
  nodeId: string;
  /** Who owns the destination number of a mobile-originated message. */
  numberOwners: NumberOwners;
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
      const state: SupplierState = {
        client, queue: throttledQueue(provider.rate), paused: false, rate: provider.rate, submitted: 0, lastError: '',
        report: () => {
          const gauges = {
            provider: provider.id, state: client.state, paused: state.paused ? 1 : 0, window: provider.window, inFlight: client.inFlight,
            rate: state.rate, queued: state.queue.size + state.queue.pending, submitted: state.submitted, lastError: state.lastError,
          };
          for (const [k, v] of Object.entries(gauges)) ctx.setGauge(k, v);
        },
      };
      client.on('bound', () => {
        ctx.log.info('provider bound', { provider: provider.id });
        state.report();
      });
      client.on('unbound', (reason) => {
        ctx.log.warn('provider bind lost', { provider: provider.id, reason: reason ? errorMessage(reason) : undefined });
        state.lastError = reason ? errorMessage(reason) : 'unbound';
        state.report();
      });
      client.on('bindFailed', (err) => {
        state.lastError = errorMessage(err);
        state.report();
      });
      client.on('request', (pdu, respond) => onProviderRequest(provider, deps, pdu, ctx.log).then(respond, () => respond(Status.ESME_RX_T_APPN)));
      client.start();
      state.queue.on('next', state.report).on('add', state.report);
      state.report();
      return state;
    },
    receive: (state, message, ctx) => {
      if (message.type === 'control') return control(state, message, ctx);
      const out = decodeRecord<OutgoingRecord>(message.record.value);
      replyWhenDone(ctx, submit(state, out, ctx));
      return state;
    },
    postStop: async (state) => {
      state.queue.clear();
      await state.client.stop();
    },
  };

  function throttledQueue(rate: number): PQueue {
    const t = throttleFor(rate);
    return new PQueue({ concurrency: provider.window, intervalCap: t.intervalCap, interval: t.interval });
  }

  /**
   * Pause holds submits not yet started (in-flight ones finish; records wait uncommitted).
   * A new rate takes a new queue: p-queue cannot change its interval in place; submits already
   * queued finish at the old rate.
   */
  function control(state: SupplierState, m: SupplierControl, ctx: ActorContext<SupplierMessage>): SupplierState {
    switch (m.action) {
      case 'pause':
        state.paused = true;
        state.queue.pause();
        break;
      case 'resume':
        state.paused = false;
        state.queue.start();
        break;
      case 'rate': {
        if (!(m.rate > 0)) throw new RangeError(`rate must be > 0 (got ${m.rate})`);
        state.queue = throttledQueue(m.rate);
        state.queue.on('next', state.report).on('add', state.report);
        if (state.paused) state.queue.pause();
        state.rate = m.rate;
        break;
      }
    }
    ctx.log.info('provider bind controlled by an operator', { provider: provider.id, action: m.action, paused: state.paused, rate: state.rate });
    state.report();
    ctx.reply({ provider: provider.id, paused: state.paused, rate: state.rate });
    return state;
  }

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
    for (const fields of split.submits) {
      const resp = await state.queue.add(() => {
        if (state.client.state !== 'bound') throw new UnavailableError('PROVIDER_NOT_BOUND', `provider ${provider.id} is not bound`);
        // The gateway needs the provider's receipt to keep its own promise to the customer.
        return state.client.request('submit_sm', { ...fields, registered_delivery: 0x01 });
      });
      if (resp.command_status === Status.ESME_ROK && resp.message_id) {
        // Stored per part as soon as it is known: a part's receipt can overtake the next submit.
        await deps.correlation.put(provider.id, resp.message_id, corr);
        providerIds.push(resp.message_id);
        state.submitted++;
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
    if (wantsReceipt(m.registeredDelivery, 'REJECTD')) {
      const dlr: DeliveryRecord = {
        kind: 'receipt', customer: m.customer, messageId: m.id, source: m.source, destination: m.destination,
        stat: 'REJECTD', err: String(status % 1000).padStart(3, '0'), submittedAt: m.acceptedAt, doneAt: now, createdAt: now,
      };
      records.push({ topic: deps.topics.deliveries, key: m.customer, value: encodeRecord(dlr) });
    }
    await deps.writer.append(records);
  }
}
