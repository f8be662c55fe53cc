/**
 * The assembler stage: customer-incoming-message-parts → whole messages, exactly once.
 *
 * Each input partition is one exactly-once actor (src/runtime/exactly-once-mailbox.ts): its
 * state is restored from the same-numbered partition of the compacted changelog, and every
 * batch's whole messages (customer-incoming-messages, key = message id), failed receipts
 * (customer-outgoing-deliveries, key = customer), lifecycle events (message-events) and
 * changelog writes commit in one transaction with the input offsets. The aggregation itself is
 * the pure logic of assembly.ts; this file only decodes records and addresses outputs.
 *
 * Time: a part is applied at its record's timestamp (set when the session wrote it), never at
 * the wall clock, so a batch replayed after a crash on the restored state writes the same
 * records. The periodic tick closes messages past their timeout at the wall clock; what it
 * closes commits with its changelog writes, so a replay starts from its result or not at all.
 *
 * State is updated in place (assembly.ts explains why): the stage contract allows it because
 * the mailbox never reuses a state whose transaction did not commit (see `ExactlyOnceStage`).
 */
import type { ExactlyOnceStage, StageEnv } from '../../host/stage.js';
import type { StageRecord } from '../../kafka/stage-consumer.js';
import type { OutRecord } from '../../kafka/writer.js';
import type { Topics } from '../../kafka/topics.js';
import { decodeRecord, encodeRecord, type PartRecord } from '../../domain/records.js';
import { errorMessage, RecordError } from '../../errors.js';
import { deadLetterRecord } from '../../kafka/dead-letters.js';
import { eventRecord } from '../event-record.js';
import { applyPart, emptyState, expire, restore, type AssemblyState } from './assembly.js';
import type { ChangelogRecord } from './changelog.js';
import { resolveAssemblerOptions, type AssemblerOptions } from './options.js';
import type { AssemblyOutput } from './outputs.js';

export interface AssemblerState {
  readonly partition: number;
  readonly options: Readonly<AssemblerOptions>;
  /**
   * Changelog values read during restore, latest per key (decoded, unchecked); folded into
   * `assembly` (and dropped) by the first batch or tick, when restore is known to be over.
   */
  restored: Map<string, unknown> | null;
  assembly: AssemblyState;
}

export const stage: ExactlyOnceStage<AssemblerState> = {
  kind: 'exactly-once',
  name: 'assembler',
  topic: (t) => t.messageParts,
  changelogTopic: (t) => t.assemblerChangelog,
  init: (partition, env) => {
    const { checkIntervalMs: _every, ...options } = env.config.assembler;
    return { partition, options: resolveAssemblerOptions({ ...options, nodeId: env.nodeId }), restored: new Map(), assembly: emptyState() };
  },
  restore: (state, key, value) => {
    if (value === null) state.restored!.delete(key);
    else state.restored!.set(key, JSON.parse(value.toString('utf8')));
    return state;
  },
  process: (state, records, env) => processBatch(state, records, env),
  tick: {
    everyMs: (config) => config.assembler.checkIntervalMs,
    run: (state, now, env) => {
      const assembly = ready(state);
      const outputs: OutRecord[] = [];
      addressed(expire(assembly, now, state.options).outputs, state.partition, env.topics, outputs);
      return { state, outputs };
    },
  },
};

/** One batch of one partition: each part applied at its record's timestamp, in offset order. */
export function processBatch(state: AssemblerState, records: readonly StageRecord[], env: Pick<StageEnv, 'topics' | 'log'>): { state: AssemblerState; outputs: OutRecord[] } {
  const assembly = ready(state);
  const outputs: OutRecord[] = [];
  for (const r of records) {
    const part = decodePart(r);
    if (part instanceof RecordError) {
      // A record that is not a part can never be assembled: it goes to the dead letters in this
      // batch's transaction (decoding gives the same answer on every try, so none is spent).
      env.log.warn('not a message part; dead-lettered', { partition: r.partition, offset: r.offset, error: part.message });
      outputs.push(deadLetterRecord(env.topics.deadLetters, {
        topic: r.topic, partition: r.partition, offset: r.offset, key: r.key, value: r.value, stage: 'assembler',
        node: state.options.nodeId, error: part.message, errorCode: part.code, at: r.timestamp, attempts: 1, messageId: null,
      }));
      continue;
    }
    addressed(applyPart(assembly, part, r.timestamp, state.options).outputs, r.partition, env.topics, outputs);
  }
  return { state, outputs };
}

/** The restored state, built from the changelog values on first use. */
function ready(state: AssemblerState): AssemblyState {
  if (state.restored) {
    const values = state.restored;
    state.restored = null;
    state.assembly = restore(changelogRecords(values));
  }
  return state.assembly;
}

function* changelogRecords(values: Map<string, unknown>): Iterable<ChangelogRecord> {
  for (const [key, value] of values) yield { key, value: value as ChangelogRecord['value'] };
}

function decodePart(r: StageRecord): PartRecord | RecordError {
  try {
    const p = decodeRecord<PartRecord>(r.value);
    if (typeof p === 'object' && p !== null && typeof p.customer === 'string' && typeof p.partId === 'string' && typeof p.body === 'string'
      && typeof p.source?.addr === 'string' && typeof p.destination?.addr === 'string') return p;
    return new RecordError('RECORD_INVALID', 'not a message part: customer, partId, body, source.addr and destination.addr are required');
  } catch (err) {
    return new RecordError('RECORD_UNDECODABLE', `undecodable message part: ${errorMessage(err)}`, err);
  }
}

/**
 * Each output as a Kafka record. Changelog writes go to the input's partition number: that is
 * the partition this actor restores from, whatever the partitioner would pick for the key.
 */
export function addressed(outputs: readonly AssemblyOutput[], partition: number, topics: Topics, into: OutRecord[]): OutRecord[] {
  for (const o of outputs) {
    switch (o.kind) {
      case 'message':
        into.push({ topic: topics.messages, key: o.key, value: encodeRecord(o.message) });
        break;
      case 'receipt':
        into.push({ topic: topics.deliveries, key: o.key, value: encodeRecord(o.receipt) });
        break;
      case 'event':
        into.push(eventRecord(topics, o.event));
        break;
      case 'changelog':
        into.push({ topic: topics.assemblerChangelog, key: o.key, value: o.value === null ? null : JSON.stringify(o.value), partition });
        break;
    }
  }
  return into;
}
