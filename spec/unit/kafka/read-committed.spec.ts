import { strict as assert } from 'node:assert';
import { filterAbortedRecords, readCommittedFixInstalled, type FetchedRecord } from '../../../src/kafka/kafkajs.js';

const rec = (offset: number, producerId: string, control?: 'abort' | 'commit'): FetchedRecord => ({
  offset: String(offset),
  key: control ? Buffer.from([0, 0, 0, control === 'abort' ? 0 : 1]) : Buffer.from('k'),
  isControlRecord: control !== undefined,
  batchContext: { producerId, inTransaction: true },
});
const data = (rs: FetchedRecord[]) => rs.filter((r) => !r.isControlRecord).map((r) => `${r.batchContext.producerId}@${r.offset}`);

describe('kafkajs read_committed fix: records of aborted transactions are never handed out', () => {
  // The layout seen on a real partition: producer 717 began first but was aborted last, so the
  // broker listed its aborted transaction after 715's.
  const log = [rec(20, '717'), rec(21, '717'), rec(22, '719', 'commit'), rec(27, '715'), rec(28, '715'), rec(30, '720'), rec(31, '720', 'commit'), rec(40, '715', 'abort'), rec(41, '717', 'abort'), rec(42, '717')];
  const aborted = [{ producerId: '715', firstOffset: '27' }, { producerId: '717', firstOffset: '20' }];

  it('drops every aborted record whatever order the broker lists the aborted transactions in', () => {
    assert.deepEqual(data(filterAbortedRecords({ messages: log, abortedTransactions: aborted })), ['720@30', '717@42']);
    assert.deepEqual(data(filterAbortedRecords({ messages: log, abortedTransactions: [...aborted].reverse() })), ['720@30', '717@42']);
  });

  it('a transaction that began before the fetched range is still recognised', () => {
    const fromMiddle = log.filter((r) => Number(r.offset) >= 21);
    assert.deepEqual(data(filterAbortedRecords({ messages: fromMiddle, abortedTransactions: aborted })), ['720@30', '717@42']);
  });

  it('keeps everything when nothing was aborted', () => {
    assert.equal(filterAbortedRecords({ messages: log, abortedTransactions: [] }).length, log.length);
  });

  it('is the filter the loaded kafkajs consumer uses', () => {
    assert.equal(readCommittedFixInstalled(), true);
  });
});
