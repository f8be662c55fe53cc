import { strict as assert } from 'node:assert';
import { CYCLE_S, schedule } from '../../../scripts/faults/schedule.js';
import { duplicates, inFlightAt, judge, routedKey, submitKey, type Observed } from '../../../scripts/faults/accounting.js';
import { byKind, disruptedSeconds, median, perSecond } from '../../../scripts/faults/disruption.js';

describe('fault harness: schedule', () => {
  it('the short form has each kind of fault once (a node killed twice), and every kill is followed by its restart', () => {
    const s = schedule(140, 3);
    const kinds = s.map((f) => f.fault.kind);
    for (const k of ['kill-node', 'restart-node', 'kill-broker', 'restart-broker', 'restart-redis', 'drop-provider', 'pause-node', 'resume-node',
      'pause-broker', 'resume-broker', 'slow-provider', 'refuse-binds', 'provider-normal']) assert.ok(kinds.includes(k as never), k);
    for (const f of s) {
      if (f.fault.kind === 'kill-node') {
        const node = f.fault.node;
        assert.ok(s.some((g) => g.fault.kind === 'restart-node' && g.fault.node === node && g.atS > f.atS));
      }
      if (f.fault.kind === 'kill-broker') {
        const broker = f.fault.broker;
        assert.ok(s.some((g) => g.fault.kind === 'restart-broker' && g.fault.broker === broker && g.atS > f.atS));
      }
      if (f.fault.kind === 'pause-node') {
        const node = f.fault.node;
        const resume = s.find((g) => g.fault.kind === 'resume-node' && g.fault.node === node && g.atS > f.atS);
        // Past the Kafka session (10 s) and the send claims (10 s): its partitions move.
        assert.ok(resume && resume.atS - f.atS > 20, 'a pause outlasts the session and the claims');
      }
      if (f.fault.kind === 'pause-broker') {
        const broker = f.fault.broker;
        assert.ok(s.some((g) => g.fault.kind === 'resume-broker' && g.fault.broker === broker && g.atS > f.atS));
      }
      if (f.fault.kind === 'slow-provider' || f.fault.kind === 'refuse-binds') {
        const provider = f.fault.provider;
        assert.ok(s.some((g) => g.fault.kind === 'provider-normal' && g.fault.provider === provider && g.atS > f.atS));
      }
    }
    assert.ok(s.every((f) => f.atS < CYCLE_S));
  });

  it('never kills node 0, and the long form repeats the cycle over other nodes', () => {
    const s = schedule(CYCLE_S * 4, 3);
    const killed = s.filter((f) => f.fault.kind === 'kill-node').map((f) => (f.fault as { node: number }).node);
    assert.equal(killed.length, 8);
    assert.ok(!killed.includes(0));
    const paused = s.filter((f) => f.fault.kind === 'pause-node').map((f) => (f.fault as { node: number }).node);
    assert.equal(paused.length, 4);
    assert.ok(!paused.includes(0), 'node 0 keeps serving through the pauses too');
    assert.deepEqual([...new Set(killed)].sort(), [1, 2]);
    assert.throws(() => schedule(100, 1), RangeError);
  });
});

describe('fault harness: accounting', () => {
  const base: Observed = {
    accepted: 100, receiptsMissing: 0, receiptsDuplicated: 0, receiptsUnknown: 0, submitsUnanswered: 0,
    wholeMessageKeys: ['a', 'b'], submittedIds: ['a', 'b'], providerSubmitKeys: ['a', null, 'b'], inFlight: 20, recoveriesMs: [12000, 9000],
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
    assert.equal(judge({ ...base, providerSubmitKeys: ['a', 'a', null, null, 'b', 'b'], inFlight: 2 }).ok, true);
    const v = judge({ ...base, providerSubmitKeys: ['a', 'a', 'b', 'b', 'c', 'c'], inFlight: 2 });
    assert.equal(v.ok, false);
    assert.match(v.reasons.join(), /3 duplicates towards providers, more than the 2 in flight/);
    assert.equal(judge({ ...base, submittedIds: ['a', 'a'] }).submittedTwice, 1);
    assert.equal(judge({ ...base, accepted: 0 }).ok, false);
  });
});

