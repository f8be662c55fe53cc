/** The message a Kafka-backed mailbox hands a stage actor: one record of its topic. */
import type { StageRecord } from '../kafka/stage-consumer.js';
import type { ActorContext } from '../runtime/context.js';

export interface RecordMessage {
  type: 'record';
  record: StageRecord;
}

/**
 * Answers the current ask when `work` settles, without holding the actor: the next record is
 * taken at once, so a stage keeps as many records in flight as its mailbox window allows.
 */
export function replyWhenDone<M>(ctx: ActorContext<M>, work: Promise<unknown>): void {
  const reply = ctx.deferReply<void>();
  work.then(() => reply.resolve(), (err: unknown) => reply.reject(err));
}
