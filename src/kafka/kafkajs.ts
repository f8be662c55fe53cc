/**
 * kafkajs, loaded with a fix to its read_committed filtering. Every module of the gateway takes
 * kafkajs from here (type-only imports excepted), so the fix is in place before kafkajs loads.
 *
 * The bug (kafkajs 2.2.4, src/consumer/filterAbortedMessages.js): a fetch response lists the
 * aborted transactions overlapping the fetched range in the order their abort markers were
 * written, not by first offset, and kafkajs assumes first-offset order and activates at most
 * one aborted transaction per record. So when a later-starting transaction was aborted first
 * (or two start before the first fetched record), records of an aborted transaction are handed
 * out as committed. Seen here: a partition owner killed mid-transaction, its open transactions
 * aborted when the new owner fenced them, and a read_committed reader still got their records.
 * The Java client orders them by first offset and activates every one reached; so does this.
 */
import { createRequire } from 'node:module';
import { createSendMessages } from './send-messages.js';
import { adaptiveFetchInstalled, installAdaptiveFetch } from './adaptive-fetch.js';

const require = createRequire(import.meta.url);

export interface AbortedTransaction {
  producerId: string | number;
  firstOffset: string | number;
}

export interface FetchedRecord {
  offset: string;
  key?: Buffer | null;
  isControlRecord?: boolean;
  batchContext: { producerId: string | number; inTransaction: boolean };
}

const ABORT_MARKER_KEY = Buffer.from([0, 0, 0, 0]);

/** The records of a fetched range that belong to no aborted transaction (control records kept). */
export function filterAbortedRecords<R extends FetchedRecord>({ messages, abortedTransactions }: { messages: R[]; abortedTransactions?: AbortedTransaction[] | null }): R[] {
  if (!abortedTransactions || abortedTransactions.length === 0) return messages;
  const pending = [...abortedTransactions].sort((a, b) => compareOffsets(a.firstOffset, b.firstOffset));
  const aborted = new Set<string>();
  let next = 0;
  return messages.filter((m) => {
    while (next < pending.length && compareOffsets(m.offset, pending[next]!.firstOffset) >= 0) aborted.add(String(pending[next++]!.producerId));
    const producer = String(m.batchContext.producerId);
    if (m.isControlRecord || isAbortMarker(m)) {
      // The abort marker ends that producer's aborted transaction; its later ones may commit.
      if (isAbortMarker(m)) aborted.delete(producer);
      return true;
    }
    return !(m.batchContext.inTransaction && aborted.has(producer));
  });
}

function isAbortMarker(m: FetchedRecord): boolean {
  return m.isControlRecord === true && !!m.key && Buffer.from(m.key).equals(ABORT_MARKER_KEY);
}

function compareOffsets(a: string | number, b: string | number): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Puts `exports` in place of a kafkajs module before kafkajs requires it (it binds them at load time). */
function replaceModule(path: string, exports: unknown): string {
  const resolved = require.resolve(path);
  if (!require.cache[resolved]) {
    require.cache[resolved] = { id: resolved, filename: resolved, loaded: true, exports, children: [], paths: [], path: resolved } as unknown as NodeJS.Module;
  }
  return resolved;
}

replaceModule('kafkajs/src/consumer/filterAbortedMessages.js', filterAbortedRecords);
// The producer's send, for the retry fixes in send-messages.ts.
const sendMessagesPath = replaceModule('kafkajs/src/producer/sendMessages.js', createSendMessages);

// Idle stage members wait for their first record instead of polling (adaptive-fetch.ts).
// eslint-disable-next-line @typescript-eslint/no-unsafe-argument
installAdaptiveFetch(require('kafkajs/src/consumer/consumerGroup.js'));

// eslint-disable-next-line @typescript-eslint/consistent-type-imports
export const kafkajs = require('kafkajs') as typeof import('kafkajs');

/** Whether kafkajs's consumer groups fetch adaptively. */
export function adaptiveFetchActive(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-argument
  return adaptiveFetchInstalled(require('kafkajs/src/consumer/consumerGroup.js'));
}

/** Whether the producer kafkajs loaded sends with the fixed retry (false if kafkajs was loaded before this module). */
export function sendFixInstalled(): boolean {
  return require(sendMessagesPath) === createSendMessages;
}

/** Whether the consumer kafkajs loaded uses the fixed filter (false if kafkajs was loaded before this module). */
export function readCommittedFixInstalled(): boolean {
  const batch = require('kafkajs/src/consumer/batch.js') as new (topic: string, offset: string, data: unknown) => { messages: FetchedRecord[] };
  const probe = new batch('t', '0', {
    partition: 0, highWatermark: '3',
    abortedTransactions: [{ producerId: '2', firstOffset: '1' }, { producerId: '1', firstOffset: '0' }],
    messages: [
      { offset: '0', key: null, isControlRecord: false, batchContext: { producerId: '1', inTransaction: true } },
      { offset: '1', key: null, isControlRecord: false, batchContext: { producerId: '2', inTransaction: true } },
    ],
  });
  return probe.messages.length === 0;
}
