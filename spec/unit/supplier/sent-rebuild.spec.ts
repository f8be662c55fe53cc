import { strict as assert } from 'node:assert';
import { SentRebuild } from '../../../src/actors/supplier/sent-rebuild.js';
import type { CorrelationJournalEntry } from '../../../src/redis/stores/correlation-store.js';

const NOW = 10_000_000;
function entry(provider: string, providerMessageId: string, messageId: string, submittedAt: number, providerParts?: number): CorrelationJournalEntry {
  return {
    provider, providerMessageId,
    record: {
      messageId, customer: 'c', source: { ton: 0, npi: 0, addr: 'S' }, destination: { ton: 1, npi: 1, addr: '44' }, registeredDelivery: 1, submittedAt,
      ...(providerParts === undefined ? {} : { providerParts }),
    },
  };
}

describe('sent memory rebuilt from the correlations journal', () => {
  it('settles a single-part message from its one correlation, with what is left of the hour', () => {
    const r = new SentRebuild(3600, NOW);
    assert.deepEqual(r.add([entry('p', 'x1', 'm1', NOW - 600_000, 1), entry('p', 'x0', 'm0', NOW - 1000)]), [
      { provider: 'p', messageId: 'm1', value: { providerMessageIds: ['x1'], at: NOW - 600_000 }, ttlSeconds: 3000 },
      { provider: 'p', messageId: 'm0', value: { providerMessageIds: ['x0'], at: NOW - 1000 }, ttlSeconds: 3599 },
    ], 'records written before parts were counted are one part');
    assert.deepEqual(r.rest(), []);
  });

  it('settles a multi-part message once all its parts came, in any order and across batches', () => {
    const r = new SentRebuild(3600, NOW);
    assert.deepEqual(r.add([entry('p', 'x3', 'm', NOW - 5000, 3), entry('p', 'x1', 'm', NOW - 5000, 3)]), []);
    assert.deepEqual(r.add([entry('p', 'x1', 'm', NOW - 5000, 3)]), [], 'a part seen twice counts once');
    const done = r.add([entry('p', 'x2', 'm', NOW - 4000, 3)]);
    assert.deepEqual(done.map((d) => [d.messageId, d.value]), [['m', { providerMessageIds: ['x3', 'x1', 'x2'], at: NOW - 4000 }]]);
    assert.deepEqual(r.rest(), []);
  });

  it('leaves a message the provider took only some parts of as partial, to resume after them', () => {
    const r = new SentRebuild(3600, NOW);
    r.add([entry('p', 'x1', 'm', NOW - 5000, 2), entry('q', 'y1', 'm', NOW - 5000, 2)]);
    assert.deepEqual(r.rest(), [
      { provider: 'p', messageId: 'm', value: { partial: { providerMessageIds: ['x1'], parts: 2 }, at: NOW - 5000 }, ttlSeconds: 3595 },
      { provider: 'q', messageId: 'm', value: { partial: { providerMessageIds: ['y1'], parts: 2 }, at: NOW - 5000 }, ttlSeconds: 3595 },
    ], 'per provider: a message handed on to another provider is two entries');
    assert.deepEqual(r.rest(), [], 'told once');
  });

  it('skips what the sent memory would have forgotten by now', () => {
    const r = new SentRebuild(3600, NOW);
    assert.deepEqual(r.add([entry('p', 'x1', 'old', NOW - 3_600_000), entry('p', 'x2', 'older', NOW - 7_200_000, 2)]), []);
    assert.deepEqual(r.rest(), []);
  });
});
