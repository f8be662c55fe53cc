/**
 * An at-least-once stage for the death-watch spec: each record `{ i }` is echoed to the
 * messages topic. A record naming a marker file that exists makes its partition actor fail
 * with no restart budget, so the actor stops for good (the file is removed first, so the
 * record succeeds when the partition's next actor takes it).
 */
import { existsSync, unlinkSync } from 'node:fs';
import type { AtLeastOnceStage, RecordMessage } from '../../../src/host/stage.js';
import type { ActorSpec } from '../../../src/runtime/actor.js';
import { UnavailableError } from '../../../src/errors.js';

interface Input {
  i: number;
  dieIfExists?: string;
}

export const stage: AtLeastOnceStage = {
  kind: 'at-least-once',
  name: 'mortal',
  topic: (t) => t.messageParts,
  window: () => 4,
  recordTimeoutMs: () => 10000,
  retry: () => ({ initialMs: 50, maxMs: 200 }),
  partitionActor: (partition, env): ActorSpec<null, RecordMessage> => ({
    kind: 'mortal',
    supervision: { budget: { maxRestarts: 0, withinMs: 60000 } },
    init: () => null,
    receive: async (state, message, ctx) => {
      const input = JSON.parse(message.record.value.toString()) as Input;
      if (input.dieIfExists && existsSync(input.dieIfExists)) {
        unlinkSync(input.dieIfExists);
        // Not the record's fault: the consumer keeps it and tries again.
        throw new UnavailableError('MORTAL', `partition ${partition} actor dies`);
      }
      await env.writer.append({ topic: env.topics.messages, key: String(input.i), value: JSON.stringify({ i: input.i, partition }) });
      ctx.reply(undefined);
      return state;
    },
  }),
};
