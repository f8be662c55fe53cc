/**
 * What query_sm and cancel_sm can learn about a message the gateway accepted: one small hash
 * per message id in Redis (`msg:<id>`), written when the session accepts it and updated with
 * the final state when the receipt comes back. It expires `ttlSeconds` after its last change.
 * It is a convenience for the customer, not a record the gateway relies on: Kafka's
 * message-events topic holds the full history.
 */
import type { RedisClient } from '../client.js';
import { redisKeys, type RedisKeys } from '../keys.js';
import { MessageState } from '../../smpp/status.js';
import { isFinalStat, messageStateFor } from '../../smpp/receipt.js';

// A receipt for a message whose state already expired must not create a hash without an owner.
const UPDATE_IF_KNOWN = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'finalAt', ARGV[2], 'errorCode', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1`;

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
    const m = this.redis.multi();
    for (const id of ids) {
      m.hset(this.key(id), { customer, source, state: MessageState.ENROUTE, finalAt: 0, errorCode: 0 });
      m.expire(this.key(id), this.ttlSeconds);
    }
    await m.exec();
  }

  /** Records the state a receipt reported (`stat` as in the receipt text), if the message is still known. */
  async receipt(id: string, stat: string, err: string, at: number): Promise<void> {
    const code = Number.parseInt(err, 10);
    await this.redis.eval(UPDATE_IF_KNOWN, 1, this.key(id), messageStateFor(stat), isFinalStat(stat) ? at : 0,
      Number.isFinite(code) ? code & 0xff : 0, this.ttlSeconds);
  }

  async get(id: string): Promise<StoredState | undefined> {
    const h = await this.redis.hgetall(this.key(id));
    if (!h.customer) return undefined;
    return {
      customer: h.customer, source: h.source ?? '', state: Number(h.state ?? MessageState.UNKNOWN),
      finalAt: Number(h.finalAt ?? 0), errorCode: Number(h.errorCode ?? 0),
    };
  }
}
