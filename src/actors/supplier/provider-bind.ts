/**
 * One provider bind as the supplier uses it: the SMPP client (kept bound, reconnecting with
 * backoff), the throttle queue at the contracted rate (one slot per submit_sm, so parts count),
 * the pause of the whole bind after ESME_RTHROTTLED, and the bind state published to the
 * cluster for routers.
 *
 * Pausing stops the queue from starting submits; those already sent finish. Retries go in at
 * a higher priority, so after a pause the refused parts go first and the order of the others
 * is kept. A rate change starts a new queue that takes submits once the old one has started
 * all of its own, so nothing overtakes.
 */
import { EventEmitter } from 'node:events';
import PQueue from 'p-queue';
import type { ProviderConfig } from '../../config/types.js';
import type { Logger } from '../../log.js';
import { errorMessage, GatewayError, UnavailableError } from '../../errors.js';
import { SmppClient } from '../../smpp/client.js';
import { tlsClientOptions } from '../../config/pem-files.js';
import type { Pdu, PduFields } from '../../smpp/pdu.js';
import type { SmppClientState } from '../../smpp/client.js';
import type { Responder } from '../../smpp/connection.js';
import { throttleFor } from './throttle.js';
import type { GatewayMetrics } from '../../metrics/gateway-metrics.js';
import { ThrottlePause } from './throttle-pause.js';
import { BIND_STATE_REFRESH_MS, type BindState, type BindStateStore } from '../../redis/stores/bind-state.js';

export interface SentSubmit {
  resp: Pdu;
  /** When the submit_sm left (for telling which throttled answers belong to one burst). */
  sentAt: number;
}

export interface ProviderBindDeps {
  log: Logger;
  bindStates: BindStateStore;
  nodeId: string;
  metrics?: GatewayMetrics | undefined;
}

type ProviderBindEvents = { bound: []; unbound: []; stopped: [] };

/** Thrown by a send whose turn came while the bind was down: nothing reached the provider. */
export const NOT_BOUND = 'PROVIDER_NOT_BOUND';
/** A submit whose message's validity period passed while it waited for its turn. */
export const VALIDITY_PASSED = 'VALIDITY_PASSED';
/** A submit dropped before its turn because the bind's partition moved to another owner. */
export const SUBMITS_ABANDONED = 'SUBMITS_ABANDONED';

function abandonedError(): GatewayError {
  return new GatewayError(SUBMITS_ABANDONED, 'the partition moved to another owner: not sent from here');
}

export class ProviderBind extends EventEmitter<ProviderBindEvents> {
  readonly client: SmppClient;
  private queue: PQueue;
  /** Resolves when an earlier queue (before a rate change) has started all it held. */
  private earlier: Promise<void> = Promise.resolve();
  private readonly queues = new Set<PQueue>();
  private readonly pause: ThrottlePause;
  private pausedTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastPublished: BindState | undefined;
  private everTried = false;
  private stopped = false;
  private rate: number;
  /** Held by an operator (smsgw pause): a throttle pause ending must not release it. */
  private held = false;
  /** Set by abandonQueued: no submit starts any more. */
  private abandoned = false;
  /** The rejects of submits queued but not started. */
  private readonly waiting = new Set<(err: Error) => void>();
  /** Submits answered ESME_ROK, for the inspector. */
  submitted = 0;
  lastError = '';

  constructor(private readonly provider: ProviderConfig, private readonly deps: ProviderBindDeps, onRequest: (pdu: Pdu, respond: Responder) => void) {
    super();
    this.setMaxListeners(0);
    this.rate = provider.rate;
    this.pause = new ThrottlePause(provider.throttlePauseMs, provider.throttlePauseMaxMs);
    this.queue = this.newQueue(provider.rate);
    const tls = provider.tls;
    this.client = new SmppClient({
      host: provider.host, port: provider.port, systemId: provider.systemId, password: provider.password,
      systemType: provider.systemType, bindType: provider.bindType,
      // The PEM files are read at every connect: a renewed certificate takes effect on the next one.
      ...(tls ? { tls: () => tlsClientOptions(tls, `providers[id=${provider.id}].tls`) } : {}),
      reconnect: { initialMs: 250, maxMs: 10000 },
      connection: { window: provider.window, responseTimeoutMs: provider.responseTimeoutMs, enquireLinkIntervalMs: 30000, logger: deps.log },
      logger: deps.log,
    });
    this.client.on('bound', () => {
      deps.log.info('provider bound', { provider: provider.id });
      this.publish();
      this.emit('bound');
    });
    this.client.on('unbound', (reason) => {
      deps.log.warn('provider bind lost', { provider: provider.id, reason: errorMessage(reason) });
      this.lastError = errorMessage(reason);
      this.publish();
      this.emit('unbound');
    });
    this.client.on('bindFailed', (err) => {
      this.everTried = true;
      this.lastError = errorMessage(err);
      this.publish();
    });
    this.client.on('request', onRequest);
  }

  start(): void {
    this.client.start();
    // Refreshed well inside the TTL, so the claim lapses only when this node is gone.
    this.heartbeat = setInterval(() => this.publish(true), BIND_STATE_REFRESH_MS);
    this.heartbeat.unref();
  }

  get state(): BindState {
    if (this.client.state !== 'bound') return 'down';
    return this.queue.isPaused ? 'paused' : 'bound';
  }

  get clientState(): SmppClientState {
    return this.client.state;
  }

  get currentRate(): number {
    return this.rate;
  }

