/** Helpers shared by the stage actors. */
import type { ActorContext } from '../runtime/context.js';

export type { RecordMessage } from '../runtime/stage.js';

/**
 * Answers the current ask when `work` settles, without holding the actor: the next record is
 * taken at once, so a stage keeps as many records in flight as its mailbox window allows.
 */
export function replyWhenDone<M>(ctx: ActorContext<M>, work: Promise<unknown>): void {
  const reply = ctx.deferReply<void>();
  work.then(() => reply.resolve(), (err: unknown) => reply.reject(err));
}
