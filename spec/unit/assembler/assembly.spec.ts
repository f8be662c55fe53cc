import { strict as assert } from 'node:assert';
import { partKey } from '../../../src/domain/records.js';
import { GatewayError } from '../../../src/errors.js';
import { applyPart, emptyState, restore } from '../../../src/actors/assembler/assembly.js';
import { REJECT_ERR } from '../../../src/actors/assembler/outputs.js';
import { Driver, decoded, events, message, messages, opts, part, receipts, roundTrip, text, writes } from './support.js';

describe('assembler: aggregation', () => {
  it('joins the parts in order into one message keyed by part 1\'s id, without the UDHI bit', () => {
    const d = new Driver();
    const [p1, p2, p3] = message(7, 3, { esmClass: 0x43 });
    const early = d.feed(p1!, p2!);
    assert.deepEqual(messages(early), []);
    const out = d.feed(p3!);
    const [m] = messages(out);
    assert.ok(m);
    assert.equal(decoded(m), '[7:1][7:2][7:3]');
    assert.deepEqual(m.partIds, [p1!.partId, p2!.partId, p3!.partId]);
    assert.equal(m.id, p1!.partId);
    assert.equal(m.esmClass, 0x03);
    assert.equal(m.incomplete, undefined);
    assert.equal(m.duplicatePartIds, undefined);
    assert.deepEqual(out.find((o) => o.kind === 'message')?.key, p1!.partId);
    assert.deepEqual(events(out, 'assembled').map((e) => e.messageId), [p1!.partId]);
  });

  it('takes the header fields (validity and schedule too) and udhOther from part 1, and acceptedAt from the earliest part', () => {
    const d = new Driver();
    const p2 = part({ ref: 1, total: 2, seq: 2, acceptedAt: 500, registeredDelivery: 0, serviceType: 'late', validUntil: 5000 });
    const p1 = part({ ref: 1, total: 2, seq: 1, acceptedAt: 900, registeredDelivery: 1, serviceType: 'CMT', udhOther: text('\x05\x04\x0b\x84\x23\xf0'), validUntil: 9000, scheduledAt: 2000 });
    const [m] = messages(d.feed(p2, p1));
    assert.equal(m?.serviceType, 'CMT');
    assert.equal(m?.validUntil, 9000);
    assert.equal(m?.scheduledAt, 2000);
    assert.equal(m?.registeredDelivery, 1);
    assert.equal(m?.udhOther, p1.udhOther);
    assert.equal(m?.acceptedAt, 500);
  });

  it('joins parts that come out of order in part order', () => {
    const d = new Driver();
    const [p1, p2, p3, p4] = message(9, 4);
    const [m] = messages(d.feed(p3!, p1!, p4!, p2!));
    assert.equal(m && decoded(m), '[9:1][9:2][9:3][9:4]');
    assert.deepEqual(m?.partIds, [p1!.partId, p2!.partId, p3!.partId, p4!.partId]);
  });

  it('keeps interleaved messages apart by customer, source, destination and reference', () => {
    const d = new Driver();
    const a = message(5, 2);
    const b = message(6, 2);
    const c = message(5, 2, { destination: { ton: 1, npi: 1, addr: '447700900002' } });
    const e = message(5, 2, { customer: 'other' });
    const f = message(5, 2, { source: { ton: 5, npi: 0, addr: 'SHOP' }, body: text('f') });
    const out = d.feed(a[0]!, b[1]!, c[0]!, e[1]!, f[0]!, b[0]!, a[1]!, e[0]!, f[1]!, c[1]!);
    const got = messages(out).map((m) => [m.customer, m.source.addr, m.destination.addr, m.partIds.join(',')]);
    assert.deepEqual(got, [
      ['acme', 'ACME', '447700900001', b.map((p) => p.partId).join(',')],
      ['acme', 'ACME', '447700900001', a.map((p) => p.partId).join(',')],
      ['other', 'ACME', '447700900001', e.map((p) => p.partId).join(',')],
      ['acme', 'SHOP', '447700900001', f.map((p) => p.partId).join(',')],
      ['acme', 'ACME', '447700900002', c.map((p) => p.partId).join(',')],
    ]);
    assert.equal(d.state.openCount, 0);
  });

  it('passes a total-1 part straight through, with no state and no changelog write', () => {
    const d = new Driver();
    const p = part({ ref: 3, total: 1, seq: 1, esmClass: 0x40, body: text('hello') });
    const out = d.feed(p);
    const [m] = messages(out);
    assert.deepEqual([m?.id, m && decoded(m), m?.partIds, m?.esmClass], [p.partId, 'hello', [p.partId], 0]);
    assert.deepEqual(writes(out), []);
    assert.equal(d.state.groups.size, 0);
  });

  describe('invalid parts', () => {
    const cases: [string, Parameters<typeof part>[0], string][] = [
      ['seq 0', { ref: 1, total: 3, seq: 0 }, 'invalid_seq'],
      ['seq > total', { ref: 1, total: 3, seq: 4 }, 'invalid_seq'],
      ['total 0', { ref: 1, total: 0, seq: 1 }, 'invalid_total'],
      ['total 256', { ref: 1, total: 256, seq: 1 }, 'invalid_total'],
      ['an 8-bit ref over 255', { ref: 256, total: 2, seq: 1, scheme: 'udh8' }, 'invalid_ref'],
      ['a 16-bit ref over 65535', { ref: 65536, total: 2, seq: 1, scheme: 'udh16' }, 'invalid_ref'],
    ];
    for (const [name, fields, reason] of cases) {
      it(`refuses ${name} with a REJECTD receipt and leaves the state alone`, () => {
        const d = new Driver();
        const p = part(fields);
        const out = d.feed(p);
        assert.deepEqual(receipts(out).map((r) => [r.messageId, r.stat, r.err, r.customer]), [[p.partId, 'REJECTD', REJECT_ERR.invalid, 'acme']]);
        assert.deepEqual(events(out, 'part_rejected').map((e) => [e.messageId, e.detail?.reason]), [[p.partId, reason]]);
        assert.deepEqual(messages(out), []);
        assert.deepEqual(writes(out), []);
        assert.equal(d.state.groups.size, 0);
      });
    }

    it('sends no receipt for an invalid part that did not ask for one', () => {
      const out = new Driver().feed(part({ ref: 1, total: 2, seq: 0, registeredDelivery: 0 }));
      assert.deepEqual(receipts(out), []);
      assert.equal(events(out, 'part_rejected').length, 1);
    });

    it('accepts a 16-bit ref of 65535 and SAR parts', () => {
      const d = new Driver();
      const out = d.feed(...message(65535, 2, { scheme: 'sar', esmClass: 0 }));
      assert.equal(messages(out).length, 1);
    });
  });

  describe('duplicates within an open message', () => {
    it('does not count a resent part twice and owes its id the message\'s receipt', () => {
      const d = new Driver();
      const [p1, p2, p3] = message(4, 3);
      const resent = { ...p2!, partId: 'resent-2', acceptedAt: 2_000 };
      const mid = d.feed(p1!, p2!, resent);
      assert.deepEqual(messages(mid), []);
      assert.deepEqual(events(mid, 'part_duplicate').map((e) => [e.messageId, e.detail?.sameAs]), [['resent-2', p2!.partId]]);
      const [m] = messages(d.feed(p3!));
      assert.equal(m && decoded(m), '[4:1][4:2][4:3]');
      assert.deepEqual(m?.partIds, [p1!.partId, p2!.partId, p3!.partId]);
      assert.deepEqual(m?.duplicatePartIds, ['resent-2']);
    });

    it('keeps the resent ids in the changelog so a restart does not lose them', () => {
      const d = new Driver();
      const [p1, p2, p3] = message(4, 3);
      d.feed(p1!, { ...p1!, partId: 'again-1' });
      const restored = restore(d.changelog);
      const step = applyPart(restored, p2!, d.now, d.options);
      const last = applyPart(step.state, p3!, d.now, d.options);
      assert.deepEqual(messages(last.outputs)[0]?.duplicatePartIds, ['again-1']);
    });
  });

  describe('a reference reused after its message completed', () => {
    it('starts a new message with the new parts, under a new id', () => {
      const d = new Driver();
      const first = message(200, 2);
      const again = message(200, 2).map((p) => ({ ...p, body: text(`new ${p.seq}`) }));
      const m1 = messages(d.feed(...first));
      const m2 = messages(d.feed(...again));
      assert.equal(m1.length, 1);
      assert.equal(m2.length, 1);
      assert.equal(m2[0] && decoded(m2[0]), 'new 1new 2');
      assert.notEqual(m2[0]?.id, m1[0]?.id);
    });

    it('is not lost when the new message shares a part with the old one (a fixed footer)', () => {
      const d = new Driver();
      const footer = text(' -- reply STOP to opt out');
      d.feed(part({ ref: 9, total: 2, seq: 1, body: text('Your code is 1111') }), part({ ref: 9, total: 2, seq: 2, body: footer }));
      const out = d.feed(part({ ref: 9, total: 2, seq: 2, body: footer }), part({ ref: 9, total: 2, seq: 1, body: text('Your code is 2222') }));
      assert.deepEqual(messages(out).map(decoded), ['Your code is 2222 -- reply STOP to opt out']);
    });

    it('does not send a message twice when every part is retransmitted, and reports each resend (REJECTD, err 005)', () => {
      const d = new Driver();
      const first = message(10, 2);
      const [m] = messages(d.feed(...first));
      const resent = first.map((p, i) => ({ ...p, partId: `again-${i + 1}` }));
      const out = d.feed(resent[1]!, resent[0]!, { ...resent[0]!, partId: 'again-again-1' });
      assert.deepEqual(messages(out), []);
      // The customer holds these ids: each gets a receipt saying it was not sent again.
      assert.deepEqual(receipts(out).map((r) => [r.messageId, r.stat, r.err]).sort(), [
        ['again-1', 'REJECTD', REJECT_ERR.duplicate], ['again-2', 'REJECTD', REJECT_ERR.duplicate],
      ]);
      assert.deepEqual(events(d.outputs, 'part_duplicate').map((e) => [e.messageId, e.detail?.duplicateOf]).sort(), [
        ['again-1', m!.id], ['again-2', m!.id],
      ]);
      // the resend completed the entry at once; the third copy opens a new marked entry that the timeout settles
      assert.equal(d.state.openCount, 1);
      const later = d.tick(60_000);
      assert.equal(d.state.openCount, 0);
      assert.deepEqual(messages(later), []);
      assert.deepEqual(receipts(later).map((r) => [r.messageId, r.err]), [['again-again-1', REJECT_ERR.duplicate]]);
      assert.deepEqual(events(later, 'part_duplicate').map((e) => [e.messageId, e.detail?.duplicateOf]), [['again-again-1', m!.id]]);
    });

    it('settles a late resend of one part as a duplicate of the old message: nothing sent, a REJECTD receipt (err 005) for its id', () => {
      for (const onTimeout of ['reject', 'release'] as const) {
        const d = new Driver(opts({ onTimeout }));
        const [p1, p2] = message(11, 2);
        const [old] = messages(d.feed(p1!, p2!));
        const late = { ...p2!, partId: 'late-2' };
        assert.deepEqual(messages(d.feed(late)), []);
        const out = d.tick(60_000);
        assert.deepEqual(messages(out), [], onTimeout);
        assert.deepEqual(receipts(out).map((r) => [r.messageId, r.stat, r.err]), [['late-2', 'REJECTD', REJECT_ERR.duplicate]], onTimeout);
        assert.deepEqual(events(out, 'part_duplicate').map((e) => [e.messageId, e.detail?.duplicateOf]), [['late-2', old!.id]]);
        assert.equal(d.state.openCount, 0);
      }
    });

    it('tells the late resend from the new message\'s part with the same seq, whichever comes first', () => {
      const d = new Driver();
      const a = message(12, 3);
      const [old] = messages(d.feed(...a));
      const [b1, b2, b3] = [1, 2, 3].map((seq) => part({ ref: 12, total: 3, seq, body: text(`B${seq}`) }));
      const lateA2 = { ...a[1]!, partId: 'late-a2' };

      // the late resend first: held as a maybe-duplicate, replaced by B's own part 2
      const out1 = d.feed(b1!, lateA2, b2!, b3!);
      assert.deepEqual(messages(out1).map(decoded), ['B1B2B3']);
      assert.deepEqual(events(out1, 'part_duplicate').map((e) => [e.messageId, e.detail?.duplicateOf]), [['late-a2', old!.id]]);

      // the late resend after the new message's part 2, message still open: dropped
      const d2 = new Driver();
      const c = message(13, 3);
      const [oldC] = messages(d2.feed(...c));
      const n1 = part({ ref: 13, total: 3, seq: 1, body: text('N1') });
      const n2 = part({ ref: 13, total: 3, seq: 2, body: text('N2') });
      const n3 = part({ ref: 13, total: 3, seq: 3, body: text('N3') });
      const out2 = d2.feed(n1, n2, { ...c[1]!, partId: 'late-c2' }, n3);
      assert.deepEqual(messages(out2).map(decoded), ['N1N2N3']);
      assert.deepEqual(events(out2, 'part_duplicate').map((e) => [e.messageId, e.detail?.duplicateOf]), [['late-c2', oldC!.id]]);
    });

    it('forgets a completed group after recentMs, tombstoning its key', () => {
      const d = new Driver(opts({ recentMs: 30_000 }));
      const ps = message(14, 2);
      d.feed(...ps);
      const key = partKey(ps[0]!);
      assert.deepEqual(Object.keys(d.state.groups.get(key) ?? {}).sort(), ['done', 'v']);
      assert.deepEqual(writes(d.tick(29_999)), []);
      assert.deepEqual(writes(d.tick(1)), [{ key, value: null }]);
      assert.equal(d.state.groups.size, 0);
      assert.equal(d.state.doneCount, 0);
    });

    it('with recentMs 0 remembers nothing: completion tombstones the key at once', () => {
      const d = new Driver(opts({ recentMs: 0 }));
      const ps = message(15, 2);
      const out = d.feed(...ps);
      assert.deepEqual(writes(out).at(-1), { key: partKey(ps[0]!), value: null });
      assert.equal(d.state.groups.size, 0);
    });

    it('remembers at most maxRecentGroups completed groups, dropping the oldest', () => {
      const d = new Driver(opts({ maxRecentGroups: 2 }));
      const a = message(1, 2);
      d.feed(...a);
      d.now += 1;
      d.feed(...message(2, 2));
      d.now += 1;
      const out = d.feed(...message(3, 2));
      assert.deepEqual(writes(out).filter((w) => w.value === null).map((w) => w.key), [partKey(a[0]!)]);
      assert.equal(d.state.doneCount, 2);
      assert.equal(d.state.groups.size, 2);
    });
  });

  describe('a reference reused before its message completed', () => {
    it('closes the old entry (superseded) and starts the new message with the part', () => {
      const d = new Driver();
      const [o1, o2] = message(16, 3, { body: text('old') });
      d.feed(o1!, o2!);
      const fresh = message(16, 3).map((p) => ({ ...p, body: text(`n${p.seq}`) }));
      const out = d.feed(fresh[1]!);
      assert.deepEqual(receipts(out).map((r) => [r.messageId, r.stat, r.err]), [
        [o1!.partId, 'REJECTD', REJECT_ERR.superseded],
        [o2!.partId, 'REJECTD', REJECT_ERR.superseded],
      ]);
      assert.equal(events(out, 'assembly_expired')[0]?.detail?.reason, 'superseded');
      const [m] = messages(d.feed(fresh[0]!, fresh[2]!));
      assert.equal(m && decoded(m), 'n1n2n3');
      assert.equal(d.state.openCount, 0);
    });
  });

  it('keeps apart a part whose total disagrees with its siblings: they complete, it times out', () => {
    const d = new Driver();
    const [a1, a2] = message(17, 2);
    const odd = part({ ref: 17, total: 3, seq: 3 });
    const out = d.feed(a1!, odd, a2!);
    assert.deepEqual(messages(out).map((m) => m.partIds), [[a1!.partId, a2!.partId]]);
    assert.notEqual(partKey(odd), partKey(a1!));
    const later = d.tick(60_000);
    assert.deepEqual(receipts(later).map((r) => [r.messageId, r.stat, r.err]), [[odd.partId, 'REJECTD', REJECT_ERR.timeout]]);
    assert.deepEqual(messages(later), []);
  });

  describe('parts that never come', () => {
    it('reject: after timeoutMs, a REJECTD receipt for each part (and resent copy) that asked, nothing sent, key tombstoned', () => {
      const d = new Driver(opts({ onTimeout: 'reject', recentMs: 0 }));
      const p1 = part({ ref: 18, total: 3, seq: 1, registeredDelivery: 1 });
      const p3 = part({ ref: 18, total: 3, seq: 3, registeredDelivery: 0 });
      const p1again = { ...p1, partId: 'again', registeredDelivery: 2 };
      d.feed(p1, p3, p1again);
      assert.deepEqual(d.tick(59_999), []);
      const out = d.tick(1);
      assert.deepEqual(messages(out), []);
      assert.deepEqual(receipts(out).map((r) => [r.messageId, r.stat, r.err, r.submittedAt, r.doneAt]), [
        [p1.partId, 'REJECTD', REJECT_ERR.timeout, p1.acceptedAt, d.now],
        ['again', 'REJECTD', REJECT_ERR.timeout, p1.acceptedAt, d.now],
      ]);
      const [ev] = events(out, 'assembly_expired');
      assert.deepEqual([ev?.detail?.outcome, ev?.detail?.missing, ev?.detail?.received], ['rejected', '2', 2]);
      assert.deepEqual(writes(out), [{ key: partKey(p1), value: null }]);
      assert.equal(d.state.groups.size, 0);
    });

    it('release: after timeoutMs, what arrived goes out marked incomplete, with no receipt', () => {
      const d = new Driver(opts({ onTimeout: 'release' }));
      const [p1, , p3, , p5] = message(19, 5);
      d.feed(p5!, p3!, p1!);
      const out = d.tick(60_000);
      const [m] = messages(out);
      assert.equal(m && decoded(m), '[19:1][19:3][19:5]');
      assert.deepEqual(m?.incomplete, { missing: [2, 4] });
      assert.deepEqual(m?.partIds, [p1!.partId, p3!.partId, p5!.partId]);
      assert.deepEqual(receipts(out), []);
      assert.equal(events(out, 'assembly_expired')[0]?.detail?.outcome, 'released');
      assert.deepEqual(writes(out), [{ key: partKey(p1!), value: null }]);
    });

    it('counts the timeout from the first part, not the last', () => {
      const d = new Driver();
      const [p1, p2] = message(20, 3);
      d.feed(p1!);
      d.now += 50_000;
      d.feed(p2!);
      assert.equal(receipts(d.tick(10_000)).length, 2);
    });
  });

  describe('the bound on open entries', () => {
    it('closes the oldest entry (outcome per onTimeout, reason evicted) to open one more', () => {
      const d = new Driver(opts({ maxOpenEntries: 2 }));
      const a = part({ ref: 21, total: 2, seq: 1 });
      d.feed(a);
      d.now += 1;
      const b = part({ ref: 22, total: 2, seq: 1 });
      d.feed(b);
      d.now += 1;
      const c = part({ ref: 23, total: 2, seq: 1 });
      const out = d.feed(c);
      assert.deepEqual(receipts(out).map((r) => [r.messageId, r.err]), [[a.partId, REJECT_ERR.evicted]]);
      assert.equal(events(out, 'assembly_expired')[0]?.detail?.reason, 'evicted');
      assert.equal(d.state.openCount, 2);
      assert.deepEqual(writes(out).map((w) => [w.key, w.value === null]), [[partKey(a), true], [partKey(c), false]]);
    });

    it('breaks ties between equally old entries by key, so a restored state evicts the same one', () => {
      const d = new Driver(opts({ maxOpenEntries: 2 }));
      const later = part({ ref: 99, total: 2, seq: 1 });
      const earlier = part({ ref: 10, total: 2, seq: 1 });
      d.feed(later, earlier);
      const out = d.feed(part({ ref: 50, total: 2, seq: 1 }));
      assert.deepEqual(receipts(out).map((r) => r.messageId), [partKey(earlier) < partKey(later) ? earlier.partId : later.partId]);
    });

    it('does not count completed groups against the bound', () => {
      const d = new Driver(opts({ maxOpenEntries: 1 }));
      d.feed(...message(30, 2), ...message(31, 2), ...message(32, 2));
      assert.equal(messages(d.outputs).length, 3);
      assert.deepEqual(receipts(d.outputs), []);
    });
  });

  it('keeps its deadline queues near the size of the live state without any expiry tick', () => {
    const d = new Driver();
    for (let ref = 0; ref < 3000; ref++) d.feed(...message(ref % 256, 2, { destination: { ton: 1, npi: 1, addr: `44${ref}` } }));
    assert.equal(d.state.openCount, 0);
    assert.ok(d.state.openQueue.size <= 1024, `open queue ${d.state.openQueue.size}`);
    assert.ok(d.state.doneQueue.size <= 2 * d.state.doneCount + 1024, `done queue ${d.state.doneQueue.size}`);
  });

  describe('changelog and restore', () => {
    it('writes one value per changed key per call, JSON-safe, holding every part so far', () => {
      const d = new Driver();
      const [p1, p2, p3] = message(40, 3, { udhOther: text('x') });
      const out = d.feed(p2!);
      const w = writes(out);
      assert.equal(w.length, 1);
      assert.deepEqual(roundTrip(w[0]!.value), w[0]!.value);
      const value = w[0]!.value!;
      assert.deepEqual(value.open?.parts.map((p) => [p.seq, p.id, p.body, p.udh]), [[2, p2!.partId, p2!.body, p2!.udhOther]]);
      assert.equal(value.open?.firstAt, d.now);
      d.feed(p3!, p1!);
      assert.deepEqual(d.changelog.map((c) => Object.keys(c.value ?? {}).sort().join()), ['open,v', 'open,v', 'done,v']);
    });

    it('folds records latest-wins, null deleting, into the state applyPart left', () => {
      const d = new Driver();
      d.feed(...message(41, 2), part({ ref: 42, total: 3, seq: 2 }), part({ ref: 43, total: 2, seq: 1 }));
      d.tick(120_000); // forgets 41, closes 42 and 43
      d.feed(part({ ref: 44, total: 2, seq: 2 }));
      const restored = restore(d.changelog);
      assert.deepEqual([...restored.groups.entries()].sort(), [...d.state.groups.entries()].sort());
      assert.equal(restored.openCount, d.state.openCount);
      assert.equal(restored.doneCount, d.state.doneCount);
      assert.equal(restored.groups.size, 1);
    });

    it('refuses a value it does not understand, with a code', () => {
      assert.throws(
        () => restore([{ key: 'k', value: { v: 2 } as never }]),
        (err: unknown) => err instanceof GatewayError && err.code === 'ASSEMBLER_CHANGELOG_INVALID',
      );
      assert.throws(() => restore([{ key: 'k', value: { v: 1 } as never }]), GatewayError);
    });

    it('is a fresh empty state with nothing to restore', () => {
      const s = restore([]);
      assert.deepEqual([s.groups.size, s.openCount, s.doneCount], [0, 0, 0]);
      assert.deepEqual(s.groups, emptyState().groups);
    });
  });
});
