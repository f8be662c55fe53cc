/**
 * One live actor: its mailbox, its state, and the loop that feeds messages to receive one at
 * a time and applies the supervisor's directive when receive (or init) throws. Everything that
 * changes the actor's state happens inside `run`, so there is a single writer by construction.
 */
import type { Logger } from '../log.js';
import type { ActorContext, ActorRef, ActorSpec, PipedOutcome, StopOptions, SystemHandle } from './actor.js';
import { formatAddress, parentAddress, type Address } from './address.js';
import { createContext } from './context.js';
import { ActorRestartedError, ActorStoppedError, EscalatedError, NoReplyError } from './errors.js';
import type { PendingReply } from './reply.js';
import type { EventHub } from './events.js';
import { Mailbox } from './mailbox.js';
import { LocalActorRef, type Envelope } from './ref.js';
import { ActorCounters, type ActorStats, type ActorStatus } from './stats.js';
import { decideRestart, type Directive, type FailurePhase, type SupervisorStrategy } from './supervision.js';
import { ActorTimers } from './timers.js';

/** What the system gives each cell. */
export interface CellHost {
  readonly system: SystemHandle;
  readonly log: Logger;
  readonly askTimeoutMs: number;
  readonly events: EventHub;
  spawn<S, M>(name: string, spec: ActorSpec<S, M>, parent: Cell): ActorRef<M>;
  /** Frees the address once the actor is fully stopped. */
  unregister(cell: Cell): void;
}

/** A cell seen without its type parameters, as parents and the system hold it. */
export interface Cell {
  readonly address: Address;
  readonly kind: string;
  readonly parent: Cell | undefined;
  readonly ref: ActorRef<unknown>;
  readonly children: Map<string, Cell>;
  /** A stop was requested or has finished: no new messages, no new children. */
  readonly stopping: boolean;
  stop(options: StopOptions, cause?: unknown): Promise<void>;
  /** Resolves with the stop's cause (undefined for a requested stop) once the actor is stopped for good. */
  readonly terminated: Promise<unknown>;
  /** A child escalated: handle it as this actor's own failure, between messages. */
  failFromChild(error: EscalatedError): void;
  stats(): ActorStats;
}

export interface CellOptions<S, M> {
  readonly host: CellHost;
  readonly address: Address;
  readonly spec: ActorSpec<S, M>;
  readonly parent: Cell | undefined;
  readonly mailboxCapacity: number;
  readonly strategy: SupervisorStrategy;
}

interface StopRequest {
  readonly drain: boolean;
  readonly cause: unknown;
}

export class ActorCell<S, M> implements Cell {
  readonly address: Address;
  readonly kind: string;
  readonly parent: Cell | undefined;
  readonly ref: ActorRef<M>;
  readonly children = new Map<string, Cell>();
  private readonly host: CellHost;
  private readonly spec: ActorSpec<S, M>;
  private readonly strategy: SupervisorStrategy;
  private readonly log: Logger;
  private readonly mailbox: Mailbox<Envelope<M>>;
  private readonly timers: ActorTimers<M>;
  private readonly ctx: ActorContext<M>;
  private readonly counters = new ActorCounters();
  private readonly childFailures: EscalatedError[] = [];

  private status: ActorStatus = 'starting';
  private state: S | undefined;
  private hasState = false;
  private needsInit = true;
  // An init that threw cannot be drained through: there is no state to process messages with.
  private initFailed = false;
  private restartTimes: readonly number[] = [];
  private current: Envelope<M> | undefined;
  private active = false;
  private stopRequest: StopRequest | undefined;
  private interruptSleep: (() => void) | undefined;
  private readonly stopped: Promise<void>;
  private resolveStopped: () => void = () => undefined;
  readonly terminated: Promise<unknown>;
  private resolveTerminated: (cause: unknown) => void = () => undefined;
  /** Counts inits: piped outcomes and deferred answers belong to the incarnation that started them. */
  private incarnation = 0;
  private readonly deferred = new Set<PendingReply>();

