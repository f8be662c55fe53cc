/**
 * A supplier actor: owns one provider bind. It sends each routed message at the provider's
 * contracted rate within the bind's window (provider-bind.ts), records the provider's message
 * id for correlation before the record's offset may be committed, and answers the provider's
 * own requests (provider-inbound.ts).
 *
 * What happens to a part, by the provider's answer:
 * - ESME_ROK: correlation stored, next part.
 * - ESME_RTHROTTLED: the whole bind pauses (provider-bind.ts) and the part is sent again when
 *   it resumes, first in line; bounded only by the message's age.
 * - another temporary status, or no answer in time: sent again after a growing delay, up to
 *   `maxAttempts` failures and `maxRetryAgeMs` of age.
 * - the connection lost with the part in flight: sent again once rebound, bounded by the age
 *   limit only (the bind failed, not the message).
 * The two last may reach the provider twice (a submit_retry event with possibleDuplicate).
 * - a permanent status: the message fails (REJECTD receipt).
 * A message whose validity period (validity_period) passes before the provider took it is not
 * sent (or not sent on): EXPIRED receipt, whatever the route. Its schedule and validity go to
 * the provider with each part, as absolute UTC times.
 * On a failover route, a message refused for good, or whose bind stays down for
 * `failoverAfterMs`, goes back to the router with this provider excluded instead of failing,
 * as long as none of its parts was accepted here. Limits exhausted otherwise: UNDELIV.
 * A message whose parts were all accepted, or that failed or went back to the router here, is
 * remembered (sent-memory.ts); its record handed over again after a crash or a lost offset
 * commit is not sent again. While it is being sent its key holds this send's claim, extended
 * every few seconds: a second copy of the record (a consumer kafkajs restarted, a partition
 * that moved while its old owner still sends) waits for the first to settle instead of
 * sending it again.
 */
import type { GatewayMetrics } from '../../metrics/gateway-metrics.js';
import { randomUUID } from 'node:crypto';
import type { ActorSpec } from '../../runtime/actor.js';
import type { ActorContext } from '../../runtime/context.js';
import type { GatewayConfig, ProviderConfig } from '../../config/types.js';
import type { DurableWriter, OutRecord } from '../../kafka/writer.js';
import type { Topics } from '../../kafka/topics.js';
import { Status } from '../../smpp/status.js';
import type { PduFields } from '../../smpp/pdu.js';
import { ConfigError, GatewayError, TimeoutError, UnavailableError, errorMessage } from '../../errors.js';
import { onProviderRequest } from './provider-inbound.js';
import type { ArrivalCorrelation } from './supplier-deps.js';
import { MessageTooLongError, splitForProvider, type SplitResult } from './split.js';
import {
  encodeRecord,
  type CorrelationRecord, type LifecycleEvent, type MessageRecord, type OutgoingRecord, type Reroute,
} from '../../domain/records.js';
import { lifecycleEvent } from '../../domain/lifecycle.js';
import { eventRecord } from '../event-record.js';
import type { CorrelationStore } from '../../redis/stores/correlation-store.js';
import type { PartialSend, SentEntry, SentMemory } from './sent-memory.js';
import { isTemporarySubmitStatus } from './submit-status.js';
import { targetsPerProviderPart } from '../correlator/receipt-targets.js';
import { failedReceipts } from '../failed-receipts.js';
import { InFlight, stageSupervision, type RecordMessage, type WorkDone } from '../stage-message.js';
import { decodeOutgoing } from './decode.js';
import type { SupplierControl, SupplierControlReply } from './supplier-control.js';
import { NOT_BOUND, ProviderBind, VALIDITY_PASSED } from './provider-bind.js';
import { retryDecision } from './retry-policy.js';
import { backoffDelay } from '../../backoff.js';
import type { BindStateStore } from '../../redis/stores/bind-state.js';
import type { NumberOwners } from '../../domain/routing/number-owners.js';
import type { ProviderControls, ProviderOverrides } from '../../control/provider-controls.js';

/** Operator controls (src/control/): hold or release the submits of this bind, change its rate. */
export type { SupplierControl } from './supplier-control.js';

