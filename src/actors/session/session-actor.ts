/**
 * The session actor: one per customer SMPP connection, on the node's main thread where the
 * socket lives. It authenticates binds, turns submit_sm into records made durable in Kafka
 * before answering, and carries deliveries (receipts, MO) to the customer.
 *
 * Submits are not awaited inside receive: a customer keeps a window of submits open and each
 * is answered as soon as its own Kafka write is acknowledged; the actor only keeps count so
 * shutdown can wait for them.
 */
import type { ActorSpec } from '../../runtime/actor.js';
import type { ActorContext } from '../../runtime/context.js';
import type { BindType, CustomerConfig, GatewayConfig } from '../../config/types.js';
import type { SmppConnection } from '../../smpp/connection.js';
import type { Pdu } from '../../smpp/pdu.js';
import { Status } from '../../smpp/status.js';
import { formatReceiptText, messageStateFor, normalizeStat } from '../../smpp/receipt.js';
import { GatewayError, SmppStatusError, UnavailableError, errorMessage } from '../../errors.js';
import { WriterQueueFullError, type DurableWriter } from '../../kafka/writer.js';
import type { Topics } from '../../kafka/topics.js';
import { encodeRecord, type DeliveryRecord, type LifecycleEvent } from '../../domain/records.js';
import { newMessageId } from '../../domain/ids.js';
import { BIND_COMMANDS, authenticate, canReceive, canTransmit } from './auth.js';
import { messageFromSubmit } from './submit.js';
import type { DeliverMessage, LocalSessions } from './local-sessions.js';
import type { SessionRegistry } from './registry.js';

export type Respond = (status: number, fields?: Record<string, unknown>) => void;

export type SessionMessage =
  | { type: 'request'; pdu: Pdu; respond: Respond }
  | DeliverMessage
  | { type: 'closed' }
  /** Node shutdown: finish in-flight submits, unbind the customer, close. */
  | { type: 'shutdown'; unbindTimeoutMs: number };

export interface SessionDeps {
  config: GatewayConfig;
  writer: DurableWriter;
  topics: Topics;
  registry: SessionRegistry;
  local: LocalSessions;
  nodeId: string;
}

interface Bound {
  customer: CustomerConfig;
  bindType: BindType;
}

interface SessionState {
  bound: Bound | null;
  inFlight: Set<Promise<void>>;
  closing: boolean;
}

