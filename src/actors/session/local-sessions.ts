/**
 * The sessions bound on this node, by customer: where a delivery for a customer is sent
 * when one of its receiver binds is here. One instance per node, passed in, never global.
 */
import type { ActorRef } from '../../runtime/actor.js';
import type { OutboxRecord } from '../../domain/records.js';

export interface DeliverMessage {
  type: 'deliver';
  record: OutboxRecord;
}

export interface LocalSession {
  id: string;
  customer: string;
  bindType: string;
  canReceive: boolean;
  ref: ActorRef<DeliverMessage>;
}

export class LocalSessions {
  private readonly byCustomer = new Map<string, Map<string, LocalSession>>();
  private nextIndex = 0;

  add(s: LocalSession): void {
    let m = this.byCustomer.get(s.customer);
    if (!m) this.byCustomer.set(s.customer, (m = new Map()));
    m.set(s.id, s);
  }

  remove(customer: string, id: string): void {
    const m = this.byCustomer.get(customer);
    if (!m) return;
    m.delete(id);
    if (m.size === 0) this.byCustomer.delete(customer);
  }

  /** A receiving bind of the customer, rotating over them so load spreads across binds. */
  receiverFor(customer: string): LocalSession | undefined {
    const m = this.byCustomer.get(customer);
    if (!m) return undefined;
    const receivers = [...m.values()].filter((s) => s.canReceive);
    if (receivers.length === 0) return undefined;
    return receivers[this.nextIndex++ % receivers.length];
  }

  /** Every session bound here (for the node's metrics). */
  *all(): IterableIterator<LocalSession> {
    for (const m of this.byCustomer.values()) yield* m.values();
  }

  count(): number {
    let n = 0;
    for (const m of this.byCustomer.values()) n += m.size;
    return n;
  }
}
