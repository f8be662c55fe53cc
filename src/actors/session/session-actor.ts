/**
 * The session actor: one per customer SMPP connection, on the node's main thread where the
 * socket lives. It authenticates binds (slowing down repeated failures, holding a cluster-wide
 * bind slot), turns submit_sm and data_sm into records made durable in Kafka before answering
 * (within the customer's cluster-wide rate), answers query_sm and cancel_sm from the message
 * state kept in Redis, and carries deliveries (receipts, MO) to the customer.
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
import { formatSmppTime } from '../../smpp/time.js';
import { deliverSmFields } from './deliver-pdu.js';
import { GatewayError, SmppStatusError, UnavailableError, errorMessage } from '../../errors.js';
import { WriterQueueFullError, type DurableWriter } from '../../kafka/writer.js';
import type { Topics } from '../../kafka/topics.js';
import type { OutboxRecord } from '../../domain/records.js';
import type { EdgeRouting } from './edge-router.js';
import { newMessageId } from '../../domain/ids.js';
import { canReceive, type CustomerDirectory } from './auth.js';
import { actionFor } from './command-policy.js';
import { acceptSubmit, type Accepted } from './submit.js';
import { RateExceededError, takeMessage } from './intake.js';
import type { DeliverMessage, LocalSessions } from './local-sessions.js';
import type { SessionRegistry } from '../../redis/stores/session-registry.js';
import type { ClusterBindGuard } from './cluster-bind-guard.js';
import type { BindSlots } from './bind-slots.js';
import type { ClusterRateLimiter } from './rate-limiter.js';
import type { MessageStateStore } from '../../redis/stores/message-state.js';
import type { CustomerOverrides } from '../../control/customer-controls.js';
import type { GatewayMetrics } from '../../metrics/gateway-metrics.js';

export type Respond = (status: number, fields?: Record<string, unknown>) => void;

export type SessionMessage =
  | { type: 'request'; pdu: Pdu; respond: Respond }
  | DeliverMessage
  | { type: 'closed' }
  /** The customers changed (live directory): a removed customer is unbound, a changed one keeps its bind. */
  | { type: 'customersChanged' }
  /** Node shutdown: finish in-flight submits, unbind the customer, close. */
  | { type: 'shutdown'; unbindTimeoutMs: number };

export interface SessionDeps {
  config: GatewayConfig;
  writer: DurableWriter;
  topics: Topics;
  registry: SessionRegistry;
  local: LocalSessions;
  nodeId: string;
  customers: CustomerDirectory;
  guard: ClusterBindGuard;
  slots: BindSlots;
  limiter: ClusterRateLimiter;
  states: MessageStateStore;
  /** The operator's blocks and rate changes (src/control/). */
  overrides: CustomerOverrides;
  /** Routes single-part messages where they are accepted; without it every message goes through the router. */
  routing?: EdgeRouting;
  /** The main thread's metrics (absent in specs that do not look at them). */
  metrics?: GatewayMetrics;
}

interface Bound {
  customer: CustomerConfig;
  bindType: BindType;
  /** Whether this session holds a bind slot in Redis (not when Redis was away at bind time). */
  slot: boolean;
}

