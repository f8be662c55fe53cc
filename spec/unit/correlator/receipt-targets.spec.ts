import { strict as assert } from 'node:assert';
import { customerParts, receiptsForMessage, targetsPerProviderPart } from '../../../src/actors/correlator/receipt-targets.js';
import type { MessageRecord } from '../../../src/domain/records.js';
import { Driver, message, messages } from '../assembler/support.js';

function whole(fields: Partial<MessageRecord> = {}): MessageRecord {
  return {
    id: 'a', customer: 'acme', source: { ton: 5, npi: 0, addr: 'ACME' }, destination: { ton: 1, npi: 1, addr: '4477' },
    serviceType: '', esmClass: 0, protocolId: 0, priority: 0, registeredDelivery: 1, dataCoding: 0, body: '',
    partIds: ['a'], acceptedAt: 1, node: 'n', ...fields,
  };
}

/** A message as the assembler makes it from these parts. */
function assembled(...rds: number[]): MessageRecord {
  const d = new Driver();
  const parts = message(200 + rds.length, rds.length).map((p, i) => ({ ...p, registeredDelivery: rds[i]! }));
  return messages(d.feed(...parts))[0]!;
}

describe('receipt targets: a receipt for every id the customer was answered with', () => {
  it('a single-part message: its own id', () => {
    assert.deepEqual(customerParts(whole()), [{ id: 'a', seq: 1, registeredDelivery: 1 }]);
    assert.deepEqual(targetsPerProviderPart(whole(), 1), [[{ id: 'a', registeredDelivery: 1 }]]);
  });

  it('a joined message: each part id with its own registered_delivery, mapped part for part', () => {
    const m = assembled(1, 0, 2);
    const t = targetsPerProviderPart(m, 3);
    assert.deepEqual(t.map((list) => list.map((x) => x.id)), m.partIds.map((id) => [id]));
    assert.deepEqual(t.map((list) => list[0]!.registeredDelivery), [1, 0, 2]);
  });

  it('a resent copy gets the receipt of the part it copies', () => {
    const d = new Driver();
    const [p1, p2, p3] = message(77, 3);
    const m = messages(d.feed(p1!, p2!, { ...p2!, partId: 'copy-2' }, p3!))[0]!;
    assert.deepEqual(m.duplicatePartIds, ['copy-2']);
    const t = targetsPerProviderPart(m, 3);
    assert.deepEqual(t.map((list) => list.map((x) => x.id)), [[p1!.partId], [p2!.partId, 'copy-2'], [p3!.partId]]);
  });

  it('re-split into fewer or more provider parts: every customer id still assigned exactly once', () => {
    const m = assembled(1, 1, 1, 1);
    for (const n of [1, 2, 3, 5, 8]) {
      const ids = targetsPerProviderPart(m, n).flat().map((x) => x.id);
      assert.deepEqual(ids.slice().sort(), m.partIds.slice().sort(), `n=${n}`);
      assert.equal(targetsPerProviderPart(m, n).length, n);
    }
    // The same stretch of text: with two provider parts, customer parts 1-2 go to the first.
    assert.deepEqual(targetsPerProviderPart(m, 2).map((l) => l.length), [2, 2]);
  });

  it('a message released incomplete keeps the seqs of the parts present', () => {
    const m = whole({ id: 'x1', partIds: ['x1', 'x3'], incomplete: { missing: [2] } });
    assert.deepEqual(customerParts(m).map((p) => p.seq), [1, 3]);
    assert.deepEqual(targetsPerProviderPart(m, 3).map((l) => l.map((x) => x.id)), [['x1'], [], ['x3']]);
  });

  it('whole-message outcomes: a receipt per part id that asked for one with that outcome', () => {
    const m = assembled(1, 0, 2);
    const got = receiptsForMessage(m, 'UNDELIV', '001', 9).map((r) => [r.messageId, r.stat, r.customer]);
    assert.deepEqual(got, [[m.partIds[0], 'UNDELIV', 'acme'], [m.partIds[2], 'UNDELIV', 'acme']]);
    assert.deepEqual(receiptsForMessage(m, 'DELIVRD', '000', 9).map((r) => r.messageId), [m.partIds[0]]);
  });
});
