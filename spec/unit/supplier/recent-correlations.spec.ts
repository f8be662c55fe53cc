import { strict as assert } from 'node:assert';
import { RecentCorrelations } from '../../../src/actors/supplier/recent-correlations.js';
import type { CorrelationRecord } from '../../../src/domain/records.js';

const record = (id: string): CorrelationRecord => ({
  messageId: id, customer: 'acme', source: { ton: 5, npi: 0, addr: 'ACME' }, destination: { ton: 1, npi: 1, addr: '447700900001' },
  registeredDelivery: 1, submittedAt: 0,
});

describe('RecentCorrelations: the supplier\'s own correlations, in memory', () => {
  it('finds a correlation by any candidate id of its provider, and tells a stat already handled', () => {
    const r = new RecentCorrelations();
    r.remember('sim', 'ABC123', record('m1'));
    assert.equal(r.find('other', ['ABC123'], 'DELIVRD'), undefined, 'another provider\'s id');
    const hit = r.find('sim', ['zzz', 'abc123'], 'DELIVRD');
    assert.equal(hit?.record.messageId, 'm1', 'the canonical spelling of the id');
    assert.equal(hit.handled, false);
    hit.markHandled();
    assert.equal(r.find('sim', ['ABC123'], 'DELIVRD')?.handled, true);
    assert.equal(r.find('sim', ['ABC123'], 'ENROUTE')?.handled, false, 'another outcome of the same message');
  });

  it('forgets the oldest beyond its count, and any past its age', () => {
    let now = 0;
    const r = new RecentCorrelations(2, 1000, () => now);
    r.remember('sim', 'a', record('a'));
    r.remember('sim', 'b', record('b'));
    r.remember('sim', 'c', record('c'));
    assert.equal(r.size, 2);
    assert.equal(r.find('sim', ['a'], 'DELIVRD'), undefined);
    assert.equal(r.find('sim', ['c'], 'DELIVRD')?.record.messageId, 'c');
    now = 1500;
    assert.equal(r.find('sim', ['c'], 'DELIVRD'), undefined, 'older than its age');
    r.remember('sim', 'd', record('d'));
    assert.equal(r.size, 1, 'the stale ones evicted');
  });
});