  constructor(options: CellOptions<S, M>) {
    this.host = options.host;
    this.address = options.address;
    this.spec = options.spec;
    this.kind = options.spec.kind;
    this.parent = options.parent;
    this.strategy = options.strategy;
    this.log = options.host.log.child({ actor: formatAddress(options.address), kind: this.kind });
    this.mailbox = new Mailbox<Envelope<M>>(options.mailboxCapacity);
    this.stopped = new Promise<void>((resolve) => (this.resolveStopped = resolve));
    this.terminated = new Promise<unknown>((resolve) => (this.resolveTerminated = resolve));
    this.ref = new LocalActorRef<M>(this.address, {
      offer: (envelope) => this.offer(envelope),
      put: (envelope, abandoned) => this.put(envelope, abandoned),
      whenWritable: () => this.whenWritable(),
      stop: (stopOptions) => this.stop(stopOptions),
      askTimeoutMs: options.host.askTimeoutMs,
    });
    this.timers = new ActorTimers<M>({
      offer: (message) => this.offer({ message, reply: undefined }),
      whenWritable: () => this.mailbox.whenWritable(),
      log: this.log,
    });
    this.ctx = createContext<M>({
      self: this.ref,
      system: options.host.system,
      kind: this.kind,
      log: this.log,
      parent: options.parent?.ref ?? null,
      timers: this.timers,
      currentReply: () => this.current?.reply,
      adoptDeferred: (reply) => this.adoptDeferred(reply),
      pipeToSelf: (work, toMessage) => this.pipeToSelf(work, toMessage),
      spawnChild: (name, childSpec) => this.host.spawn(name, childSpec, this),
      childRefs: () => [...this.children.values()].map((c) => c.ref),
      childRef: (name) => this.children.get(name)?.ref,
      stopSelf: () => void this.stop({ drain: false }),
      setGauge: (name, value) => this.counters.setGauge(name, value),
    });
  }

  get stopping(): boolean {
    return this.stopRequest !== undefined || this.status === 'stopped';
  }

  /** Runs init; messages told meanwhile wait in the mailbox. */
  start(): void {
    this.wake();
  }

  stop(options: StopOptions, cause?: unknown): Promise<void> {
    if (this.status === 'stopped') return this.stopped;
    const previous = this.stopRequest;
    // A stricter request (no drain, or one carrying a failure) overrides a gentler one.
    if (previous === undefined || (previous.drain && !options.drain)) {
      this.stopRequest = { drain: options.drain, cause: cause ?? previous?.cause };
    }
    this.status = 'stopping';
    this.timers.close();
    this.mailbox.close(new ActorStoppedError(this.address, this.stopRequest?.cause));
    this.interruptSleep?.();
    this.wake();
    return this.stopped;
  }

  failFromChild(error: EscalatedError): void {
    if (this.stopping) {
      this.log.warn('escalation ignored: actor is stopping', { child: error.child.path, err: error.cause });
      return;
    }
    this.childFailures.push(error);
    this.wake();
  }

  stats(): ActorStats {
    const c = this.counters;
    return {
      address: { system: this.address.system, path: this.address.path },
      kind: this.kind,
      parent: parentAddress(this.address),
      status: this.status,
      received: c.received,
      processed: c.processed,
      failed: c.failed,
      restarts: c.restarts,
      dropped: c.dropped,
      mailboxDepth: this.mailbox.depth,
      mailboxCapacity: this.mailbox.capacity,
      children: this.children.size,
      lastError: c.lastError,
      startedAt: c.startedAt,
      gauges: Object.fromEntries(c.gauges),
    };
  }

  private adoptDeferred(reply: PendingReply): void {
    if (reply.settled) return;
    this.deferred.add(reply);
    const release = (): void => void this.deferred.delete(reply);
    reply.onSettled(release);
  }

  /** Rejects the answers this incarnation took on and never gave: its in-flight work is gone. */
  private voidDeferred(cause: unknown): void {
    const open = [...this.deferred];
    this.deferred.clear();
    for (const reply of open) reply.reject(new ActorRestartedError(this.address, cause));
  }

