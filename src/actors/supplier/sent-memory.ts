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
 * one command, and settling overwrites the claim, so a message costs the two commands it
 * cost before claims existed. A send abandoned after the provider took some parts of a
 * multi-part message (its partition moved) leaves them in the key: the next sender goes on
 * from the first part not taken instead of sending the message twice.
 *
 * Redis forgets, Kafka does not: a Redis that restarted empty gets the settled entries back
 * from the correlations journal (sent-rebuild.ts), in the same replay that brings back the
 * correlations and under the same sentinel (RestoreGuard). Every claim checks that sentinel in
 * the same script, so no copy of a record claims a message in an empty Redis before the
 * rebuild is done: it waits for it. Past the hour, or when the rebuild itself fails, the
 * supplier falls back to at-least-once: it sends rather than risk not sending. A Redis error
 * on either side is reported by the caller and never stops a send.
 */
import type { RedisClient } from '../../redis/client.js';
import { redisKeys, type RedisKeys } from '../../redis/keys.js';
import type { RestoreGuard } from '../../redis/restore-guard.js';
import type { RebuiltSent } from './sent-rebuild.js';

export const SENT_MEMORY_TTL_SECONDS = 3600;
/** How long a claim outlives its sender's last extension (a dead node's claims lapse). */
export const SEND_CLAIM_TTL_MS = 10000;

export interface SentEntry {
  providerMessageIds: string[];
  at: number;
  /** Absent: the provider took every part. Otherwise how the supplier settled the message. */
  outcome?: 'failed' | 'rerouted';
}

/** The parts of a message a provider took before its send was abandoned (a partition moved). */
export interface PartialSend {
  providerMessageIds: string[];
  /** How many parts the message was split into for this provider. */
  parts: number;
}

interface KeyValue {
  claim?: string;
  partial?: PartialSend;
  providerMessageIds?: string[];
  at?: number;
  outcome?: SentEntry['outcome'];
}

export type ClaimResult =
  /** Ours to send; `resume`: parts an abandoned send got taken already, not to send again. */
  | { kind: 'claimed'; resume?: PartialSend }
  /** Settled by an earlier copy of the record: nothing more to do. */
  | { kind: 'settled'; entry: SentEntry }
  /** Another copy is being sent under this token: wait for it to settle or its claim to lapse. */
  | { kind: 'busy'; by: string };

/**
 * Claims a free key and reads a taken one (SET NX GET), unless Redis lost its state and the
 * rebuild has not run yet (-1). KEYS: the message's key, the sentinel; ARGV: value, TTL (ms).
 */
const CLAIM = `if redis.call('exists', KEYS[2]) == 0 then return -1 end
return redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX', 'GET')`;
const CLAIM_COMMAND = 'smsgwSentClaim';
type ClaimCommand = (key: string, sentinel: string, value: string, ttlMs: number) => Promise<string | number | null>;

/**
 * Takes over a key an abandoned send left its progress in (no claim on it); returns what it
 * held. KEYS[1]; ARGV: the token, the claim's TTL (ms).
 */
const TAKE_OVER = `local v = redis.call('get', KEYS[1])
if not v then return false end
local ok, d = pcall(cjson.decode, v)
if ok and type(d) == 'table' and d.partial and not d.claim then
  d.claim = ARGV[1]
  redis.call('set', KEYS[1], cjson.encode(d), 'PX', ARGV[2])
end
return v`;
/**
 * Gives up a claim only while it is still the caller's (a lapsed one may be another's now),
 * leaving the parts already taken (ARGV[2], JSON) for the next sender when there are any.
 */
const RELEASE = `local v = redis.call('get', KEYS[1])
if not v then return 0 end
local ok, d = pcall(cjson.decode, v)
if not ok or type(d) ~= 'table' or d.claim ~= ARGV[1] then return 0 end
if ARGV[2] == '' then return redis.call('del', KEYS[1]) end
redis.call('set', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1`;
/** Extends each key still holding its caller's claim (never a settled entry's hour). ARGV: TTL, then a token per key. */
const EXTEND = `local n = 0
for i, k in ipairs(KEYS) do
  local v = redis.call('get', k)
  if v then
    local ok, d = pcall(cjson.decode, v)
    if ok and type(d) == 'table' and d.claim == ARGV[i + 1] then redis.call('pexpire', k, ARGV[1]) n = n + 1 end
  end
end
return n`;

