import { strict as assert } from 'node:assert';
import { Accounting, normalizeMessageId } from '../../../scripts/loadgen/accounting.js';
import { Status } from '../../../src/smpp/status.js';

/** A ledger starting at t=0 with single-part GSM messages sent at `at`, accepted 1 ms later as id m<slot>. */
function ledger(options: ConstructorParameters<typeof Accounting>[0] = { startMs: 0 }) {
  const acc = new Accounting(options);
  const send = (at: number, parts = 1) => {
    const first = acc.newMessage(parts, 'gsm');
    for (let i = 0; i < parts; i++) acc.submitted(first + i, at);
    return first;
  };
  return { acc, send };
}

describe('loadgen accounting', () => {
  it('matches each receipt to the part given its id and reports nothing missing', () => {
    const { acc, send } = ledger();
    const a = send(0);
    const b = send(10);
    acc.responded(a, 2, Status.ESME_ROK, 'aa01');
    acc.responded(b, 13, Status.ESME_ROK, 'aa02');
    acc.receipt(100, 'aa01', 'DELIVRD');
    acc.receipt(210, 'aa02', 'UNDELIV');
    const s = acc.summary(300);
    assert.deepEqual(s.submits, {
      sent: 2, accepted: 2, rejected: 0, rejectedByStatus: {}, errors: 0,
      errorsByKind: { timeout: 0, connection: 0, other: 0 }, unanswered: 0,
    });
    assert.equal(s.receipts.expected, 2);
    assert.equal(s.receipts.received, 2);
    assert.equal(s.receipts.matched, 2);
    assert.equal(s.receipts.missing, 0);
    assert.equal(s.receipts.duplicates, 0);
    assert.equal(s.receipts.unknown, 0);
    assert.deepEqual(s.receipts.byStat, { DELIVRD: 1, UNDELIV: 1 });
    assert.equal(s.latencyMs.submitToReceipt.min, 100);
    assert.equal(s.latencyMs.submitToReceipt.max, 200);
  });

  it('counts a receipt for an id no response gave as unknown, not as matched', () => {
    const { acc, send } = ledger();
    const a = send(0);
    acc.responded(a, 1, Status.ESME_ROK, 'x1');
    acc.receipt(5, 'x1', 'DELIVRD');
    acc.receipt(6, 'nobody-gave-this', 'DELIVRD');
    const s = acc.summary(10);
    assert.equal(s.receipts.received, 2);
    assert.equal(s.receipts.matched, 1);
    assert.equal(s.receipts.unknown, 1);
    assert.deepEqual(s.receipts.unknownSample, ['nobody-gave-this']);
    assert.equal(s.receipts.missing, 0);
  });

  it('counts a second receipt for the same id as a duplicate, and its latency once', () => {
    const { acc, send } = ledger();
    const a = send(0);
    acc.responded(a, 1, Status.ESME_ROK, 'dup');
    acc.receipt(50, 'dup', 'DELIVRD');
    acc.receipt(60, 'dup', 'DELIVRD');
    acc.receipt(70, 'DUP', 'DELIVRD'); // same id, other case
    const s = acc.summary(100);
    assert.equal(s.receipts.received, 3);
    assert.equal(s.receipts.matched, 1);
    assert.equal(s.receipts.duplicates, 2);
    assert.equal(s.latencyMs.submitToReceipt.count, 1);
    assert.deepEqual(s.receipts.byStat, { DELIVRD: 1 });
  });

  it('matches a receipt that arrived before the submit_sm_resp carrying its id was handled', () => {
    const { acc, send } = ledger();
    const a = send(0);
    acc.receipt(3, 'early', 'DELIVRD');
    assert.equal(acc.live.pendingUnknown, 1);
    acc.responded(a, 4, Status.ESME_ROK, 'early');
    const s = acc.summary(10);
    assert.equal(s.receipts.matched, 1);
    assert.equal(s.receipts.beforeResponse, 1);
    assert.equal(s.receipts.unknown, 0);
    assert.equal(s.receipts.missing, 0);
    assert.equal(s.latencyMs.submitToReceipt.max, 3, 'latency runs from the submit to the receipt');
  });

  it('an early receipt followed by its twin after the response is one match and one duplicate', () => {
    const { acc, send } = ledger();
    const a = send(0);
    acc.receipt(3, 'e', 'DELIVRD');
    acc.responded(a, 4, Status.ESME_ROK, 'e');
    acc.receipt(5, 'e', 'DELIVRD');
    const s = acc.summary(10);
    assert.equal(s.receipts.matched, 1);
    assert.equal(s.receipts.duplicates, 1);
  });

  it('reports a missing receipt with its id', () => {
    const { acc, send } = ledger();
    const a = send(0);
    const b = send(0);
    acc.responded(a, 1, Status.ESME_ROK, 'got');
    acc.responded(b, 1, Status.ESME_ROK, 'lost');
    acc.receipt(5, 'got', 'DELIVRD');
    assert.equal(acc.live.missing, 1);
    const s = acc.summary(10);
    assert.equal(s.receipts.expected, 2);
    assert.equal(s.receipts.missing, 1);
    assert.deepEqual(s.receipts.missingSample, ['lost']);
  });

  it('counts rejected submits by command_status name and expects no receipt for them', () => {
    const { acc, send } = ledger();
    const slots = [send(0), send(0), send(0), send(0), send(0)];
    acc.responded(slots[0]!, 1, Status.ESME_RTHROTTLED);
    acc.responded(slots[1]!, 1, Status.ESME_RTHROTTLED);
    acc.responded(slots[2]!, 1, Status.ESME_RSUBMITFAIL);
    acc.responded(slots[3]!, 1, 0x0400);
    acc.responded(slots[4]!, 1, Status.ESME_ROK, 'ok');
    acc.receipt(3, 'ok', 'DELIVRD');
    const s = acc.summary(10);
    assert.equal(s.submits.rejected, 4);
    assert.deepEqual(s.submits.rejectedByStatus, { ESME_RTHROTTLED: 2, ESME_RSUBMITFAIL: 1, '0x00000400': 1 });
    assert.equal(s.receipts.expected, 1);
    assert.equal(s.receipts.missing, 0);
  });

  it('counts timeouts and connection losses as errors, and a late response after one is ignored', () => {
    const { acc, send } = ledger();
    const a = send(0);
    const b = send(0);
    const c = send(0);
    acc.failed(a, 10_000, 'timeout');
    acc.failed(b, 5, 'connection');
    acc.responded(a, 10_001, Status.ESME_ROK, 'late');
    const s = acc.summary(20_000);
    assert.equal(s.submits.errors, 2);
    assert.deepEqual(s.submits.errorsByKind, { timeout: 1, connection: 1, other: 0 });
    assert.equal(s.submits.accepted, 0);
    assert.equal(s.submits.unanswered, 1, 'c was never answered');
    void c;
  });

  it('treats ROK without a message_id as a refusal (nothing could be matched)', () => {
    const { acc, send } = ledger();
    acc.responded(send(0), 1, Status.ESME_ROK, '');
    const s = acc.summary(2);
    assert.equal(s.submits.rejected, 1);
    assert.deepEqual(s.submits.rejectedByStatus, { ESME_ROK: 1 });
  });

  it('matches ids in other case, with leading zeros, or decimal for hex', () => {
    assert.equal(normalizeMessageId(' 00AbC '), 'abc');
    assert.equal(normalizeMessageId('0'), '0');
    const { acc, send } = ledger();
    const a = send(0);
    const b = send(0);
    acc.responded(a, 1, Status.ESME_ROK, '000000FF');
    acc.responded(b, 1, Status.ESME_ROK, '1f4');
    acc.receipt(2, 'ff', 'DELIVRD');
    acc.receipt(2, '500', 'DELIVRD'); // 0x1f4 written in decimal
    const s = acc.summary(3);
    assert.equal(s.receipts.matched, 2);
    assert.equal(s.receipts.unknown, 0);
  });

  it('a decimal receipt that overtakes its hex response is matched when the response comes', () => {
    const { acc, send } = ledger();
    const a = send(0);
    acc.receipt(2, '255', 'DELIVRD');
    acc.responded(a, 3, Status.ESME_ROK, 'FF');
    assert.equal(acc.summary(4).receipts.matched, 1);
  });

  it('expects a receipt per part in part mode', () => {
    const { acc, send } = ledger();
    const first = send(0, 3);
    acc.responded(first, 1, Status.ESME_ROK, 'p1');
    acc.responded(first + 1, 1, Status.ESME_ROK, 'p2');
    acc.responded(first + 2, 1, Status.ESME_ROK, 'p3');
    acc.receipt(5, 'p1', 'DELIVRD');
    acc.receipt(5, 'p3', 'DELIVRD');
    const s = acc.summary(10);
    assert.equal(s.messages.multiPart, 1);
    assert.equal(s.receipts.expected, 3);
    assert.equal(s.receipts.missing, 1);
    assert.deepEqual(s.receipts.missingSample, ['p2']);
  });

  it('expects one receipt per message in message mode, naming any part, and a second is a duplicate', () => {
    const { acc, send } = ledger({ startMs: 0, receiptUnit: 'message' });
    const m1 = send(0, 2);
    const m2 = send(0, 2);
    const m3 = send(0, 2);
    for (const [slot, id] of [[m1, 'a1'], [m1 + 1, 'a2'], [m2, 'b1'], [m2 + 1, 'b2'], [m3, 'c1']] as const) {
      acc.responded(slot, 1, Status.ESME_ROK, id);
    }
    acc.responded(m3 + 1, 1, Status.ESME_RSUBMITFAIL); // m3 can never be whole
    acc.receipt(5, 'a2', 'DELIVRD');
    acc.receipt(6, 'a1', 'DELIVRD');
    const s = acc.summary(10);
    assert.equal(s.receipts.expected, 2, 'm1 and m2; m3 lost a part');
    assert.equal(s.receipts.matched, 1);
    assert.equal(s.receipts.duplicates, 1);
    assert.equal(s.receipts.missing, 1);
    assert.deepEqual(s.receipts.missingSample, ['b1']);
  });

  it('in message mode a receipt that comes before the last part is accepted still settles the message', () => {
    const { acc, send } = ledger({ startMs: 0, receiptUnit: 'message' });
    const m = send(0, 2);
    acc.responded(m, 1, Status.ESME_ROK, 'q1');
    acc.receipt(2, 'q1', 'DELIVRD');
    acc.responded(m + 1, 3, Status.ESME_ROK, 'q2');
    const s = acc.summary(4);
    assert.equal(s.receipts.expected, 1);
    assert.equal(s.receipts.missing, 0);
  });

  it('expects nothing when receipts were not asked for', () => {
    const { acc, send } = ledger({ startMs: 0, expectReceipts: false });
    acc.responded(send(0), 1, Status.ESME_ROK, 'n');
    const s = acc.summary(2);
    assert.equal(s.receipts.expected, 0);
    assert.equal(s.receipts.missing, 0);
  });

  it('gives submit_sm_resp latency percentiles of known data (exact min, mean, max; percentiles within 0.1 %)', () => {
    const { acc, send } = ledger({ startMs: 0, initialCapacity: 16 });
    // Latencies 1..100 ms, sent out of order; the ledger grows past its initial capacity.
    const order = Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
    for (const i of order) acc.responded(send(0), i + 1, Status.ESME_ROK, `id${i}`);
    const p = acc.summary(200).latencyMs.submitResp;
    assert.deepEqual({ count: p.count, min: p.min, mean: p.mean, max: p.max }, { count: 100, min: 1, mean: 50.5, max: 100 });
    // Percentiles come from histogram buckets 0.1 % wide: the sample's value, or at most 0.1 % above.
    const near = (got: number | null, exact: number) => assert.ok(got !== null && got >= exact && got <= exact * 1.001, `${got} vs ${exact}`);
    near(p.p50, 50);
    near(p.p95, 95);
    near(p.p99, 99);
  });

  it('builds a per-second series of counts and latencies', () => {
    const { acc, send } = ledger({ startMs: 1000 });
    const a = acc.newMessage(1, 'gsm');
    acc.submitted(a, 1100);
    acc.responded(a, 1110, Status.ESME_ROK, 'a');
    const b = acc.newMessage(1, 'ucs2');
    acc.submitted(b, 2500);
    acc.responded(b, 2520, Status.ESME_RTHROTTLED);
    acc.receipt(3700, 'a', 'DELIVRD');
    const s = acc.summary(3900);
    assert.deepEqual(s.series.t, [0, 1, 2]);
    assert.deepEqual(s.series.sent, [1, 1, 0]);
    assert.deepEqual(s.series.accepted, [1, 0, 0]);
    assert.deepEqual(s.series.rejected, [0, 1, 0]);
    assert.deepEqual(s.series.receipts, [0, 0, 1]);
    assert.equal(s.series.respMax[0], 10);
    assert.equal(s.series.respMax[1], 20);
    assert.equal(s.series.respMax[2], null);
    assert.equal(s.series.receiptMax[2], 2600);
    assert.deepEqual(s.messages, { generated: 2, singlePart: 2, multiPart: 0, gsm: 1, ucs2: 1 });
    void send;
  });
});