/** An operator's controls kept in Redis, read when the bind starts (or why they could not be). */
type OverridesMessage = { type: 'overrides'; overrides: ProviderOverrides } | { type: 'overridesUnreadable' } | { type: 'readOverrides' };

/** setRate: parts per second from now on (a configuration reload). */
export type SupplierMessage = RecordMessage | SupplierControl | OverridesMessage | { type: 'setRate'; rate: number } | { type: 'report' } | { type: 'extendClaims' } | { type: 'revoked' } | WorkDone
  /**
   * The provider was removed or changed (live directory): finish the messages under way, then
   * stop and unbind; `onRetired` runs once the bind is closed. The parent sends it no more records.
   */
  | { type: 'retire'; onRetired: () => void }
  | { type: 'retireCheck' };

interface SupplierState {
  bind: ProviderBind;
  /** Messages being sent on this bind (each answers its record's ask when it ends). */
  work: InFlight;
  /** The sent-memory keys of the messages this actor is sending, with its claim token on each. */
  claims: Map<string, string>;
  /** When the last extension that kept every claim began (0: one was lost, or none yet). */
  fence: { freshAt: number };
  /** Set by an operator (now or before this bind started): a configuration reload leaves it. */
  operatorRate: number | undefined;
  /**
   * Operator controls that came while the kept ones were being read: they are the newer word
   * (on pausing, on the rate), so the kept ones do not undo them.
   */
  spoke: { paused: boolean; rate: boolean };
}

export interface SupplierDeps {
  config: GatewayConfig;
  writer: DurableWriter;
  topics: Topics;
  correlation: CorrelationStore;
  /** Messages the provider already took: not sent again when their record comes again. */
  sent: SentMemory;
  bindStates: BindStateStore;
  nodeId: string;
  /** Who owns the destination number of a mobile-originated message. */
  numberOwners: NumberOwners;
  /** What operators told earlier owners of this bind (pause, rate). */
  controls: Pick<ProviderControls, 'read'>;
  /** Receipts correlated where they arrive when their correlation is at hand (provider-inbound.ts). */
  arrival?: ArrivalCorrelation;
  metrics?: GatewayMetrics;
}

type PartOutcome =
  | { kind: 'accepted'; providerMessageId: string }
  | { kind: 'rejected'; status: number }
  | { kind: 'exhausted'; status: number | null; why: string }
  | { kind: 'down' }
  /** The message's validity period passed before the provider took this part. */
  | { kind: 'expired' };

/** A retiring bind unbinds once the provider has sent nothing for this long after its last message... */
export const RETIRE_QUIET_MS = 1000;
/** ...or this long after its last message, however chatty the provider. */
export const RETIRE_LINGER_MAX_MS = 10000;

/**
 * Whether a retiring bind whose messages are all done may unbind now. It lingers first: the
 * provider's receipts for the last submits come on this bind, and once it unbinds nothing
 * carries them (a removed provider never binds again).
 */
export function retireNow(r: { drainedAt?: number }, lastRequestAt: number, now: number): boolean {
  r.drainedAt ??= now;
  return now - Math.max(r.drainedAt, lastRequestAt) >= RETIRE_QUIET_MS || now - r.drainedAt >= RETIRE_LINGER_MAX_MS;
}

