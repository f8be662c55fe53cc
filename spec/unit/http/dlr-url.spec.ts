import { strict as assert } from 'node:assert';
import { dlrType, dlrUrl, registeredDeliveryFor } from '../../../src/http/dlr-url.js';
import type { DeliveryRecord } from '../../../src/domain/records.js';

const receipt: DeliveryRecord = {
  kind: 'receipt', customer: 'demo', messageId: 'm-1', source: { ton: 5, npi: 0, addr: 'Shop & Co' }, destination: { ton: 1, npi: 1, addr: '447700900001' },
  stat: 'DELIVRD', err: '000', submittedAt: 1_000, doneAt: 1_764_763_200_123, createdAt: 1_764_763_200_123, provider: 'p1',
};

describe('Kannel dlr-url', () => {
  it('types receipts as Kannel does, and only those the mask asks for', () => {
    assert.equal(dlrType('DELIVRD', 3), 1);
    assert.equal(dlrType('UNDELIV', 3), 2);
    assert.equal(dlrType('EXPIRED', 2), 2);
    assert.equal(dlrType('REJECTD', 2), 2, 'a rejection is a failure when 16 is not asked for');
    assert.equal(dlrType('REJECTD', 18), 16);
    assert.equal(dlrType('ENROUTE', 7), 4);
    assert.equal(dlrType('DELIVRD', 2), null);
    assert.equal(dlrType('UNDELIV', 1), null);
    assert.equal(registeredDeliveryFor(3), 1);
    assert.equal(registeredDeliveryFor(7), 0x11);
  });

  it('fills the escapes, URL-encoded', () => {
    const url = dlrUrl({ url: 'http://h/dlr?t=%d&a=%A&ts=%T&to=%p&from=%P&id=%I&via=%F&pct=%%', mask: 3 }, receipt, 1);
    const q = new URL(url).searchParams;
    assert.equal(q.get('t'), '1');
    assert.equal(q.get('a'), 'id:m-1 stat:DELIVRD err:000');
    assert.equal(q.get('ts'), '1764763200');
    assert.equal(q.get('to'), '447700900001');
    assert.equal(q.get('from'), 'Shop & Co');
    assert.equal(q.get('id'), 'm-1');
    assert.equal(q.get('via'), 'p1');
    assert.ok(url.endsWith('pct=%'));
  });
});
