/**
 * The operator's say over customers: blocked customers and rate overrides. Journalled in the
 * live directory topic (src/directory/controls.ts) so that every node and every restart honours
 * them even when Redis comes back empty, and copied to Redis (restore-controls.ts), where the
 * stage workers and older nodes read them. Sessions consult memory only: a bind or a submit
 * never waits on Redis for it. What the journal says wins; an aspect it never recorded (written
 * by a node that predates it) is taken from Redis, refreshed on every publish tick.
 */
import type { RedisClient } from '../redis/client.js';
import { controlKeys, type ControlKeys } from '../redis/keys.js';
import type { ControlJournal } from '../directory/live-directory.js';
import { ControlState } from '../directory/controls.js';

/** What a session asks before a bind and a submit. */
export interface CustomerOverrides {
  isBlocked(customer: string): boolean;
  /** The rate in effect (parts per second) when an operator changed it, else undefined. */
  rateOf(customer: string): number | undefined;
}

/** For an edge run without a control plane: nobody blocked, the configured rates. */
export const noOverrides: CustomerOverrides = Object.freeze({ isBlocked: () => false, rateOf: () => undefined });

/** For a node without a journal (tests of the edge alone): controls in Redis only. */
const noJournal: ControlJournal = { controls: new ControlState(), journal: async () => undefined };

export class CustomerControls implements CustomerOverrides {
  private blocked = new Set<string>();
  private rates = new Map<string, number>();
  private readonly keys: ControlKeys;

  constructor(private readonly redis: RedisClient, prefix: string, private readonly journal: ControlJournal = noJournal) {
    this.keys = controlKeys(prefix);
  }

  isBlocked(customer: string): boolean {
    return this.journal.controls.customerBlocked(customer) ?? this.blocked.has(customer);
  }

  rateOf(customer: string): number | undefined {
    const journalled = this.journal.controls.rate('customer', customer);
    return journalled === undefined ? this.rates.get(customer) : journalled ?? undefined;
  }

  async refresh(): Promise<void> {
    const [blocked, rates] = await Promise.all([this.redis.smembers(this.keys.blocked), this.redis.hgetall(this.keys.customerRates)]);
    this.blocked = new Set(blocked);
    this.rates = new Map(Object.entries(rates).map(([k, v]) => [k, Number(v)] as const).filter(([, v]) => v > 0));
  }

  async block(customer: string): Promise<void> {
    await this.journal.journal({ target: 'customer', id: customer, aspect: 'blocked', value: true });
    await this.redis.sadd(this.keys.blocked, customer);
    this.blocked.add(customer);
  }

  async unblock(customer: string): Promise<void> {
    await this.journal.journal({ target: 'customer', id: customer, aspect: 'blocked', value: false });
    await this.redis.srem(this.keys.blocked, customer);
    this.blocked.delete(customer);
  }

  async setRate(customer: string, rate: number): Promise<void> {
    await this.journal.journal({ target: 'customer', id: customer, aspect: 'rate', value: rate });
    await this.redis.hset(this.keys.customerRates, customer, String(rate));
    this.rates.set(customer, rate);
  }
}