describe('fault harness: what was in flight to providers', () => {
  const text = Buffer.from('Hello world, this is a long enough text to be cut into parts');
  const udh = (seq: number) => Buffer.from([0x05, 0x00, 0x03, 0x2a, 0x02, seq]);

  it('a message is known at the provider by the destination of its first part', () => {
    const single = submitKey({ destination_addr: '447700900001', esm_class: 0, short_message: text });
    assert.equal(single, '447700900001');
    assert.equal(submitKey({ destination_addr: '447700900001', esm_class: 0x40, short_message: Buffer.concat([udh(1), text.subarray(0, 30)]) }), single);
    assert.equal(submitKey({ destination_addr: '447700900001', esm_class: 0x40, short_message: Buffer.concat([udh(2), text.subarray(30)]) }), null);
    assert.equal(submitKey({ destination_addr: '447700900001', esm_class: 0, message_payload: text, sar_msg_ref_num: 7, sar_total_segments: 2, sar_segment_seqnum: 2 }), null);
    assert.equal(routedKey({ destination: { addr: '447700900001' } }), single);
  });

  it('counts what a provider took before the crash and the supplier had not committed', () => {
    const routed = [
      { partition: 0, offset: 9n, key: 'a' }, { partition: 0, offset: 10n, key: 'b' }, { partition: 0, offset: 11n, key: 'c' },
      { partition: 1, offset: 0n, key: 'd' },
    ];
    const submits = [{ key: 'a', at: 100 }, { key: 'b', at: 100 }, { key: 'c', at: 300 }, { key: 'd', at: 150 }, { key: null, at: 100 }];
    // a committed; b sent, not committed; c sent after the crash; d sent, nothing committed in partition 1.
    assert.equal(inFlightAt({ at: 200, committed: new Map([[0, 10n]]) }, routed, submits), 2);
    assert.equal(inFlightAt({ at: 200, committed: new Map([[0, 12n], [1, 1n]]) }, routed, submits), 0);
  });
});

describe('fault harness: disruption of the flow', () => {
  it('counts events per second from the start of the load', () => {
    assert.deepEqual(perSecond([1000, 1500, 1999, 2000, 4999, 900, 6000], 1000, 5), [3, 1, 0, 1, 0]);
  });

  it('measures the seconds until the flow holds at 80 % of the usual rate again', () => {
    const counts = [10, 10, 10, 2, 0, 0, 5, 9, 10, 10, 10, 10];
    assert.equal(median(counts), 10);
    assert.equal(disruptedSeconds(counts, 3, 10), 4, 'back at second 7 (three seconds at ≥ 8)');
    assert.equal(disruptedSeconds(counts, 0, 10), 0, 'a fault that changed nothing');
    assert.equal(disruptedSeconds([10, 0, 0, 0], 1, 10), null, 'never back within the run');
    assert.equal(disruptedSeconds([10, 9, 0, 9, 9, 9], 1, 10, { hold: 3 }), 2, 'a single good second is not enough');
  });

  it('summarises per kind; a fault never recovered makes its kind unknown', () => {
    assert.deepEqual(byKind([
      { kind: 'kill-node', disruptedS: 12 }, { kind: 'kill-node', disruptedS: 8 }, { kind: 'kill-node', disruptedS: 20 },
      { kind: 'restart-redis', disruptedS: 0 }, { kind: 'pause-broker', disruptedS: null },
    ]), [
      { kind: 'kill-node', count: 3, medianS: 12, maxS: 20 },
      { kind: 'restart-redis', count: 1, medianS: 0, maxS: 0 },
      { kind: 'pause-broker', count: 1, medianS: null, maxS: null },
    ]);
  });
});