export function sessionActor(id: string, conn: SmppConnection, deps: SessionDeps): ActorSpec<SessionState, SessionMessage> {
  return {
    kind: 'session',
    mailboxCapacity: 2048,
    // A session's state is its bind; losing it on restart would leave the customer believing
    // it is bound. Faults inside one message are answered and the session goes on.
    supervision: { decider: () => 'resume' },
    init: () => ({ bound: null, inFlight: new Set(), closing: false }),
    receive: async (state, message, ctx) => {
      switch (message.type) {
        case 'request':
          await onRequest(state, message.pdu, message.respond, ctx);
          return state;
        case 'deliver':
          onDeliver(state, message.record, ctx);
          return state;
        case 'closed':
          await onClosed(state, ctx);
          return state;
        case 'shutdown':
          await onShutdown(state, message.unbindTimeoutMs);
          return state;
      }
    },
  };

  async function onRequest(state: SessionState, pdu: Pdu, respond: Respond, ctx: ActorContext<SessionMessage>): Promise<void> {
    const bindType = BIND_COMMANDS[pdu.command];
    if (bindType) return onBind(state, pdu, bindType, respond, ctx);
    if (!state.bound) {
      respond(Status.ESME_RINVBNDSTS);
      return;
    }
    if (pdu.command === 'submit_sm') return onSubmit(state, state.bound, pdu, respond, ctx);
    respond(Status.ESME_RINVCMDID);
  }

  async function onBind(state: SessionState, pdu: Pdu, bindType: BindType, respond: Respond, ctx: ActorContext<SessionMessage>): Promise<void> {
    if (state.bound) {
      respond(Status.ESME_RALYBND);
      return;
    }
    let customer: CustomerConfig;
    try {
      customer = authenticate(deps.config.customers, pdu.system_id ?? '', pdu.password ?? '', bindType);
    } catch (err) {
      // The password itself is never logged.
      ctx.log.warn('bind refused', { systemId: pdu.system_id, bindType, remote: conn.remoteAddress, code: (err as GatewayError).code });
      respond(err instanceof SmppStatusError ? err.commandStatus : Status.ESME_RBINDFAIL);
      return;
    }
    state.bound = { customer, bindType };
    deps.local.add({ id, customer: customer.systemId, canReceive: canReceive(bindType), ref: ctx.self });
    try {
      await deps.registry.register({ id, customer: customer.systemId, bindType, node: deps.nodeId, remote: conn.remoteAddress, since: Date.now() });
    } catch (err) {
      // The bind still works on this node; the registry only helps other nodes find it.
      ctx.log.warn('session registry unavailable', { error: errorMessage(err) });
    }
    ctx.log.info('bound', { customer: customer.systemId, bindType, remote: conn.remoteAddress });
    respond(Status.ESME_ROK, { system_id: 'smsgw' });
  }

  function onSubmit(state: SessionState, bound: Bound, pdu: Pdu, respond: Respond, ctx: ActorContext<SessionMessage>): void {
    if (!canTransmit(bound.bindType)) {
      respond(Status.ESME_RINVBNDSTS);
      return;
    }
    const now = Date.now();
    let record;
    try {
      record = messageFromSubmit(pdu, { customer: bound.customer.systemId, messageId: newMessageId(now), node: deps.nodeId, now });
    } catch (err) {
      respond(err instanceof SmppStatusError ? err.commandStatus : Status.ESME_RSYSERR);
      return;
    }
    const event: LifecycleEvent = { messageId: record.id, type: 'accepted', at: now, node: deps.nodeId, detail: { customer: record.customer, session: id } };
    const work = deps.writer
      .append([
        { topic: deps.topics.messages, key: record.id, value: encodeRecord(record) },
        { topic: deps.topics.events, key: record.id, value: encodeRecord(event) },
      ])
      .then(
        () => respond(Status.ESME_ROK, { message_id: record.id }),
        (err: unknown) => {
          ctx.log.warn('submit not accepted', { error: errorMessage(err) });
          respond(err instanceof WriterQueueFullError ? Status.ESME_RMSGQFUL : Status.ESME_RSYSERR);
        },
      );
    state.inFlight.add(work);
    void work.finally(() => state.inFlight.delete(work));
  }

  function onDeliver(state: SessionState, record: DeliveryRecord, ctx: ActorContext<SessionMessage>): void {
    const reply = ctx.deferReply<void>();
    if (!state.bound || state.closing || conn.closed) {
      reply.reject(new UnavailableError('SESSION_GONE', `session ${id} can no longer deliver`));
      return;
    }
    const text = formatReceiptText({
      id: record.messageId, sub: 1, dlvrd: record.stat === 'DELIVRD' ? 1 : 0,
      submitDate: new Date(record.submittedAt), doneDate: new Date(record.doneAt),
      stat: normalizeStat(record.stat) ?? 'UNKNOWN', err: record.err, text: '',
    });
    conn
      .request('deliver_sm', {
        source_addr_ton: record.destination.ton, source_addr_npi: record.destination.npi, source_addr: record.destination.addr,
        dest_addr_ton: record.source.ton, dest_addr_npi: record.source.npi, destination_addr: record.source.addr,
        esm_class: 0x04,
        data_coding: 0,
        short_message: Buffer.from(text, 'latin1'),
        receipted_message_id: record.messageId,
        message_state: messageStateFor(record.stat),
      })
      .then(
        (resp) => {
          if (resp.command_status === Status.ESME_ROK) reply.resolve();
          else reply.reject(new SmppStatusError('DELIVER_REFUSED', resp.command_status, `customer answered deliver_sm with status ${resp.command_status}`));
        },
        (err: unknown) => reply.reject(err),
      );
  }

  async function onClosed(state: SessionState, ctx: ActorContext<SessionMessage>): Promise<void> {
    state.closing = true;
    if (state.bound) {
      deps.local.remove(state.bound.customer.systemId, id);
      await deps.registry.unregister({ customer: state.bound.customer.systemId, id, node: deps.nodeId }).catch((err: unknown) =>
        ctx.log.warn('session registry unavailable', { error: errorMessage(err) }));
      ctx.log.info('session closed', { customer: state.bound.customer.systemId });
    }
    // Submits already handed to Kafka still finish; their answers simply have no socket.
    await Promise.allSettled([...state.inFlight]);
    ctx.stopSelf();
  }

  async function onShutdown(state: SessionState, unbindTimeoutMs: number): Promise<void> {
    await Promise.allSettled([...state.inFlight]);
    if (!conn.closed) await conn.unbind(unbindTimeoutMs).catch(() => conn.destroy());
  }
}
