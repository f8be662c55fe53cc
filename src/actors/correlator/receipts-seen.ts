/**
 * Provider receipts already turned into customer receipts. A provider re-sends a receipt whose
 * deliver_sm_resp it did not get (a bind dropped, a node died), and each copy would otherwise
 * become another receipt to the customer. Marked only after the customer receipts are durable,
 * so a crash between the two repeats a receipt rather than losing one.
 */
import type { RedisClient } from '../../redis/client.js';
import { redisKeys, type RedisKeys } from '../../redis/keys.js';

/** As long as a correlation is kept: a re-sent receipt can come that late. */
const TTL_SECONDS = 7 * 24 * 3600;

export class ReceiptsSeen {
  private readonly keys: RedisKeys;

  constructor(private readonly redis: RedisClient, prefix: string) {
    this.keys = redisKeys(prefix);
  }

  /** The marker's key: the correlator reads it with the receipt's correlation, in one MGET. */
  key(provider: string, providerMessageId: string, stat: string): string {
    return this.keys.receiptDone(provider, providerMessageId, stat);
  }

  async mark(provider: string, providerMessageId: string, stat: string): Promise<void> {
    await this.redis.set(this.key(provider, providerMessageId, stat), '1', 'EX', TTL_SECONDS);
  }
}
