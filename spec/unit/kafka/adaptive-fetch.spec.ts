import { strict as assert } from 'node:assert';
import { IDLE_WAIT_MS, installAdaptiveFetch, nextFetchParameters } from '../../../src/kafka/adaptive-fetch.js';
import { adaptiveFetchActive } from '../../../src/kafka/kafkajs.js';

/** Stands in for kafkajs's ConsumerGroup: records what each fetch asked, answers from a script. */
class FakeGroup {
  asked: { minBytes: number; maxWaitTime: number; nodeId: number }[] = [];
  answers: boolean[][] = [];
  constructor(public minBytes: number, public maxWaitTime: number) {}
  fetch(nodeId: number): Promise<{ isEmptyIncludingFiltered(): boolean }[]> {
    this.asked.push({ minBytes: this.minBytes, maxWaitTime: this.maxWaitTime, nodeId });
    const batches = (this.answers.shift() ?? []).map((empty) => ({ isEmptyIncludingFiltered: () => empty }));
    return Promise.resolve(batches);
  }
}
installAdaptiveFetch(FakeGroup as unknown as Parameters<typeof installAdaptiveFetch>[0]);

describe('kafka/adaptive-fetch', () => {
  it('is installed on the ConsumerGroup kafkajs uses', () => {
    assert.equal(adaptiveFetchActive(), true);
  });

  it('a batched member that found nothing waits for its first record; one that found records batches again', async () => {
    const g = new FakeGroup(16384, 50);
    // records, nothing, nothing, one record (a filtered batch counts as traffic too), records
    g.answers = [[false, true], [true], [], [true, false], [false]];
    for (let i = 0; i < 5; i++) await g.fetch(1);
    assert.deepEqual(g.asked.map((a) => [a.minBytes, a.maxWaitTime]), [
      [16384, 50], [16384, 50], [1, IDLE_WAIT_MS], [1, IDLE_WAIT_MS], [16384, 50],
    ]);
  });

  it('keeps each broker apart: one broker quiet does not slow the fetches from a busy one', async () => {
    const g = new FakeGroup(16384, 50);
    g.answers = [[true], [false], [true], [false]];
    await g.fetch(1); // broker 1: nothing
    await g.fetch(2); // broker 2: records
    await g.fetch(1);
    await g.fetch(2);
    assert.deepEqual(g.asked.map((a) => [a.nodeId, a.minBytes]), [[1, 16384], [2, 16384], [1, 1], [2, 16384]]);
  });

  it('leaves a member that asked for minBytes 1 as it is', () => {
    assert.deepEqual(nextFetchParameters({ minBytes: 1, maxWaitTime: 100 }, true), { minBytes: 1, maxWaitTime: 100 });
    assert.deepEqual(nextFetchParameters({ minBytes: 16384, maxWaitTime: 50 }, false), { minBytes: 16384, maxWaitTime: 50 });
    assert.deepEqual(nextFetchParameters({ minBytes: 16384, maxWaitTime: 900 }, true), { minBytes: 1, maxWaitTime: 900 });
  });
});