export class SentMemory {
  private readonly keys: RedisKeys;

  private readonly claimCommand: ClaimCommand;

  /** `restored`: rebuilds the settled entries (with the correlations) once Redis lost them. */
  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly ttlSeconds: number,
    private readonly restored: Pick<RestoreGuard, 'ensure'>,
    readonly claimTtlMs = SEND_CLAIM_TTL_MS,
  ) {
    this.keys = redisKeys(prefix);
    // Sent by its SHA once loaded (the client keeps it per connection).
    const commands = redis as unknown as Record<string, ClaimCommand | undefined>;
    if (typeof commands[CLAIM_COMMAND] !== 'function') redis.defineCommand(CLAIM_COMMAND, { numberOfKeys: 2, lua: CLAIM });
    this.claimCommand = (commands[CLAIM_COMMAND] as ClaimCommand).bind(redis);
  }

  /** The sentinel the claims check: set once the correlations journal was replayed into this Redis. */
  get sentinelKey(): string {
    return this.keys.correlationsRestored;
  }

  key(provider: string, messageId: string): string {
    return this.keys.sent(provider, messageId);
  }

  /** Claims the message for sending under `token`, unless it is settled or being sent. */
  async claim(provider: string, messageId: string, token: string): Promise<ClaimResult> {
    const key = this.key(provider, messageId);
    const value: KeyValue = { claim: token, at: Date.now() };
    // The common case in one script: a free key is claimed, a taken one read.
    let answer = await this.claimCommand(key, this.sentinelKey, JSON.stringify(value), this.claimTtlMs);
    while (answer === -1) {
      // Redis came back empty: what it held of this message is in the journal, not here yet.
      await this.restored.ensure();
      answer = await this.claimCommand(key, this.sentinelKey, JSON.stringify(value), this.claimTtlMs);
    }
    if (answer === null) return { kind: 'claimed' };
    let old: string | null = String(answer);
    let v = JSON.parse(old) as KeyValue;
    if (v.partial !== undefined && v.claim === undefined) {
      // Progress an abandoned send left: taken over in a script, since another copy may race.
      old = await this.redis.eval(TAKE_OVER, 1, key, token, this.claimTtlMs) as string | null;
      if (old === null) return this.claim(provider, messageId, token);
      v = JSON.parse(old) as KeyValue;
    }
    if (typeof v.claim === 'string' && v.claim !== token) return { kind: 'busy', by: v.claim };
    if (v.partial !== undefined) return { kind: 'claimed', resume: v.partial };
    if (v.claim === token) return { kind: 'claimed' };
    return { kind: 'settled', entry: { providerMessageIds: v.providerMessageIds ?? [], at: v.at ?? 0, ...(v.outcome ? { outcome: v.outcome } : {}) } };
  }

  /**
   * Writes back entries rebuilt from the journal, each with what is left of its hour. NX: an
   * entry the supplier wrote since Redis came back is as new or newer.
   */
  async restore(entries: readonly RebuiltSent[]): Promise<void> {
    if (entries.length === 0) return;
    const m = this.redis.multi();
    for (const e of entries) m.set(this.key(e.provider, e.messageId), JSON.stringify(e.value), 'EX', e.ttlSeconds, 'NX');
    await m.exec();
  }

  /** Settles the message (replacing the claim): a later copy of its record is not sent. */
  async remember(provider: string, messageId: string, entry: SentEntry): Promise<void> {
    await this.redis.set(this.key(provider, messageId), JSON.stringify(entry), 'EX', this.ttlSeconds);
  }

  /**
   * Gives a claim up without settling (the send was abandoned or failed): the next copy sends
   * at once, from the first part the provider had not taken (`partial`).
   */
  async release(provider: string, messageId: string, token: string, partial?: PartialSend): Promise<void> {
    const left = partial && partial.providerMessageIds.length > 0 ? JSON.stringify({ partial, at: Date.now() } satisfies KeyValue) : '';
    await this.redis.eval(RELEASE, 1, this.key(provider, messageId), token, left, this.ttlSeconds);
  }

  /** Extends the claims still held (key → token); returns how many were. */
  async extend(claims: ReadonlyMap<string, string>): Promise<number> {
    if (claims.size === 0) return 0;
    const keys = [...claims.keys()];
    return Number(await this.redis.eval(EXTEND, keys.length, ...keys, this.claimTtlMs, ...keys.map((k) => claims.get(k)!)));
  }
}
