/**
 * Setting a record aside: the dead-letter topic gets the record as it was read, with its
 * origin and the error in headers; the message's lifecycle gets a `dead_lettered` event when
 * its id can be read, and the stage may add a failed receipt owed to the customer. All of it
 * is one acks=all append, so a dead letter is never committed past without being written.
 */
import { deadLetterRecord } from '../kafka/dead-letters.js';
import type { StageRecord } from '../kafka/stage-consumer.js';
import type { OutRecord } from '../kafka/writer.js';
import { encodeRecord } from '../domain/records.js';
import { lifecycleEvent } from '../domain/lifecycle.js';
import { errorCode, errorMessage } from '../errors.js';
import type { DeadLetterOutcome, StageEnv } from './stage.js';

interface DeadLetterSource {
  readonly name: string;
  deadLettered?(record: StageRecord, env: StageEnv): DeadLetterOutcome;
}

export function deadLetterWriter(stage: DeadLetterSource, env: StageEnv): (record: StageRecord, error: unknown, attempts: number) => Promise<void> {
  return async (record, error, attempts) => {
    await env.writer.append(deadLetterOutputs(stage, env, record, error, attempts));
  };
}

/** Every record that setting `record` aside writes (pure but for the clock). */
export function deadLetterOutputs(stage: DeadLetterSource, env: Pick<StageEnv, 'topics' | 'nodeId' | 'log'> & StageEnv, record: StageRecord, error: unknown, attempts: number): OutRecord[] {
  let outcome: DeadLetterOutcome;
  try {
    outcome = stage.deadLettered ? stage.deadLettered(record, env) : { messageId: messageIdIn(record.value), outputs: [] };
  } catch (err) {
    // The record is bad enough that its own stage cannot say more about it: set it aside as is.
    env.log.debug('dead letter without extra outputs', { stage: stage.name, error: errorMessage(err) });
    outcome = { messageId: messageIdIn(record.value), outputs: [] };
  }
  const at = Date.now();
  const out: OutRecord[] = [deadLetterRecord(env.topics.deadLetters, {
    topic: record.topic, partition: record.partition, offset: record.offset, key: record.key, value: record.value,
    stage: stage.name, node: env.nodeId, error: errorMessage(error), errorCode: errorCode(error), at, attempts,
    messageId: outcome.messageId,
  })];
  if (outcome.messageId !== null) {
    const ev = lifecycleEvent(outcome.messageId, 'dead_lettered', env.nodeId, {
      stage: stage.name, topic: record.topic, partition: record.partition, offset: record.offset, error: errorMessage(error).slice(0, 200),
    }, at);
    out.push({ topic: env.topics.events, key: outcome.messageId, value: encodeRecord(ev) });
  }
  out.push(...outcome.outputs);
  return out;
}

/** The gateway message id a stage record carries, by the shapes the stages write; null when unreadable. */
export function messageIdIn(value: Buffer): string | null {
  let v: unknown;
  try {
    v = JSON.parse(value.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as { id?: unknown; messageId?: unknown; message?: { id?: unknown } };
  for (const c of [o.id, o.messageId, o.message?.id]) if (typeof c === 'string' && c.length > 0 && c.length <= 64) return c;
  return null;
}
