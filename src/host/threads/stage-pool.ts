/**
 * The main thread's side of the stage worker threads: runs one long piscina task per worker
 * slot, answers the workers' requests (deliveries to local sessions, snapshots), and
 * supervises them: a worker that dies (uncaught error, out of memory, process.exit) is
 * replaced within a restart budget; its Kafka partitions are consumed again by the
 * replacement or by other group members meanwhile. Other workers keep running.
 */
import { EventEmitter } from 'node:events';
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { GatewayConfig } from '../../config/types.js';
import type { Logger } from '../../log.js';
import { GatewayError, TimeoutError, errorMessage } from '../../errors.js';
import { decodeRecord, type OutboxRecord } from '../../domain/records.js';
import type { ThreadMetrics } from '../../metrics/aggregate.js';
import { decideRestart, type Backoff, type RestartBudget } from '../../runtime/supervision.js';
import type { ActorControl, DeliveredBy, ActorControlResult, MainToWorker, ThreadSnapshot, WorkerResult, WorkerTask, WorkerToMain } from './protocol.js';

export interface StagePoolOptions {
  threads: number;
  nodeId: string;
  config: GatewayConfig;
  /** Stage module URLs loaded by every worker. */
  stages: string[];
  logger: Logger;
  deliver: (record: OutboxRecord) => Promise<DeliveredBy | void>;
  budget?: RestartBudget;
  backoff?: Backoff;
  /** Heap limit per worker thread, MB (an out-of-memory worker is replaced). */
  maxOldGenerationSizeMb?: number;
}

interface Slot {
  index: number;
  port: MessagePort | null;
  task: Promise<WorkerResult> | null;
  ready: boolean;
  restarts: number[];
  restartCount: number;
  givenUp: boolean;
}

export type StagePoolEvents = {
  /** A worker slot exhausted its restart budget. */
  givenUp: [index: number, error: Error];
  workerReady: [index: number, threadId: number];
  workerDied: [index: number, error: Error];
};

export class StagePool extends EventEmitter<StagePoolEvents> {
  private readonly pool: Piscina<WorkerTask, WorkerResult>;
  private readonly slots: Slot[] = [];
  private stopping = false;
  private nextRequest = 0;
  /** Requests to workers awaiting their answer (snapshot, control, reconfigured), by request id. */
  private readonly answers = new Map<number, (m: WorkerToMain) => void>();

  constructor(private readonly options: StagePoolOptions) {
    super();
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new GatewayError('CONFIG_INVALID', `threads must be an integer >= 1 (got ${options.threads})`);
    this.pool = new Piscina({
      filename: new URL('./worker-entry.js', import.meta.url).href,
      minThreads: options.threads,
      maxThreads: options.threads,
      concurrentTasksPerWorker: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      // The task never returns while the worker runs: no Atomics.wait between tasks.
      atomics: 'disabled',
      ...(options.maxOldGenerationSizeMb ? { resourceLimits: { maxOldGenerationSizeMb: options.maxOldGenerationSizeMb } } : {}),
    });
    for (let i = 0; i < options.threads; i++) {
      this.slots.push({ index: i, port: null, task: null, ready: false, restarts: [], restartCount: 0, givenUp: false });
    }
  }

  /**
   * Starts every worker; resolves when each has bound its stages. A worker that dies before
   * that (a broker that does not know a brand-new topic yet, say) is started again like one
   * that dies later; start fails only when a worker's restart budget runs out.
   */
  async start(): Promise<void> {
    await Promise.all(this.slots.map((slot) => new Promise<void>((resolve, reject) => {
      const onReady = (index: number) => {
        if (index !== slot.index) return;
        done();
        resolve();
      };
      const onGivenUp = (index: number, error: Error) => {
        if (index !== slot.index) return;
        done();
        reject(error);
      };
      const done = () => {
        this.off('workerReady', onReady);
        this.off('givenUp', onGivenUp);
      };
      this.on('workerReady', onReady);
      this.on('givenUp', onGivenUp);
      // A death before ready is onDied's: a restart, or givenUp.
      this.run(slot).catch(() => undefined);
    })));
  }

  get threads(): readonly Worker[] {
    return this.pool.threads;
  }

  /** Worker slots: configured, running their stages, given up (restart budget spent). */
  get slotStates(): { configured: number; ready: number; givenUp: number } {
    return {
      configured: this.slots.length,
      ready: this.slots.filter((s) => s.ready).length,
      givenUp: this.slots.filter((s) => s.givenUp).length,
    };
  }

  restartsOf(index: number): number {
    return this.slots[index]?.restartCount ?? 0;
  }