  private pipeToSelf<T>(work: Promise<T>, toMessage: (outcome: PipedOutcome<T>) => M): void {
    const incarnation = this.incarnation;
    const deliver = (outcome: PipedOutcome<T>): void => {
      if (incarnation !== this.incarnation || this.stopping) return;
      let message: M;
      try {
        message = toMessage(outcome);
      } catch (err) {
        this.log.error('pipeToSelf mapping threw; outcome dropped', { err });
        return;
      }
      // Waits for room: a piped outcome is the end of work the actor started and must not be lost
      // to a full mailbox. Dropped only if the actor restarts or stops meanwhile.
      this.put({ message, reply: undefined }, () => incarnation !== this.incarnation).catch(() => undefined);
    };
    work.then((value) => deliver({ ok: true, value }), (error: unknown) => deliver({ ok: false, error }));
  }

  private offer(envelope: Envelope<M>): boolean {
    if (this.stopping || !this.mailbox.offer(envelope)) return false;
    this.counters.received += 1;
    this.wake();
    return true;
  }

  private async put(envelope: Envelope<M>, abandoned?: () => boolean): Promise<void> {
    for (;;) {
      if (abandoned?.()) return;
      if (this.offer(envelope)) return;
      if (this.stopping) throw new ActorStoppedError(this.address, this.stopRequest?.cause);
      await this.mailbox.whenWritable();
    }
  }

  private whenWritable(): Promise<void> {
    if (this.stopping) return Promise.reject(new ActorStoppedError(this.address, this.stopRequest?.cause));
    return this.mailbox.whenWritable();
  }

  // The loop starts on a microtask so a tell never runs the receiver on the sender's stack.
  private wake(): void {
    if (this.active || this.status === 'stopped') return;
    this.active = true;
    queueMicrotask(() => void this.run());
  }

  private async run(): Promise<void> {
    try {
      for (;;) {
        const stop = this.stopRequest;
        if (stop !== undefined && (!stop.drain || this.initFailed || (!this.needsInit && this.idle()))) {
          await this.finalize(stop);
          return;
        }
        if (this.needsInit) {
          await this.initialize();
          continue;
        }
        const childFailure = this.childFailures.shift();
        if (childFailure !== undefined) {
          this.counters.recordFailure(childFailure);
          await this.handleFailure(childFailure, 'child', undefined);
          continue;
        }
        const envelope = this.mailbox.take();
        if (envelope === undefined) return;
        await this.process(envelope);
      }
    } catch (err) {
      // Only a defect in the runtime gets here; behaviour errors are handled above.
      this.log.error('actor loop fault; stopping', { err });
      this.stopRequest = { drain: false, cause: err };
      await this.finalize(this.stopRequest).catch(() => undefined);
    } finally {
      this.active = false;
    }
  }

  private idle(): boolean {
    return this.mailbox.depth === 0 && this.childFailures.length === 0;
  }

  private async initialize(): Promise<void> {
    try {
      this.incarnation += 1;
      const state = await this.spec.init(this.ctx);
      this.state = state;
      this.hasState = true;
      this.needsInit = false;
      this.initFailed = false;
      this.counters.startedAt = Date.now();
      if (this.stopRequest === undefined) this.status = 'running';
    } catch (err) {
      this.initFailed = true;
      this.counters.recordFailure(err);
      await this.handleFailure(err, 'init', undefined);
    }
  }

  private async process(envelope: Envelope<M>): Promise<void> {
    this.current = envelope;
    let failure: { error: unknown } | undefined;
    try {
      this.state = await this.spec.receive(this.state as S, envelope.message, this.ctx);
      this.counters.processed += 1;
    } catch (error) {
      failure = { error };
    } finally {
      this.current = undefined;
    }
    const reply = envelope.reply;
    if (failure === undefined) {
      if (reply !== undefined && !reply.deferred) reply.reject(new NoReplyError(this.address));
      return;
    }
    this.counters.recordFailure(failure.error);
    reply?.reject(failure.error);
    await this.handleFailure(failure.error, 'receive', envelope);
  }

