/**
 * Which messages a provider has already taken (or the supplier settled otherwise), so that a
 * record handed to a supplier again is not sent to the provider a second time; and which are
 * being sent right now, so that a second copy waits for the first instead of racing it.
 *
 * A record comes twice when kafkajs restarts a consumer after a broker's death (it fetches
 * again from the last commit while the first copies are still being sent), when a rebalance
 * moves a partition whose records the old owner is still sending, and after a crash. Only the
 * last may send twice: the dead node's claims lapse after `claimTtlMs` and the messages it had
 * sent but not yet remembered go again (the duplicates a crash can cause, no more).
 *
 * One key per provider and message holds either a claim (a sender's token, with a short TTL
 * its owner keeps extending) or the settled entry (an hour): `SET NX GET` claims and reads in
 * one round trip, and settling overwrites the claim, so a message costs the two commands it
 * cost before claims existed.
 *
 * Redis only: past the hour, and after a Redis that lost its data, the supplier falls back to
 * at-least-once: it sends rather than risk not sending. A Redis error on either side is
 * reported by the caller and never stops a send.
 */
import type { RedisClient } from '../../redis/client.js';
import { redisKeys, type RedisKeys } from '../../redis/keys.js';

export const SENT_MEMORY_TTL_SECONDS = 3600;
/** How long a claim outlives its sender's last extension (a dead node's claims lapse). */
export const SEND_CLAIM_TTL_MS = 10000;

export interface SentEntry {
  providerMessageIds: string[];
  at: number;
  /** Absent: the provider took every part. Otherwise how the supplier settled the message. */
  outcome?: 'failed' | 'rerouted';
}

interface ClaimValue {
  claim: string;
  at: number;
}

export type ClaimResult =
  | { kind: 'claimed' }
  /** Settled by an earlier copy of the record: nothing more to do. */
  | { kind: 'settled'; entry: SentEntry }
  /** Another copy is being sent under this token: wait for it to settle or its claim to lapse. */
  | { kind: 'busy'; by: string };

/** Deletes a claim only while it is still the caller's (a lapsed one may be another's now). */
const RELEASE = "local v = redis.call('get', KEYS[1]) if v and string.find(v, ARGV[1], 1, true) then return redis.call('del', KEYS[1]) end return 0";
/** Extends each key still holding its caller's claim (never a settled entry's hour). */
const EXTEND = "local n = 0 for i, k in ipairs(KEYS) do local v = redis.call('get', k) if v and string.find(v, ARGV[i + 1], 1, true) then redis.call('pexpire', k, ARGV[1]) n = n + 1 end end return n";

export class SentMemory {
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly ttlSeconds: number,
    readonly claimTtlMs = SEND_CLAIM_TTL_MS,
  ) {
    this.keys = redisKeys(prefix);
  }

  key(provider: string, messageId: string): string {
    return this.keys.sent(provider, messageId);
  }

  /** Claims the message for sending under `token`, unless it is settled or being sent. */
  async claim(provider: string, messageId: string, token: string): Promise<ClaimResult> {
    const value: ClaimValue = { claim: token, at: Date.now() };
    const old = await this.redis.set(this.key(provider, messageId), JSON.stringify(value), 'PX', this.claimTtlMs, 'NX', 'GET');
    if (old === null) return { kind: 'claimed' };
    const v = JSON.parse(old) as Partial<ClaimValue> & Partial<SentEntry>;
    if (typeof v.claim === 'string') return v.claim === token ? { kind: 'claimed' } : { kind: 'busy', by: v.claim };
    return { kind: 'settled', entry: { providerMessageIds: v.providerMessageIds ?? [], at: v.at ?? 0, ...(v.outcome ? { outcome: v.outcome } : {}) } };
  }

  /** Settles the message (replacing the claim): a later copy of its record is not sent. */
  async remember(provider: string, messageId: string, entry: SentEntry): Promise<void> {
    await this.redis.set(this.key(provider, messageId), JSON.stringify(entry), 'EX', this.ttlSeconds);
  }

  /** Gives a claim up without settling (the send was abandoned or failed): the next copy sends. */
  async release(provider: string, messageId: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(provider, messageId), `"claim":${JSON.stringify(token)}`);
  }

  /** Extends the claims still held (key → token); returns how many were. */
  async extend(claims: ReadonlyMap<string, string>): Promise<number> {
    if (claims.size === 0) return 0;
    const keys = [...claims.keys()];
    const tokens = keys.map((k) => `"claim":${JSON.stringify(claims.get(k))}`);
    return Number(await this.redis.eval(EXTEND, keys.length, ...keys, this.claimTtlMs, ...tokens));
  }
}