  private run(slot: Slot): Promise<void> {
    const { port1, port2 } = new MessageChannel();
    slot.port = port1;
    slot.ready = false;
    let signalReady!: () => void;
    let failReady!: (e: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      signalReady = resolve;
      failReady = reject;
    });
    port1.on('message', (m: WorkerToMain) => {
      if (m.type === 'ready') {
        slot.ready = true;
        this.emit('workerReady', slot.index, m.threadId);
        signalReady();
      } else this.onMessage(port1, m);
    });
    const task: WorkerTask = { index: slot.index, nodeId: this.options.nodeId, config: this.options.config, stages: this.options.stages, port: port2 };
    const running = this.pool.run(task, { transferList: [port2] });
    slot.task = running;
    running.then(
      () => port1.close(),
      (err: unknown) => {
        port1.close();
        const error = err instanceof Error ? err : new Error(String(err));
        failReady(error);
        if (this.stopping) return;
        this.onDied(slot, error);
      },
    );
    return ready;
  }

  private onDied(slot: Slot, error: Error): void {
    this.options.logger.error('stage worker died', { worker: slot.index, error: error.message });
    this.emit('workerDied', slot.index, error);
    const verdict = decideRestart(slot.restarts, Date.now(), {
      budget: this.options.budget ?? { maxRestarts: 5, withinMs: 60000 },
      backoff: this.options.backoff ?? { initialMs: 200, maxMs: 5000, factor: 2 },
      whenBudgetExceeded: 'escalate',
    });
    slot.restarts = [...verdict.history];
    if (!verdict.allowed) {
      slot.givenUp = true;
      this.options.logger.error('stage worker restart budget exhausted', { worker: slot.index });
      this.emit('givenUp', slot.index, error);
      return;
    }
    setTimeout(() => {
      if (this.stopping) return;
      slot.restartCount++;
      this.run(slot).catch(() => undefined);
    }, verdict.delayMs).unref();
  }

  private onMessage(port: MessagePort, m: WorkerToMain): void {
    const reply = (msg: MainToWorker) => port.postMessage(msg);
    switch (m.type) {
      case 'deliver': {
        const record = decodeRecord<OutboxRecord>(Buffer.from(m.record.buffer, m.record.byteOffset, m.record.byteLength));
        this.options.deliver(record).then(
          (by) => reply({ type: 'reply', requestId: m.requestId, ok: true, ...(by ? { by } : {}) }),
          (err: unknown) => reply({
            type: 'reply', requestId: m.requestId, ok: false,
            error: { message: errorMessage(err), code: (err as { code?: string }).code ?? null },
          }),
        );
        break;
      }
      case 'snapshot':
      case 'metrics':
      case 'control':
      case 'reconfigured':
        this.answers.get(m.requestId)?.(m);
        this.answers.delete(m.requestId);
        break;
      case 'fatal':
        this.options.logger.error('stage worker reported a fatal error', { error: m.error });
        break;
      case 'ready':
        break;
    }
  }

  /** Counters of every actor and stage on every live worker. */
  snapshot(timeoutMs = 2000): Promise<ThreadSnapshot[]> {
    return this.askLive(timeoutMs, 'a snapshot', (requestId) => ({ type: 'snapshot', requestId }),
      (_slot, m) => (m as Extract<WorkerToMain, { type: 'snapshot' }>).snapshot);
  }

  /** Each live worker's Prometheus registry as JSON (a worker that does not answer in time is left out). */
  metrics(timeoutMs = 2000): Promise<ThreadMetrics[]> {
    return this.askLive(timeoutMs, 'its metrics', (requestId) => ({ type: 'metrics', requestId }),
      (_slot, m) => (m as Extract<WorkerToMain, { type: 'metrics' }>).metrics);
  }

  /**
   * Hands an operator's message to the actors it names on every live worker; resolves with
   * each worker's answers (a worker that does not answer in time is left out).
   */
  control(control: ActorControl): Promise<{ worker: number; results: ActorControlResult[] }[]> {
    return this.askLive(control.timeoutMs + 1000, 'a control message', (requestId) => ({ type: 'control', requestId, control }),
      (slot, m) => ({ worker: slot.index, results: (m as Extract<WorkerToMain, { type: 'control' }>).results }));
  }

  /**
   * Hands an already validated configuration to every worker (see MainToWorker
   * 'reloadRoutes'); a worker started later gets it too. Resolves with what each live worker
   * told its partition actors (a worker that does not answer in time is left out).
   */
  reconfigure(config: GatewayConfig, timeoutMs = 5000): Promise<{ worker: number; actors: number }[]> {
    this.options.config = config;
    return this.askLive(timeoutMs, 'the configuration', (requestId) => ({ type: 'reloadRoutes', requestId, config }),
      (slot, m) => ({ worker: slot.index, actors: (m as Extract<WorkerToMain, { type: 'reconfigured' }>).actors }));
  }

  /** Sends every live worker a request and collects the answers that come within `timeoutMs`. */
  private async askLive<T>(timeoutMs: number, what: string, request: (requestId: number) => MainToWorker, answer: (slot: Slot, m: WorkerToMain) => T): Promise<T[]> {
    const live = this.slots.filter((s) => s.ready && s.port);
    const results = await Promise.allSettled(live.map((slot) => new Promise<T>((resolve, reject) => {
      const requestId = ++this.nextRequest;
      const timer = setTimeout(() => {
        this.answers.delete(requestId);
        reject(new TimeoutError(`worker ${slot.index} did not answer ${what} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.answers.set(requestId, (m) => {
        clearTimeout(timer);
        resolve(answer(slot, m));
      });
      slot.port!.postMessage(request(requestId));
    })));
    return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  /** Asks every worker to drain and stop, then ends the threads. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const slot of this.slots) slot.port?.postMessage({ type: 'stop' } satisfies MainToWorker);
    await Promise.allSettled(this.slots.map((s) => s.task));
    await this.pool.destroy();
  }
}
