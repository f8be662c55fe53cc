import { strict as assert } from 'node:assert';
import { CYCLE_S, schedule } from '../../../scripts/faults/schedule.js';
import { duplicates, judge, type Observed } from '../../../scripts/faults/accounting.js';

describe('fault harness: schedule', () => {
  it('the short form has each kind of fault once (a node killed twice), and every kill is followed by its restart', () => {
    const s = schedule(140, 3);
    const kinds = s.map((f) => f.fault.kind);
    for (const k of ['kill-node', 'restart-node', 'kill-broker', 'restart-broker', 'restart-redis', 'drop-provider']) assert.ok(kinds.includes(k as never), k);
    for (const f of s) {
      if (f.fault.kind === 'kill-node') {
        const node = f.fault.node;
        assert.ok(s.some((g) => g.fault.kind === 'restart-node' && g.fault.node === node && g.atS > f.atS));
      }
      if (f.fault.kind === 'kill-broker') {
        const broker = f.fault.broker;
        assert.ok(s.some((g) => g.fault.kind === 'restart-broker' && g.fault.broker === broker && g.atS > f.atS));
      }
    }
    assert.ok(s.every((f) => f.atS < CYCLE_S));
  });

  it('never kills node 0, and the long form repeats the cycle over other nodes', () => {
    const s = schedule(CYCLE_S * 4, 3);
    const killed = s.filter((f) => f.fault.kind === 'kill-node').map((f) => (f.fault as { node: number }).node);
    assert.equal(killed.length, 8);
    assert.ok(!killed.includes(0));
    assert.deepEqual([...new Set(killed)].sort(), [1, 2]);
    assert.throws(() => schedule(100, 1), RangeError);
  });
});

describe('fault harness: accounting', () => {
  const base: Observed = {
    accepted: 100, receiptsMissing: 0, receiptsDuplicated: 0, receiptsUnknown: 0, submitsUnanswered: 0,
    wholeMessageKeys: ['a', 'b'], submittedIds: ['a', 'b'], providerSubmits: 2, inFlightBound: 20, recoveriesMs: [12000, 9000],
  };

  it('counts repeats', () => {
    assert.equal(duplicates(['a', 'b', 'a', 'a', 'c']), 2);
    assert.equal(duplicates([]), 0);
  });

  it('passes a clean run and reports the slowest recovery', () => {
    const v = judge(base);
    assert.equal(v.ok, true);
    assert.equal(v.maxRecoveryMs, 12000);
  });

  it('fails on a lost message, on a duplicate whole message, and on provider duplicates beyond what was in flight', () => {
    assert.equal(judge({ ...base, receiptsMissing: 1 }).ok, false);
    assert.equal(judge({ ...base, wholeMessageKeys: ['a', 'a'] }).ok, false);
    assert.equal(judge({ ...base, submittedIds: ['a', 'a', 'b', 'b'], inFlightBound: 2 }).ok, true);
    const v = judge({ ...base, submittedIds: ['a', 'a', 'b', 'b', 'c', 'c'], inFlightBound: 2 });
    assert.equal(v.ok, false);
    assert.match(v.reasons.join(), /3 duplicates towards providers/);
    assert.equal(judge({ ...base, accepted: 0 }).ok, false);
  });
});
