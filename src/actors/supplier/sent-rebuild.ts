/**
 * The sent memory's settled entries, rebuilt from the correlations journal after Redis lost
 * them. The supplier journals one correlation per part a provider took, before it remembers
 * the message settled, so the journal knows every message a provider took all the parts of
 * (settled) or only some (partial: a send abandoned mid-message), with no record of its own.
 *
 * The parts of one message are keyed by their provider ids, so they lie on different
 * partitions and come in any order: a message waits here until its last part comes (or the
 * replay ends, which leaves it partial). Messages that failed or went back to the router
 * journal nothing and are not rebuilt: a copy of their record is sent, as before.
 */
import type { CorrelationJournalEntry } from '../../redis/stores/correlation-store.js';

/** A sent-memory key to write: the value the supplier itself would have left there. */
export interface RebuiltSent {
  provider: string;
  messageId: string;
  value: { providerMessageIds: string[]; at: number } | { partial: { providerMessageIds: string[]; parts: number }; at: number };
  /** What is left of the entry's lifetime. */
  ttlSeconds: number;
}

export class SentRebuild {
  /** provider + message id → the parts seen so far. */
  private readonly open = new Map<string, { provider: string; messageId: string; ids: string[]; parts: number; at: number }>();

  constructor(private readonly ttlSeconds: number, private readonly now = Date.now()) {}

  /** Takes replayed journal entries; returns the messages whose every part has now been seen. */
  add(entries: readonly CorrelationJournalEntry[]): RebuiltSent[] {
    const done: RebuiltSent[] = [];
    for (const e of entries) {
      const { messageId, submittedAt } = e.record;
      // Older than the memory's own hour: Redis would have forgotten it by now anyway.
      if (this.left(submittedAt) <= 0) continue;
      const parts = Math.max(1, e.record.providerParts ?? 1);
      const key = `${e.provider}\u0000${messageId}`;
      const seen = this.open.get(key) ?? { provider: e.provider, messageId, ids: [], parts, at: submittedAt };
      if (!seen.ids.includes(e.providerMessageId)) seen.ids.push(e.providerMessageId);
      seen.at = Math.max(seen.at, submittedAt);
      if (seen.ids.length >= seen.parts) {
        this.open.delete(key);
        done.push({ provider: seen.provider, messageId, value: { providerMessageIds: seen.ids, at: seen.at }, ttlSeconds: this.left(seen.at) });
      } else {
        this.open.set(key, seen);
      }
    }
    return done;
  }

  /** At the end of the replay: messages some parts of which the provider took, to resume after them. */
  rest(): RebuiltSent[] {
    const out = [...this.open.values()].map((s): RebuiltSent => ({
      provider: s.provider, messageId: s.messageId, value: { partial: { providerMessageIds: s.ids, parts: s.parts }, at: s.at }, ttlSeconds: this.left(s.at),
    }));
    this.open.clear();
    return out;
  }

  private left(at: number): number {
    return Math.floor(this.ttlSeconds - (this.now - at) / 1000);
  }
}
