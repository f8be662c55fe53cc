/**
 * The actor system: the registry of live actors for one node (or, later, one worker thread).
 * All state hangs off the instance, so several systems can coexist in one process and a
 * worker thread simply builds its own.
 */
import { ConfigError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { ActorRef, ActorSpec, StopOptions, SystemHandle, SystemStatus } from './actor.js';
import { addressDepth, addressName, assertValidName, childAddress, parseAddress, rootAddress, type Address } from './address.js';
import { ActorCell, type Cell, type CellHost } from './cell.js';
import { ActorNameTakenError, ActorStoppedError, ActorSystemStoppedError, ActorUsageError } from './errors.js';
import { EventHub, type SystemEventListener, type SystemEventName } from './events.js';
import type { ActorStats } from './stats.js';
import { resolveStrategy, type SupervisorStrategy } from './supervision.js';

export interface ActorSystemOptions {
  /** Unique per node (and per worker thread later): it is the first part of every address. */
  readonly name: string;
  readonly logger?: Logger;
  /** Default for `ref.ask` when no timeout is given. */
  readonly askTimeoutMs?: number;
  /** Default for specs without `mailboxCapacity`. */
  readonly mailboxCapacity?: number;
  /** Default strategy layered under each spec's own `supervision`. */
  readonly supervision?: Partial<SupervisorStrategy>;
}

export const defaultSystemOptions = Object.freeze({
  logger: silentLogger,
  askTimeoutMs: 5_000,
  mailboxCapacity: 1_000,
});

export class ActorSystem implements SystemHandle {
  readonly name: string;
  readonly log: Logger;
  private readonly askTimeoutMs: number;
  private readonly mailboxCapacity: number;
  private readonly supervision: Partial<SupervisorStrategy> | undefined;
  private readonly cells = new Map<string, Cell>();
  private readonly events: EventHub;
  private readonly host: CellHost;
  private state: SystemStatus = 'running';
  private shuttingDown: Promise<void> | undefined;

  constructor(options: ActorSystemOptions) {
    assertValidName(options.name, 'system name');
    const askTimeoutMs = options.askTimeoutMs ?? defaultSystemOptions.askTimeoutMs;
    if (!Number.isFinite(askTimeoutMs) || askTimeoutMs <= 0) {
      throw new ConfigError('actorSystem.askTimeoutMs', 'must be a finite number > 0', askTimeoutMs);
    }
    const mailboxCapacity = options.mailboxCapacity ?? defaultSystemOptions.mailboxCapacity;
    if (!Number.isInteger(mailboxCapacity) || mailboxCapacity < 1) {
      throw new ConfigError('actorSystem.mailboxCapacity', 'must be an integer >= 1', mailboxCapacity);
    }
    resolveStrategy(options.supervision); // fail at construction, not at the first spawn
    this.name = options.name;
    this.log = (options.logger ?? defaultSystemOptions.logger).child({ actorSystem: options.name });
    this.askTimeoutMs = askTimeoutMs;
    this.mailboxCapacity = mailboxCapacity;
    this.supervision = options.supervision === undefined ? undefined : Object.freeze({ ...options.supervision });
    this.events = new EventHub(this.log);
    this.host = {
      system: this,
      log: this.log,
      askTimeoutMs,
      events: this.events,
      spawn: (name, spec, parent) => this.spawnCell(name, spec, parent),
      unregister: (cell) => this.unregister(cell),
    };
  }

  get status(): SystemStatus {
    return this.state;
  }

  /**
   * Starts an actor (init runs asynchronously; messages told meanwhile wait in its mailbox).
   * With `parent`, the actor is that actor's child. Throws on an invalid or taken name, an
   * invalid spec, a stopping parent, or a system that is shutting down.
   */
  spawn<S, M>(name: string, spec: ActorSpec<S, M>, parent?: ActorRef<unknown> | Address): ActorRef<M> {
    if (parent === undefined) return this.spawnCell(name, spec, undefined);
    const address = 'address' in parent ? parent.address : parent;
    const parentCell = address.system === this.name ? this.cells.get(address.path) : undefined;
    if (parentCell === undefined) throw new ActorStoppedError(address);
    return this.spawnCell(name, spec, parentCell);
  }

  /** The live actor at `address` (an Address or its formatted string), if any. */
  lookup(address: Address | string): ActorRef<unknown> | undefined {
    const target = typeof address === 'string' ? parseAddress(address) : address;
    if (target.system !== this.name) return undefined;
    return this.cells.get(target.path)?.ref;
  }

  /**
   * Death-watch: resolves with the cause (undefined for a requested stop) once the actor at
   * `ref` is stopped for good, restart budget spent or stopped by request; at once when no
   * actor lives there. Whoever started an actor learns of its end here and decides what next.
   */
  watch(ref: ActorRef<unknown> | Address): Promise<unknown> {
    const address = 'address' in ref ? ref.address : ref;
    const cell = address.system === this.name ? this.cells.get(address.path) : undefined;
    return cell === undefined ? Promise.resolve(undefined) : cell.terminated;
  }

  /** Stats of every live actor, ordered by path (parents before their children). */
  snapshot(): ActorStats[] {
    return [...this.cells.values()]
      .map((cell) => cell.stats())
      .sort((a, b) => (a.address.path < b.address.path ? -1 : a.address.path > b.address.path ? 1 : 0));
  }

  /** Returns the unsubscribe function. */
  on<K extends SystemEventName>(event: K, listener: SystemEventListener<K>): () => void {
    return this.events.on(event, listener);
  }

  off<K extends SystemEventName>(event: K, listener: SystemEventListener<K>): void {
    this.events.off(event, listener);
  }

  /**
   * Stops every actor, deepest first so children stop before their parents, and resolves when
   * all have run postStop. New spawns are refused from the moment it is called. A parent that
   * is still draining can no longer reach its (already stopped) children: its tells return false.
   */
  shutdown(options: StopOptions = { drain: true }): Promise<void> {
    if (this.shuttingDown !== undefined) return this.shuttingDown;
    this.state = 'shuttingDown';
    this.shuttingDown = (async () => {
      for (;;) {
        const live = [...this.cells.values()];
        if (live.length === 0) break;
        const deepest = Math.max(...live.map((cell) => addressDepth(cell.address)));
        await Promise.all(
          live.filter((cell) => addressDepth(cell.address) === deepest).map((cell) => cell.stop(options)),
        );
      }
      this.state = 'stopped';
      this.log.debug('actor system stopped');
    })();
    return this.shuttingDown;
  }

  private spawnCell<S, M>(name: string, spec: ActorSpec<S, M>, parent: Cell | undefined): ActorRef<M> {
    if (this.state !== 'running') throw new ActorSystemStoppedError(this.name);
    validateSpec(spec);
    if (parent?.stopping) throw new ActorStoppedError(parent.address);
    const address = parent === undefined ? rootAddress(this.name, name) : childAddress(parent.address, name);
    if (this.cells.has(address.path)) throw new ActorNameTakenError(address);
    const cell = new ActorCell<S, M>({
      host: this.host,
      address,
      spec,
      parent,
      mailboxCapacity: spec.mailboxCapacity ?? this.mailboxCapacity,
      strategy: resolveStrategy(this.supervision, spec.supervision),
    });
    this.cells.set(address.path, cell);
    parent?.children.set(name, cell);
    cell.start();
    return cell.ref;
  }

  private unregister(cell: Cell): void {
    if (this.cells.get(cell.address.path) === cell) this.cells.delete(cell.address.path);
    const name = addressName(cell.address);
    if (cell.parent?.children.get(name) === cell) cell.parent.children.delete(name);
  }
}

function validateSpec<S, M>(spec: ActorSpec<S, M>): void {
  if (typeof spec.kind !== 'string' || spec.kind.length === 0) throw new ActorUsageError('actor spec needs a non-empty kind');
  if (typeof spec.init !== 'function') throw new ActorUsageError(`actor spec ${spec.kind}: init must be a function`);
  if (typeof spec.receive !== 'function') throw new ActorUsageError(`actor spec ${spec.kind}: receive must be a function`);
}