interface SessionState {
  bound: Bound | null;
  inFlight: Set<Promise<void>>;
  closing: boolean;
  /** For the inspector: requests taken from the customer once bound, deliveries it accepted. */
  requestsIn: number;
  deliversOut: number;
  gauge: (name: string, value: number | string) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function sessionActor(id: string, conn: SmppConnection, deps: SessionDeps): ActorSpec<SessionState, SessionMessage> {
  return {
    kind: 'session',
    mailboxCapacity: 2048,
    // A session's state is its bind; losing it on restart would leave the customer believing
    // it is bound. Faults inside one message are answered and the session goes on.
    supervision: { decider: () => 'resume' },
    init: (ctx) => ({ bound: null, inFlight: new Set(), closing: false, requestsIn: 0, deliversOut: 0, gauge: ctx.setGauge }),
    receive: async (state, message, ctx) => {
      switch (message.type) {
        case 'request':
          try {
            await onRequest(state, message.pdu, message.respond, ctx);
          } catch (err) {
            // Never leave a request unanswered: the customer's window would shrink for good.
            ctx.log.error('request failed', { command: message.pdu.command, error: errorMessage(err) });
            message.respond(err instanceof SmppStatusError ? err.commandStatus : Status.ESME_RSYSERR);
          }
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
        case 'customersChanged':
          await onCustomersChanged(state, ctx);
          return state;
      }
    },
  };

  async function onRequest(state: SessionState, pdu: Pdu, respond: Respond, ctx: ActorContext<SessionMessage>): Promise<void> {
    const action = actionFor(pdu.command, state.bound?.bindType ?? null);
    if (state.bound) state.gauge('requestsIn', ++state.requestsIn);
    switch (action.do) {
      case 'bind': return onBind(state, pdu, action.bindType, respond, ctx);
      case 'refuse': return respond(action.status);
      case 'submit': return onSubmit(state, state.bound!, pdu, respond, ctx);
      case 'query': return track(state, onQuery(state.bound!, pdu, respond, ctx));
      case 'cancel': return track(state, onCancel(state.bound!, pdu, respond, ctx));
    }
  }

  function track(state: SessionState, work: Promise<void>): void {
    state.inFlight.add(work);
    state.gauge('inFlight', state.inFlight.size);
    void work.finally(() => {
      state.inFlight.delete(work);
      state.gauge('inFlight', state.inFlight.size);
    });
  }

  async function onBind(state: SessionState, pdu: Pdu, bindType: BindType, respond: Respond, ctx: ActorContext<SessionMessage>): Promise<void> {
    if (state.bound) return respond(Status.ESME_RALYBND);
    const ip = conn.remoteIp;
    const systemId = pdu.system_id ?? '';
    const delay = await deps.guard.delayFor(ip, Date.now());
    if (delay > 0) await sleep(delay);
    if (conn.closed) return;
    let customer: CustomerConfig;
    try {
      customer = await deps.customers.authenticate(systemId, pdu.password ?? '', bindType, ip);
    } catch (err) {
      await deps.guard.failed(ip, Date.now());
      // The password itself is never logged.
      ctx.log.warn('bind refused', { systemId, bindType, remote: conn.remoteAddress, code: (err as GatewayError).code, delayedMs: delay });
      return respond(err instanceof SmppStatusError ? err.commandStatus : Status.ESME_RBINDFAIL);
    }
    deps.guard.succeeded(ip);
    if (deps.overrides.isBlocked(customer.systemId)) {
      ctx.log.warn('bind refused: customer blocked by an operator', { systemId, remote: conn.remoteAddress });
      return respond(Status.ESME_RBINDFAIL);
    }
    let slot = true;
    try {
      if (!(await deps.slots.acquire(customer.systemId, id, customer.maxBinds))) {
        ctx.log.warn('bind refused: too many binds', { systemId, maxBinds: customer.maxBinds, remote: conn.remoteAddress });
        return respond(Status.ESME_RALYBND);
      }
    } catch (err) {
      // Redis away: the bind still works; the limit is not enforced until it is back.
      slot = false;
      ctx.log.warn('bind limit unavailable', { error: errorMessage(err) });
    }
    if (conn.closed) {
      if (slot) await deps.slots.release(customer.systemId, id).catch(() => undefined);
      return;
    }
    state.bound = { customer, bindType, slot };
    for (const [k, v] of Object.entries({ session: id, customer: customer.systemId, bindType, remote: conn.remoteAddress, boundAt: Date.now() })) ctx.setGauge(k, v);
    deps.local.add({ id, customer: customer.systemId, bindType, canReceive: canReceive(bindType), ref: ctx.self });
    try {
      await deps.registry.register({ id, customer: customer.systemId, bindType, node: deps.nodeId, remote: conn.remoteAddress, since: Date.now() });
    } catch (err) {
      // The bind still works on this node; the registry only helps other nodes find it.
      ctx.log.warn('session registry unavailable', { error: errorMessage(err) });
    }
    ctx.log.info('bound', { customer: customer.systemId, bindType, remote: conn.remoteAddress });
    respond(Status.ESME_ROK, { system_id: 'smsgw' });
  }

  async function onSubmit(state: SessionState, bound: Bound, pdu: Pdu, respondToCustomer: Respond, ctx: ActorContext<SessionMessage>): Promise<void> {
    const now = Date.now();
    const started = performance.now();
    let parts = 0;
    const respond: Respond = (status, fields) => {
      deps.metrics?.submitAnswered(bound.customer.systemId, status, (performance.now() - started) / 1000, status === Status.ESME_ROK ? parts : 0);
      respondToCustomer(status, fields);
    };
    let accepted: Accepted;
    try {
      accepted = acceptSubmit(pdu, { customer: bound.customer.systemId, messageId: newMessageId(now), node: deps.nodeId, now });
    } catch (err) {
      if (!(err instanceof SmppStatusError)) throw err;
      ctx.log.debug('submit refused', { code: err.code, status: err.commandStatus });
      return respond(err.commandStatus);
    }
    parts = accepted.parts;
    const work = takeMessage(deps, bound.customer, accepted, { session: id }, ctx.log, now).then(
      (messageId) => respond(Status.ESME_ROK, { message_id: messageId }),
      (err: unknown) => {
        if (err instanceof RateExceededError) return respond(Status.ESME_RTHROTTLED);
        ctx.log.warn('submit not accepted', { error: errorMessage(err) });
        respond(err instanceof WriterQueueFullError ? Status.ESME_RMSGQFUL : Status.ESME_RSYSERR);
      },
    );
    track(state, work);
  }

  /** query_sm: the state the gateway knows; ESME_RINVMSGID for an id this customer never got. */
  async function onQuery(bound: Bound, pdu: Pdu, respond: Respond, ctx: ActorContext<SessionMessage>): Promise<void> {
    const messageId = pdu.message_id ?? '';
    let s;
    try {
      s = await deps.states.get(messageId);
    } catch (err) {
      ctx.log.warn('query_sm: message state unavailable', { error: errorMessage(err) });
      return respond(Status.ESME_RQUERYFAIL);
    }
    if (!s || s.customer !== bound.customer.systemId) return respond(Status.ESME_RINVMSGID);
    respond(Status.ESME_ROK, {
      message_id: messageId, final_date: s.finalAt > 0 ? formatSmppTime(new Date(s.finalAt)) : '',
      message_state: s.state, error_code: s.errorCode,
    });
  }

  /**
   * cancel_sm: an accepted message is already on its way to the provider through Kafka, so the
   * gateway cannot take it back: ESME_RCANCELFAIL for the customer's own messages,
   * ESME_RINVMSGID for ids it does not know.
   */
  async function onCancel(bound: Bound, pdu: Pdu, respond: Respond, ctx: ActorContext<SessionMessage>): Promise<void> {
    const messageId = pdu.message_id ?? '';
    if (messageId === '') return respond(Status.ESME_RCANCELFAIL);
    try {
      const s = await deps.states.get(messageId);
      respond(s && s.customer === bound.customer.systemId ? Status.ESME_RCANCELFAIL : Status.ESME_RINVMSGID);
    } catch (err) {
      ctx.log.warn('cancel_sm: message state unavailable', { error: errorMessage(err) });
      respond(Status.ESME_RCANCELFAIL);
    }
  }

  function onDeliver(state: SessionState, record: OutboxRecord, ctx: ActorContext<SessionMessage>): void {
    const reply = ctx.deferReply<void>();
    if (!state.bound || state.closing || conn.closed) {
      reply.reject(new UnavailableError('SESSION_GONE', `session ${id} can no longer deliver`));
      return;
    }
    conn
      .request('deliver_sm', deliverSmFields(record))
      .then(
        (resp) => {
          if (resp.command_status === Status.ESME_ROK) {
            state.gauge('deliversOut', ++state.deliversOut);
            reply.resolve();
          }
          else reply.reject(new SmppStatusError('DELIVER_REFUSED', resp.command_status, `customer answered deliver_sm with status ${resp.command_status}`));
        },
        (err: unknown) => reply.reject(err),
      );
  }

  async function onClosed(state: SessionState, ctx: ActorContext<SessionMessage>): Promise<void> {
    state.closing = true;
    const bound = state.bound;
    if (bound) {
      const customer = bound.customer.systemId;
      deps.local.remove(customer, id);
      await Promise.all([
        deps.registry.unregister({ customer, id, node: deps.nodeId }),
        bound.slot ? deps.slots.release(customer, id) : undefined,
      ]).catch((err: unknown) => ctx.log.warn('session registry unavailable', { error: errorMessage(err) }));
      ctx.log.info('session closed', { customer });
    }
    // Submits already handed to Kafka still finish; their answers simply have no socket.
    await Promise.allSettled([...state.inFlight]);
    ctx.stopSelf();
  }

  async function onCustomersChanged(state: SessionState, ctx: ActorContext<SessionMessage>): Promise<void> {
    const bound = state.bound;
    if (!bound || state.closing) return;
    const now = deps.customers.get(bound.customer.systemId);
    if (now && now.bindTypes.includes(bound.bindType)) {
      // Rate, numbers and the rest apply at once; a new password from the next bind.
      state.bound = { ...bound, customer: now };
      return;
    }
    ctx.log.warn(now ? 'unbinding: the customer may no longer bind this way' : 'unbinding: the customer was removed', { customer: bound.customer.systemId, bindType: bound.bindType, remote: conn.remoteAddress });
    state.closing = true;
    await onShutdown(state, 3000);
  }

  async function onShutdown(state: SessionState, unbindTimeoutMs: number): Promise<void> {
    await Promise.allSettled([...state.inFlight]);
    if (!conn.closed) await conn.unbind(unbindTimeoutMs).catch(() => conn.destroy());
  }
}