  private decide(error: unknown, phase: FailurePhase): Directive {
    let directive: Directive;
    try {
      directive = this.strategy.decider(error, {
        address: this.address,
        kind: this.kind,
        phase,
        restarts: this.counters.restarts,
      });
    } catch (deciderError) {
      this.log.error('supervisor decider threw; stopping', { err: deciderError });
      return 'stop';
    }
    // Resuming needs a state, and a failed init left none.
    if (directive === 'resume' && phase === 'init') directive = 'restart';
    // An actor already on its way out is not brought back or handed upwards.
    if (this.stopRequest !== undefined && (directive === 'restart' || directive === 'escalate')) directive = 'stop';
    return directive;
  }

  private async handleFailure(error: unknown, phase: FailurePhase, envelope: Envelope<M> | undefined): Promise<void> {
    let directive = this.decide(error, phase);
    let delayMs: number | null = null;
    if (directive === 'restart') {
      const verdict = decideRestart(this.restartTimes, Date.now(), this.strategy);
      this.restartTimes = verdict.history;
      if (verdict.allowed) delayMs = verdict.delayMs;
      else directive = verdict.fallback;
    }
    if (envelope !== undefined && this.spec.onFailure !== undefined) {
      try {
        this.spec.onFailure(envelope.message, error, directive);
      } catch (hookError) {
        this.log.error('onFailure hook threw', { err: hookError });
      }
    }
    this.log.warn('actor failed', { err: error, phase, directive, restartDelayMs: delayMs });
    this.host.events.emit('actorFailed', {
      address: this.address,
      kind: this.kind,
      error,
      phase,
      directive,
      restartDelayMs: delayMs,
    });
    switch (directive) {
      case 'resume':
        return;
      case 'restart':
        await this.restart(delayMs ?? 0);
        return;
      case 'stop':
        void this.stop({ drain: false }, error);
        return;
      case 'escalate':
        this.escalate(error);
        return;
    }
  }

  private async restart(delayMs: number): Promise<void> {
    this.status = 'restarting';
    this.counters.restarts += 1;
    this.incarnation += 1;
    this.voidDeferred(undefined);
    this.timers.cancelAll();
    await this.stopChildren(false);
    await this.runPostStop();
    await this.sleep(delayMs);
    this.needsInit = true;
    if (this.stopRequest !== undefined) this.status = 'stopping';
  }

  // The failing child stops; its parent's supervisor then decides for the parent, as if the
  // parent's own receive had thrown.
  private escalate(error: unknown): void {
    const parent = this.parent;
    this.host.events.emit('escalated', {
      from: this.address,
      to: parent?.address ?? null,
      kind: this.kind,
      error,
    });
    parent?.failFromChild(new EscalatedError(this.address, error));
    void this.stop({ drain: false }, error);
  }

  private async finalize(request: StopRequest): Promise<void> {
    this.status = 'stopping';
    this.timers.close();
    const reason = new ActorStoppedError(this.address, request.cause);
    this.mailbox.close(reason);
    const dropped = this.mailbox.takeAll();
    this.counters.dropped += dropped.length;
    for (const envelope of dropped) envelope.reply?.reject(reason);
    this.childFailures.length = 0;
    this.incarnation += 1;
    this.voidDeferred(request.cause);
    await this.stopChildren(request.drain);
    await this.runPostStop();
    this.status = 'stopped';
    this.host.unregister(this);
    this.log.debug('actor stopped', { dropped: dropped.length });
    this.host.events.emit('actorStopped', { address: this.address, kind: this.kind, cause: request.cause });
    this.resolveStopped();
    this.resolveTerminated(request.cause);
  }

  private async stopChildren(drain: boolean): Promise<void> {
    await Promise.all([...this.children.values()].map((child) => child.stop({ drain })));
  }

  private async runPostStop(): Promise<void> {
    if (!this.hasState) return;
    const state = this.state as S;
    this.hasState = false;
    this.state = undefined;
    if (this.spec.postStop === undefined) return;
    try {
      await this.spec.postStop(state, this.ctx);
    } catch (err) {
      this.log.error('postStop threw', { err });
    }
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopRequest !== undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.interruptSleep = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.interruptSleep = done;
    });
  }
}
