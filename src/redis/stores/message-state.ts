/**
 * What query_sm and cancel_sm can learn about a message the gateway accepted: one small JSON
 * string per message id in Redis (`msg:<id>`), written when the session accepts it and
 * replaced with the final state when the receipt comes back (only while it is still there:
 * `SET XX`). It expires `ttlSeconds` after its last change. One command each way: it is on the
 * path of every message. It is a convenience for the customer, not a record the gateway relies
 * on: Kafka's message-events topic holds the full history.
 */
import type { RedisClient } from '../client.js';
import { redisKeys, type RedisKeys } from '../keys.js';
import { MessageState } from '../../smpp/status.js';
import { isFinalStat, messageStateFor } from '../../smpp/receipt.js';


export interface StoredState {
  customer: string;
  source: string;
  /** message_state value (SMPP 3.4 section 5.2.28). */
  state: number;
  /** When the state became final, ms; 0 while the message is en route. */
  finalAt: number;
  /** Network error the receipt carried, as a number; 0 when none. */
  errorCode: number;
}

export class MessageStateStore {
  private readonly keys: RedisKeys;

  constructor(private readonly redis: RedisClient, prefix: string, private readonly ttlSeconds: number) {
    this.keys = redisKeys(prefix);
  }

  private key(id: string): string {
    return this.keys.messageState(id);
  }

  async accepted(ids: readonly string[], customer: string, source: string): Promise<void> {
    const value = JSON.stringify({ customer, source, state: MessageState.ENROUTE, finalAt: 0, errorCode: 0 } satisfies StoredState);
    if (ids.length === 1) {
      await this.redis.set(this.key(ids[0]!), value, 'EX', this.ttlSeconds);
      return;
    }
    const p = this.redis.pipeline();
    for (const id of ids) p.set(this.key(id), value, 'EX', this.ttlSeconds);
    await p.exec();
  }

  /**
   * Records the state a receipt reported (`stat` as in the receipt text), if the message is
   * still known: a receipt for a message whose state already expired creates nothing.
   */
  async receipt(id: string, owner: { customer: string; source: string }, stat: string, err: string, at: number): Promise<void> {
    const code = Number.parseInt(err, 10);
    const value: StoredState = {
      customer: owner.customer, source: owner.source, state: messageStateFor(stat),
      finalAt: isFinalStat(stat) ? at : 0, errorCode: Number.isFinite(code) ? code & 0xff : 0,
    };
    await this.redis.set(this.key(id), JSON.stringify(value), 'EX', this.ttlSeconds, 'XX');
  }

  async get(id: string): Promise<StoredState | undefined> {
    try {
      const v = await this.redis.get(this.key(id));
      return v === null ? undefined : stateFrom(JSON.parse(v) as Record<string, unknown>);
    } catch (err) {
      // Written as a hash by an earlier version of the gateway, until it expires.
      if (!(err instanceof Error) || !err.message.startsWith('WRONGTYPE')) throw err;
      return stateFrom(await this.redis.hgetall(this.key(id)));
    }
  }
}

/** The state from its stored fields (JSON or an earlier version's hash); undefined without an owner. */
function stateFrom(f: Record<string, unknown>): StoredState | undefined {
  if (typeof f.customer !== 'string' || f.customer === '') return undefined;
  return {
    customer: f.customer, source: typeof f.source === 'string' ? f.source : '', state: Number(f.state ?? MessageState.UNKNOWN),
    finalAt: Number(f.finalAt ?? 0), errorCode: Number(f.errorCode ?? 0),
  };
}
