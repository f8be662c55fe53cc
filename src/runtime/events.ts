/**
 * System events for supervisors of the system itself (the inspector, the worker-thread host).
 * Listeners are isolated: one that throws is logged and does not disturb the actor.
 */
import type { Logger } from '../log.js';
import type { Address } from './address.js';
import type { Directive, FailurePhase } from './supervision.js';

export interface ActorStoppedEvent {
  readonly address: Address;
  readonly kind: string;
  /** The failure that stopped it; undefined for a requested stop. */
  readonly cause: unknown;
}

export interface ActorFailedEvent {
  readonly address: Address;
  readonly kind: string;
  readonly error: unknown;
  readonly phase: FailurePhase;
  /** The directive applied (after the restart budget was checked). */
  readonly directive: Directive;
  /** Backoff before the restart; null unless the directive is restart. */
  readonly restartDelayMs: number | null;
}

export interface EscalatedEvent {
  readonly from: Address;
  /** The parent whose supervisor now decides; null when the actor was top-level and stopped. */
  readonly to: Address | null;
  readonly kind: string;
  readonly error: unknown;
}

export interface SystemEvents {
  actorStopped: ActorStoppedEvent;
  actorFailed: ActorFailedEvent;
  escalated: EscalatedEvent;
}

export type SystemEventName = keyof SystemEvents;
export type SystemEventListener<K extends SystemEventName> = (event: SystemEvents[K]) => void;

export class EventHub {
  private readonly listeners: { [K in SystemEventName]: Set<SystemEventListener<K>> } = {
    actorStopped: new Set(),
    actorFailed: new Set(),
    escalated: new Set(),
  };

  constructor(private readonly log: Logger) {}

  /** Returns the unsubscribe function. */
  on<K extends SystemEventName>(name: K, listener: SystemEventListener<K>): () => void {
    this.listeners[name].add(listener);
    return () => this.off(name, listener);
  }

  off<K extends SystemEventName>(name: K, listener: SystemEventListener<K>): void {
    this.listeners[name].delete(listener);
  }

  emit<K extends SystemEventName>(name: K, event: SystemEvents[K]): void {
    for (const listener of [...this.listeners[name]]) {
      try {
        listener(event);
      } catch (err) {
        this.log.error('system event listener threw', { event: name, err });
      }
    }
  }
}
