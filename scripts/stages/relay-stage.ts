/**
 * A stateless exactly-once stage for benchmarks: reads the parts topic, transforms each record
 * (parse, stamp, re-serialize) and writes it to the messages topic, in one transaction with
 * the input offsets. It measures the runtime's consume-transform-produce path, not a gateway
 * stage's own logic.
 */
import type { ExactlyOnceStage } from '../../src/host/stage.js';
import type { OutRecord } from '../../src/kafka/writer.js';

export const stage: ExactlyOnceStage<null> = {
  kind: 'exactly-once',
  name: 'relay',
  topic: (t) => t.messageParts,
  init: () => null,
  restore: (state) => state,
  process: (state, records, env) => {
    const outputs: OutRecord[] = records.map((r) => {
      const value = JSON.parse(r.value.toString()) as Record<string, unknown>;
      value.relayedBy = env.workerIndex;
      return { topic: env.topics.messages, key: r.key ?? '', value: JSON.stringify(value) };
    });
    return { state, outputs };
  },
};