  /**
   * One submit_sm through the throttle. Resolves with the answer, whatever its status; rejects
   * with UnavailableError (NOT_BOUND when nothing was sent, the connection's code when it
   * closed with the submit in flight) or TimeoutError (no answer in time).
   */
  /**
   * Sends a submit_sm in its turn (the throttle, the window, a pause). `notAfter`: when its turn
   * comes later than that (the message's validity period), it is not sent (VALIDITY_PASSED).
   * `guard` runs when the turn has come, just before the write; it throws to send nothing.
   */
  async send(fields: PduFields, retry: boolean, notAfter?: number, guard?: () => Promise<void> | undefined): Promise<SentSubmit> {
    if (this.abandoned) throw abandonedError();
    await this.earlier;
    if (this.abandoned) throw abandonedError();
    return new Promise<SentSubmit>((resolve, reject) => {
      // Until its turn comes a submit can be dropped (abandonQueued); once started it runs to its answer.
      this.waiting.add(reject);
      this.queue.add(async () => {
        this.waiting.delete(reject);
        if (notAfter !== undefined && Date.now() >= notAfter) throw new GatewayError(VALIDITY_PASSED, 'the message\'s validity period passed before its turn');
        if (this.client.state !== 'bound') throw new UnavailableError(NOT_BOUND, `provider ${this.provider.id} is not bound`);
        const checking = guard?.();
        if (checking) {
          await checking;
          if (this.client.state !== 'bound') throw new UnavailableError(NOT_BOUND, `provider ${this.provider.id} is not bound`);
        }
        const sentAt = Date.now();
        const resp = await this.client.request('submit_sm', fields);
        return { resp, sentAt };
      }, { priority: retry ? 1 : 0 }).then(resolve, reject);
    });
  }

  /**
   * Drops every submit that has not started (each send rejects with SUBMITS_ABANDONED) and
   * refuses new ones; those already sent still get their answers. Returns how many went.
   */
  abandonQueued(): number {
    this.abandoned = true;
    for (const q of this.queues) q.clear();
    const dropped = this.waiting.size;
    for (const reject of this.waiting) reject(abandonedError());
    this.waiting.clear();
    return dropped;
  }

  /** A submit sent at `sentAt` was answered ESME_RTHROTTLED: pause the whole bind unless a pause covers it. */
  throttled(sentAt: number): void {
    const ms = this.pause.throttled(sentAt, Date.now());
    if (ms === 0) return;
    this.deps.log.warn('provider throttling; bind paused', { provider: this.provider.id, pauseMs: ms });
    for (const q of this.queues) q.pause();
    this.publish();
    clearTimeout(this.pausedTimer);
    this.pausedTimer = setTimeout(() => {
      this.pausedTimer = undefined;
      if (!this.held) for (const q of this.queues) q.start();
      this.publish();
    }, ms);
  }

  /** An operator's pause: submits not yet started wait (their records stay uncommitted). */
  hold(): void {
    this.held = true;
    for (const q of this.queues) q.pause();
    this.publish();
  }

  /** Ends an operator's pause (a throttle pause still running keeps the bind paused until it ends). */
  release(): void {
    this.held = false;
    if (!this.pausedTimer) for (const q of this.queues) q.start();
    this.publish();
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** Parts queued or in flight on this bind. */
  get queued(): number {
    let n = 0;
    for (const q of this.queues) n += q.size + q.pending;
    return n;
  }

  accepted(sentAt: number): void {
    this.pause.accepted(sentAt);
  }

  /** Resolves true once bound (at once if bound), false after `maxMs` without a bind or once the bind is stopped. */
  waitBound(maxMs: number): Promise<boolean> {
    if (this.client.state === 'bound') return Promise.resolve(true);
    if (maxMs <= 0 || this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (v: boolean) => {
        clearTimeout(timer);
        this.off('bound', onBound);
        this.off('stopped', onStopped);
        resolve(v);
      };
      const onBound = () => done(true);
      const onStopped = () => done(false);
      const timer = setTimeout(() => done(false), maxMs);
      this.on('bound', onBound);
      this.on('stopped', onStopped);
    });
  }

  /** Parts per second from now on; the submits already queued keep the old pace. */
  setRate(rate: number): void {
    throttleFor(rate);
    if (rate === this.rate) return;
    const old = this.queue;
    this.queue = this.newQueue(rate);
    if (old.isPaused) this.queue.pause();
    this.earlier = old.onEmpty();
    void old.onIdle().then(() => this.queues.delete(old));
    this.deps.log.info('provider rate changed', { provider: this.provider.id, from: this.rate, to: rate });
    this.rate = rate;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.emit('stopped');
    this.deps.metrics?.bindState(this.provider.id, null);
    clearInterval(this.heartbeat);
    clearTimeout(this.pausedTimer);
    this.abandonQueued();
    // The claim is left to lapse: the partition's next owner may already have written its own.
    await this.client.stop();
  }

  private newQueue(rate: number): PQueue {
    const t = throttleFor(rate);
    const q = new PQueue({ concurrency: this.provider.window, intervalCap: t.intervalCap, interval: t.interval });
    this.queues.add(q);
    return q;
  }

  /** Writes the state when it changed (or on the heartbeat); before the first bind attempt ends there is nothing to claim. */
  private publish(heartbeat = false): void {
    if (this.client.state === 'stopping' || this.client.state === 'stopped') return;
    const state = this.state;
    this.deps.metrics?.bindState(this.provider.id, state);
    if (state === 'down' && this.lastPublished === undefined && !this.everTried) return;
    if (!heartbeat && state === this.lastPublished) return;
    this.lastPublished = state;
    this.deps.bindStates.publish(this.provider.id, { state, node: this.deps.nodeId, at: Date.now() }).catch((err: unknown) => {
      this.deps.log.warn('bind state not published', { provider: this.provider.id, error: errorMessage(err) });
    });
  }
}