export function supplierActor(provider: ProviderConfig, deps: SupplierDeps): ActorSpec<SupplierState, SupplierMessage> {
  // Outside the state: a restart while retiring goes on retiring.
  let retirement: { onRetired: () => void; since: number; drainedAt?: number } | undefined;
  let retired = false;
  /** When the provider last sent a request on this bind (a receipt, an MO): a retiring bind waits for quiet. */
  let lastRequestAt = 0;
  return {
    kind: 'supplier',
    supervision: stageSupervision,
    mailboxCapacity: 4096,
    init: (ctx) => {
      const bind = new ProviderBind(provider, { log: ctx.log, bindStates: deps.bindStates, nodeId: deps.nodeId, metrics: deps.metrics },
        (pdu, respond) => {
          lastRequestAt = Date.now();
          void onProviderRequest(provider, deps, pdu, ctx.log).then(respond, () => respond(Status.ESME_RX_T_APPN));
        });
      // Held until the operator's kept controls are read: a bind an operator paused must not
      // send a part first because it moved to this node.
      bind.hold();
      bind.start();
      readOverrides(ctx);
      // The inspector reads these gauges from the actor stats.
      ctx.timers.startPeriodic('report', 1000, { type: 'report' });
      report(bind, ctx);
      ctx.timers.startPeriodic('extendClaims', Math.max(100, Math.floor(deps.sent.claimTtlMs / 3)), { type: 'extendClaims' });
      if (retirement) ctx.timers.startPeriodic('retireCheck', 100, { type: 'retireCheck' });
      return { bind, work: new InFlight(), claims: new Map(), fence: { freshAt: 0 }, operatorRate: undefined, spoke: { paused: false, rate: false } };
    },
    receive: (state, message, ctx) => {
      if (message.type === 'workDone') {
        state.work.finish(message);
        return state;
      }
      if (message.type === 'report') {
        report(state.bind, ctx);
        return state;
      }
      if (message.type === 'extendClaims') {
        const began = Date.now();
        const held = state.claims.size;
        deps.sent.extend(state.claims).then(
          // Every claim kept: sends need not ask Redis before their submit_sm for a while.
          (n) => { state.fence.freshAt = n === held ? began : 0; },
          (err: unknown) => {
            state.fence.freshAt = 0;
            ctx.log.warn('send claims not extended; another copy of a record may send its message again', { provider: provider.id, claims: state.claims.size, error: errorMessage(err) });
          });
        return state;
      }
      if (message.type === 'revoked') {
        // Submits already sent finish (their answers and correlations are kept); the rest go.
        const dropped = state.bind.abandonQueued();
        ctx.log.info('partition moved: queued submits left to the new owner', { provider: provider.id, dropped });
        return state;
      }
      if (message.type === 'retire') {
        ctx.log.info('provider bind retiring: finishing the messages under way', { provider: provider.id, inFlight: state.work.size });
        retirement ??= { onRetired: message.onRetired, since: Date.now() };
        ctx.timers.startPeriodic('retireCheck', 100, { type: 'retireCheck' });
        return state;
      }
      if (message.type === 'retireCheck') {
        if (retirement && state.work.size === 0 && !retired && retireNow(retirement, lastRequestAt, Date.now())) {
          retired = true;
          ctx.stopSelf();
        }
        return state;
      }
      if (message.type === 'control') return control(state, message, ctx);
      if (message.type === 'overrides' || message.type === 'overridesUnreadable' || message.type === 'readOverrides') {
        return onOverrides(state, message, ctx);
      }
      if (message.type === 'setRate') {
        if (!(message.rate > 0) || !Number.isFinite(message.rate)) {
          throw new ConfigError(`providers.${provider.id}.rate`, 'must be a number > 0', message.rate);
        }
        if (state.operatorRate === undefined) state.bind.setRate(message.rate);
        else ctx.log.info('configured rate not applied: an operator set the rate', { provider: provider.id, configured: message.rate, operator: state.operatorRate });
        return state;
      }
      const out = state.work.read(ctx, () => decodeOutgoing(message.record.value));
      if (out === undefined) return state;
      state.work.start(ctx, submit(state.bind, out, ctx, state.work.signal, state.claims, state.fence), out.message.id, (done) => done);
      return state;
    },
    postStop: async (state, ctx) => {
      state.work.abandonAll();
      await state.bind.stop();
      if (retired && retirement) {
        ctx.log.info('provider bind retired', { provider: provider.id, afterMs: Date.now() - retirement.since });
        retirement.onRetired();
      }
    },
  };

  function report(bind: ProviderBind, ctx: ActorContext<SupplierMessage>): void {
    const gauges = {
      provider: provider.id, state: bind.clientState, paused: bind.isHeld || bind.state === 'paused' ? 1 : 0, window: provider.window,
      inFlight: bind.client.inFlight, rate: bind.currentRate, queued: bind.queued, submitted: bind.submitted, lastError: bind.lastError,
    };
    for (const [k, v] of Object.entries(gauges)) ctx.setGauge(k, v);
  }

  function readOverrides(ctx: ActorContext<SupplierMessage>): void {
    deps.controls.read(provider.id).then(
      (overrides) => ctx.self.tell({ type: 'overrides', overrides }),
      (err: unknown) => {
        ctx.log.warn('operator controls of the provider unreadable; the bind waits for them', { provider: provider.id, error: errorMessage(err) });
        ctx.self.tell({ type: 'overridesUnreadable' });
      },
    );
  }

  function onOverrides(state: SupplierState, m: OverridesMessage, ctx: ActorContext<SupplierMessage>): SupplierState {
    if (m.type === 'readOverrides') readOverrides(ctx);
    else if (m.type === 'overridesUnreadable') ctx.timers.startSingle('readOverrides', 1000, { type: 'readOverrides' });
    else {
      const { paused, rate } = m.overrides;
      if (rate !== undefined && !state.spoke.rate) {
        state.operatorRate = rate;
        state.bind.setRate(rate);
      }
      if (!paused && !state.spoke.paused) state.bind.release();
      if (paused || rate !== undefined) ctx.log.info('provider bind started as an operator left it', { provider: provider.id, paused, rate: state.bind.currentRate });
      report(state.bind, ctx);
    }
    return state;
  }

  function control(state: SupplierState, m: SupplierControl, ctx: ActorContext<SupplierMessage>): SupplierState {
    if (m.action === 'rate') state.spoke.rate = true;
    else state.spoke.paused = true;
    switch (m.action) {
      case 'pause':
        state.bind.hold();
        break;
      case 'resume':
        state.bind.release();
        break;
      case 'rate':
        if (!(m.rate > 0) || !Number.isFinite(m.rate)) throw new ConfigError(`providers.${provider.id}.rate`, 'must be a number > 0', m.rate);
        state.operatorRate = m.rate;
        state.bind.setRate(m.rate);
        break;
    }
    ctx.log.info('provider bind controlled by an operator', { provider: provider.id, action: m.action, paused: state.bind.isHeld, rate: state.bind.currentRate });
    report(state.bind, ctx);
    const reply: SupplierControlReply = { provider: provider.id, paused: state.bind.isHeld, rate: state.bind.currentRate };
    ctx.reply(reply);
    return state;
  }

  /**
   * Sends a message once it holds its claim; a copy already settled is not sent, one being
   * sent elsewhere is waited for. The claim is given up when the send ends unsettled (an
   * abandoned or failed send), so the next copy of the record sends at once.
   */
  async function submit(
    bind: ProviderBind, out: OutgoingRecord, ctx: ActorContext<SupplierMessage>, abandoned: AbortSignal, claims: Map<string, string>,
    fence: { freshAt: number },
  ): Promise<void> {
    const m = out.message;
    const sending: Sending = { token: `${deps.nodeId}/${randomUUID()}`, settled: false, taken: { providerMessageIds: [], parts: 0 }, claimedAt: 0 };
    const claimed = await claimToSend(m, sending, ctx, abandoned);
    if (claimed === 'settled') return;
    const key = deps.sent.key(provider.id, m.id);
    if (claimed === 'claimed') {
      claims.set(key, sending.token);
      sending.guard = () => stillClaimed(m, sending, fence, ctx);
    }
    try {
      await send(bind, out, ctx, abandoned, sending);
    } finally {
      if (claims.get(key) === sending.token) claims.delete(key);
      if (claimed === 'claimed' && !sending.settled) {
        await deps.sent.release(provider.id, m.id, sending.token, sending.taken).catch((err: unknown) =>
          ctx.log.warn('send claim not released; it lapses on its own', { messageId: m.id, provider: provider.id, error: errorMessage(err) }));
      }
    }
  }

  async function claimToSend(m: MessageRecord, sending: Sending, ctx: ActorContext<SupplierMessage>, abandoned: AbortSignal): Promise<'claimed' | 'settled' | 'unclaimed'> {
    let waitingFor: string | undefined;
    for (;;) {
      let r;
      try {
        sending.claimedAt = Date.now();
        r = await deps.sent.claim(provider.id, m.id, sending.token);
      } catch (err) {
        ctx.log.warn('sent memory unavailable; sending', { messageId: m.id, provider: provider.id, error: errorMessage(err) });
        return 'unclaimed';
      }
      if (r.kind === 'claimed') {
        sending.resume = r.resume;
        return 'claimed';
      }
      if (r.kind === 'settled') {
        ctx.log.info('message already settled at this provider; not sent again', {
          messageId: m.id, provider: provider.id, outcome: r.entry.outcome ?? 'accepted', providerMessageIds: r.entry.providerMessageIds,
        });
        return 'settled';
      }
      if (waitingFor !== r.by) {
        waitingFor = r.by;
        ctx.log.info('message being sent under another claim; waiting for it to settle', { messageId: m.id, provider: provider.id, claim: r.by });
      }
      if (abandoned.aborted) throw new UnavailableError('SUPPLIER_STOPPED', `supplier of ${provider.id} stopped while message ${m.id} waited for its claim`);
      await sleep(CLAIM_POLL_MS);
    }
  }

  /**
   * Run just before each submit_sm is written. A node that hung (SIGSTOP, a stalled VM, a GC
   * pause) past its claims' TTL wakes with a queue whose messages another node may have taken
   * over and sent meanwhile: while the last extension that kept every claim is recent, the
   * claim is ours for sure and nothing is asked; otherwise the message is claimed again
   * (claimed afresh when its claim merely lapsed, or Redis came back empty) and not sent when
   * another sender holds or settled it.
   */
  function stillClaimed(m: MessageRecord, sending: Sending, fence: { freshAt: number }, ctx: ActorContext<SupplierMessage>): Promise<void> | undefined {
    // The common case costs no promise: the claim was taken, or all claims kept, a moment ago.
    if (Date.now() - Math.max(fence.freshAt, sending.claimedAt) < deps.sent.claimTtlMs / 2) return undefined;
    return reclaim(m, sending, ctx);
  }

  async function reclaim(m: MessageRecord, sending: Sending, ctx: ActorContext<SupplierMessage>): Promise<void> {
    let r;
    try {
      // Not counted as a fresh claim: finding its own claim does not extend it (the periodic
      // extension does, and then sends stop asking).
      r = await deps.sent.claim(provider.id, m.id, sending.token);
    } catch (err) {
      // Redis away: the same choice as an unclaimed send (at least once rather than never).
      ctx.log.warn('send claim not checked before the submit; sending', { messageId: m.id, provider: provider.id, error: errorMessage(err) });
      return;
    }
    if (r.kind === 'claimed' && r.resume === undefined) return;
    ctx.log.warn('send claim lost while waiting (this node stalled); the message is left to its new sender', {
      messageId: m.id, provider: provider.id, now: r.kind === 'busy' ? `being sent by ${r.by}` : r.kind === 'settled' ? 'settled' : 'taken over',
    });
    throw new UnavailableError(SEND_FENCED, `send claim of message ${m.id} at ${provider.id} lost while this node stalled`);
  }

  /** Remembers how the message was settled here: a later copy of its record does nothing. */
  async function settle(m: MessageRecord, sending: Sending, entry: SentEntry, ctx: ActorContext<SupplierMessage>): Promise<void> {
    await deps.sent.remember(provider.id, m.id, entry).then(
      () => { sending.settled = true; },
      (err: unknown) => ctx.log.warn('sent memory not stored; a redelivery would send the message again', { messageId: m.id, error: errorMessage(err) }),
    );
  }

  async function send(bind: ProviderBind, out: OutgoingRecord, ctx: ActorContext<SupplierMessage>, abandoned: AbortSignal, sending: Sending): Promise<void> {
    const m = out.message;
    if (expired(m)) return fail(m, 'EXPIRED', null, 'validity period passed before the provider took it', ctx, sending);
    let split: SplitResult;
    try {
      split = splitForProvider(m, { concatenation: provider.concatenation });
    } catch (err) {
      if (!(err instanceof MessageTooLongError)) throw err;
      return fail(m, 'REJECTD', Status.ESME_RINVMSGLEN, 'message too long for the provider', ctx, sending);
    }
    const corr: CorrelationRecord = {
      messageId: m.id, customer: m.customer, source: m.source, destination: m.destination,
      registeredDelivery: m.registeredDelivery, submittedAt: Date.now(), ...(m.dlr ? { dlr: m.dlr } : {}), providerParts: split.submits.length,
    };
    // Parts an abandoned send got taken (the same split: it depends on the message and the
    // provider's settings only) are not sent again.
    const resumed = sending.resume?.parts === split.submits.length ? sending.resume.providerMessageIds : [];
    if (resumed.length > 0) ctx.log.info('message resumed after the parts the provider took before', { messageId: m.id, provider: provider.id, taken: resumed.length, parts: split.submits.length });
    const providerIds: string[] = [...resumed];
    sending.taken = { providerMessageIds: providerIds, parts: split.submits.length };
    // Which of the customer's part ids each provider part's receipt answers for.
    const targets = targetsPerProviderPart(m, split.submits.length);
    let submitted: LifecycleEvent | undefined;
    let eventWritten = false;
    // Parts go in order, each through the throttle (the throttle counts parts).
    for (const [i, fields] of split.submits.entries()) {
      if (i < resumed.length) continue;
      // The gateway needs the provider's receipt to keep its own promise to the customer.
      const outcome = await sendPart(bind, out, { ...fields, registered_delivery: 0x01 }, ctx, sending.guard);
      if (outcome.kind === 'accepted') {
        providerIds.push(outcome.providerMessageId);
        // The last part's correlation carries the message's `submitted` event in its write.
        if (i === split.submits.length - 1) submitted = submittedEvent(m, providerIds, split.parts);
        // Stored per part as soon as it is known: a part's receipt can overtake the next submit.
        const along = submitted ? [eventRecord(deps.topics, submitted)] : [];
        eventWritten = await storeCorrelation(outcome.providerMessageId, { ...corr, parts: targets[i] ?? [] }, ctx, abandoned, along) && along.length > 0;
        continue;
      }
      // This supplier stopped (its partition moved, or it restarts) while the part waited: the
      // record is consumed again, by the new owner too, so what becomes of the message is
      // theirs to decide; a failed receipt or a hand-back from here could contradict them.
      if (abandoned.aborted) throw new UnavailableError('SUPPLIER_STOPPED', `supplier of ${provider.id} stopped while message ${m.id} was being sent`);
      // The same for a node that stalled past its claim: its send timed out or aged out only
      // because it was frozen, and the message may be another node's by now (delivered, even).
      await sending.guard?.();
      // No other provider can help a message whose time is up.
      if (outcome.kind === 'expired') return fail(m, 'EXPIRED', null, `validity period passed with ${providerIds.length} of ${split.submits.length} parts taken`, ctx, sending);
      // Once a part is out, another provider would deliver those parts twice.
      if (out.failover && providerIds.length === 0) {
        const reroute: Reroute = outcome.kind === 'rejected' ? { excluded: [], reason: 'rejected', lastStatus: outcome.status }
          : outcome.kind === 'down' ? { excluded: [], reason: 'down', lastStatus: null }
            : { excluded: [], reason: 'exhausted', lastStatus: outcome.status };
        return handBack(m, reroute, ctx, sending);
      }
      if (outcome.kind === 'rejected') return fail(m, 'REJECTD', outcome.status, 'refused by the provider', ctx, sending);
      if (outcome.kind === 'down') return fail(m, 'UNDELIV', null, 'provider bind down', ctx, sending);
      return fail(m, 'UNDELIV', outcome.status, outcome.why, ctx, sending);
    }
    submitted ??= submittedEvent(m, providerIds, split.parts);
    if (!eventWritten) await deps.writer.append(eventRecord(deps.topics, submitted));
    await settle(m, sending, { providerMessageIds: providerIds, at: submitted.at }, ctx);
  }

  function submittedEvent(m: MessageRecord, providerIds: readonly string[], parts: number): LifecycleEvent {
    return lifecycleEvent(m.id, 'submitted', deps.nodeId, { provider: provider.id, providerMessageId: providerIds.join(','), parts });
  }

  /**
   * The provider took the part: its correlation must be kept or its receipt is lost, and
   * failing the send here would send the part again. So it is tried until it is stored (Redis
   * or Kafka away for a moment), as long as this supplier runs.
   */
  async function storeCorrelation(
    providerMessageId: string, record: CorrelationRecord, ctx: ActorContext<SupplierMessage>, abandoned: AbortSignal, alongside: readonly OutRecord[],
  ): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        const journalled = await deps.correlation.putWith(provider.id, providerMessageId, record, alongside);
        deps.arrival?.recent?.remember(provider.id, providerMessageId, record);
        return journalled;
      } catch (err) {
        if (abandoned.aborted) throw err;
        ctx.log.warn('correlation not stored; trying again', { provider: provider.id, messageId: record.messageId, providerMessageId, attempt, error: errorMessage(err) });
        await sleep(backoffDelay(attempt, CORRELATION_RETRY));
      }
    }
  }

  /** Sends one part until the provider accepts or refuses it for good, or the limits run out. */
  async function sendPart(bind: ProviderBind, out: OutgoingRecord, fields: PduFields, ctx: ActorContext<SupplierMessage>, guard?: () => Promise<void> | undefined): Promise<PartOutcome> {
    const m = out.message;
    let failures = 0;
    let retry: { reason: string; possibleDuplicate: boolean } | undefined;
    for (;;) {
      if (expired(m)) return { kind: 'expired' };
      const age = Date.now() - m.acceptedAt;
      if (bind.clientState !== 'bound') {
        const waitMs = out.failover ? provider.failoverAfterMs : provider.maxRetryAgeMs - age;
        const validMs = m.validUntil === undefined ? Infinity : m.validUntil - Date.now();
        if (!(await bind.waitBound(Math.min(waitMs, validMs)))) {
          if (validMs <= waitMs) return { kind: 'expired' };
          return out.failover ? { kind: 'down' } : { kind: 'exhausted', status: null, why: `provider bind down until the message was past its retry age limit (${provider.maxRetryAgeMs} ms since accepted)` };
        }
      }
      if (retry) {
        deps.metrics?.providerRetry(provider.id, retry.reason);
        await retryEvent(m, failures, retry);
      }
      let sent;
      try {
        sent = await bind.send(fields, retry !== undefined, m.validUntil, guard);
      } catch (err) {
        if (err instanceof GatewayError && err.code === VALIDITY_PASSED) return { kind: 'expired' };
        // Nothing was sent; another node has the message now. The record's ask fails (retriable):
        // if it is still this node's, its next copy finds the message settled or being sent.
        if (err instanceof GatewayError && err.code === SEND_FENCED) throw err;
        if (err instanceof UnavailableError && err.code === NOT_BOUND) {
          // Its turn came while the bind was down: nothing was sent; wait for the bind again.
          retry = { reason: 'not bound', possibleDuplicate: false };
          continue;
        }
        if (!(err instanceof TimeoutError) && !(err instanceof UnavailableError)) throw err;
        // Sent, or about to be, when the answer was lost: the provider may have it already.
        const reason = err instanceof TimeoutError ? 'no answer' : 'connection lost';
        ctx.log.warn('submit unanswered', { provider: provider.id, messageId: m.id, reason, failures, error: err.message });
        if (err instanceof TimeoutError) {
          // A silent provider counts against the attempts; a lost connection is the bind's
          // fault, not the message's: it waits for the rebind, bounded by the age limit.
          failures++;
          const d = retryDecision(failures, Date.now() - m.acceptedAt, provider);
          if (!d.retry) return { kind: 'exhausted', status: null, why: `${reason} (${d.why} limit, ${failures} attempts)` };
          await sleep(d.delayMs);
        } else if (age >= provider.maxRetryAgeMs) {
          return { kind: 'exhausted', status: null, why: `${reason} past the age limit` };
        }
        retry = { reason, possibleDuplicate: true };
        continue;
      }
      const status = sent.resp.command_status;
      deps.metrics?.providerAnswered(provider.id, status, (Date.now() - sent.sentAt) / 1000);
      if (status === Status.ESME_ROK && sent.resp.message_id) {
        bind.accepted(sent.sentAt);
        bind.submitted++;
        return { kind: 'accepted', providerMessageId: sent.resp.message_id };
      }
      if (status === Status.ESME_RTHROTTLED) {
        bind.throttled(sent.sentAt);
        deps.metrics?.providerThrottled(provider.id);
        if (Date.now() - m.acceptedAt >= provider.maxRetryAgeMs) return { kind: 'exhausted', status, why: 'throttled past the age limit' };
        retry = { reason: 'throttled', possibleDuplicate: false };
        continue;
      }
      if (!isTemporarySubmitStatus(status)) return { kind: 'rejected', status: status === Status.ESME_ROK ? Status.ESME_RSYSERR : status };
      failures++;
      const d = retryDecision(failures, Date.now() - m.acceptedAt, provider);
      if (!d.retry) return { kind: 'exhausted', status, why: `temporary status 0x${status.toString(16)}, ${d.why} limit reached` };
      await sleep(d.delayMs);
      retry = { reason: `status 0x${status.toString(16)}`, possibleDuplicate: false };
    }
  }

  async function retryEvent(m: MessageRecord, failures: number, retry: { reason: string; possibleDuplicate: boolean }): Promise<void> {
    // Throttling retries are the normal course of a throttled bind: not worth an event each.
    if (retry.reason === 'throttled' || retry.reason === 'not bound') return;
    await deps.writer.append(eventRecord(deps.topics, lifecycleEvent(m.id, 'submit_retry', deps.nodeId, {
      provider: provider.id, reason: retry.reason, attempt: failures + 1, possibleDuplicate: retry.possibleDuplicate,
    })));
  }

  async function handBack(m: MessageRecord, r: Reroute, ctx: ActorContext<SupplierMessage>, sending: Sending): Promise<void> {
    const reroute: Reroute = { ...r, excluded: [...(m.reroute?.excluded ?? []), provider.id] };
    const now = Date.now();
    ctx.log.warn('message handed back for the next provider', { provider: provider.id, messageId: m.id, reason: r.reason, status: r.lastStatus });
    await deps.writer.append([
      { topic: deps.topics.messages, key: m.id, value: encodeRecord({ ...m, reroute } satisfies MessageRecord) },
      eventRecord(deps.topics, lifecycleEvent(m.id, 'rerouted', deps.nodeId, { provider: provider.id, reason: r.reason, status: r.lastStatus }, now)),
    ]);
    await settle(m, sending, { providerMessageIds: [], at: now, outcome: 'rerouted' }, ctx);
  }

  function expired(m: MessageRecord): boolean {
    return m.validUntil !== undefined && Date.now() >= m.validUntil;
  }

  async function fail(
    m: MessageRecord, stat: 'REJECTD' | 'UNDELIV' | 'EXPIRED', status: number | null, why: string, ctx: ActorContext<SupplierMessage>, sending: Sending,
  ): Promise<void> {
    const now = Date.now();
    ctx.log.warn('message failed at the provider', { provider: provider.id, messageId: m.id, stat, status, why });
    await deps.writer.append([
      eventRecord(deps.topics, lifecycleEvent(m.id, 'submit_failed', deps.nodeId, { provider: provider.id, status, stat, why }, now)),
      ...failedReceipts(deps.topics, m, stat, status === null ? '001' : String(status % 1000).padStart(3, '0'), now),
    ]);
    await settle(m, sending, { providerMessageIds: [], at: now, outcome: 'failed' }, ctx);
  }
}

const CORRELATION_RETRY = { initialMs: 100, maxMs: 5000 } as const;

/** A send whose claim another sender holds now (stillClaimed): nothing was sent. */
const SEND_FENCED = 'SEND_FENCED';

/** How often a copy waiting for another's claim asks again. */
const CLAIM_POLL_MS = 250;

/** One send of a message: its claim token, and whether its outcome was remembered. */
interface Sending {
  readonly token: string;
  settled: boolean;
  /** Parts taken by an earlier, abandoned send of the message. */
  resume?: PartialSend;
  /** When its claim was last asked for (before the request: its TTL runs from later). */
  claimedAt: number;
  /** Checks the claim before each submit_sm (absent: sent without a claim, Redis was away). */
  guard?: () => Promise<void> | undefined;
  /** The parts the provider took so far (left for the next sender if this one is abandoned). */
  taken: PartialSend;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

