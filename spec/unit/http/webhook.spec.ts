import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import { eventId, signature, webhookEvent } from '../../../src/http/webhook.js';
import { queueOf } from '../../../src/actors/delivery/delivery-queue.js';
import type { DeliveryRecord, MoDelivery } from '../../../src/domain/records.js';

const receipt: DeliveryRecord = {
  kind: 'receipt', customer: 'acme', messageId: 'm-1', source: { ton: 5, npi: 0, addr: 'Acme' }, destination: { ton: 1, npi: 1, addr: '447700900001' },
  stat: 'DELIVRD', err: '000', submittedAt: Date.parse('2026-12-03T12:00:00Z'), doneAt: Date.parse('2026-12-03T12:00:05Z'), createdAt: Date.parse('2026-12-03T12:00:05Z'),
};
const mo: MoDelivery = {
  kind: 'mo', customer: 'acme', messageId: 'mo-1', provider: 'p', source: { ton: 1, npi: 1, addr: '447700900002' }, destination: { ton: 1, npi: 1, addr: '447700900100' },
  esmClass: 0, protocolId: 0, dataCoding: 8, body: Buffer.from('Привет', 'utf16le').swap16().toString('base64'), createdAt: Date.parse('2026-12-03T12:01:00Z'),
};

describe('webhook events', () => {
  it('tells a receipt and an MO as JSON, the MO\'s text decoded by its data coding', () => {
    assert.deepEqual(webhookEvent(receipt), {
      type: 'receipt', id: 'm-1', stat: 'DELIVRD', err: '000', from: 'Acme', to: '447700900001',
      submittedAt: '2026-12-03T12:00:00.000Z', doneAt: '2026-12-03T12:00:05.000Z',
    });
    assert.deepEqual(webhookEvent(mo), { type: 'mo', id: 'mo-1', from: '447700900002', to: '447700900100', text: 'Привет', receivedAt: '2026-12-03T12:01:00.000Z' });
    assert.equal((webhookEvent({ ...receipt, parts: 3 }) as { parts?: number }).parts, 3, 'the SMS parts, when the provider took it');
    const withUdh = webhookEvent({ ...mo, esmClass: 0x40 });
    assert.equal(withUdh.type === 'mo' && withUdh.binary, mo.body, 'a header is not text: the octets go as they are');
  });

  it('gives every try of one record the same event id, and signs the body with HMAC-SHA256', () => {
    assert.equal(eventId(receipt), eventId(JSON.parse(JSON.stringify(receipt)) as DeliveryRecord));
    assert.notEqual(eventId(receipt), eventId({ ...receipt, stat: 'UNDELIV' }));
    const body = JSON.stringify(webhookEvent(receipt));
    assert.equal(signature(body, 'k'.repeat(16)), `sha256=${createHmac('sha256', 'k'.repeat(16)).update(body).digest('hex')}`);
  });

  it('queues receipts for a dlr-url apart from the customer\'s other deliveries', () => {
    assert.equal(queueOf(receipt), 'acme');
    assert.equal(queueOf(mo), 'acme');
    assert.equal(queueOf({ ...receipt, dlr: { url: 'http://h:8080/dlr?id=%I', mask: 3 } }), 'acme dlr-url http://h:8080');
    assert.equal(queueOf({ ...receipt, dlr: { url: 'http://h:8080/other', mask: 1 } }), 'acme dlr-url http://h:8080', 'one queue per endpoint');
    assert.notEqual(queueOf({ ...receipt, dlr: { url: 'http://h:9090/dlr', mask: 3 } }), 'acme dlr-url http://h:8080', 'an endpoint that is gone holds back no other');
  });
});

describe('retrying a failing webhook or dlr-url', () => {
  it('waits the retry interval, doubling with each failure in a row, up to a minute', async () => {
    const { httpRetryDelay, HTTP_RETRY_MAX_MS } = await import('../../../src/actors/delivery/delivery-actor.js');
    assert.deepEqual([1, 2, 3, 4].map((n) => httpRetryDelay(n, 2000)), [2000, 4000, 8000, 16000]);
    assert.equal(httpRetryDelay(20, 2000), HTTP_RETRY_MAX_MS);
    assert.equal(httpRetryDelay(3, 120_000), 120_000, 'never shorter than the configured interval');
  });
});
