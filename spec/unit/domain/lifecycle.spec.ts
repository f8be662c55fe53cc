import { strict as assert } from 'node:assert';
import { eventRecord } from '../../../src/actors/event-record.js';
import { lifecycleEvent } from '../../../src/domain/lifecycle.js';
import { decodeRecord, type LifecycleEvent } from '../../../src/domain/records.js';

describe('domain/lifecycle', () => {
  it('builds the event with its fields in the order the records have always had', () => {
    const ev = lifecycleEvent('m1', 'routed', 'n1', { provider: 'p' }, 1234);
    assert.deepEqual(ev, { messageId: 'm1', type: 'routed', at: 1234, node: 'n1', detail: { provider: 'p' } });
    assert.deepEqual(Object.keys(ev), ['messageId', 'type', 'at', 'node', 'detail']);
  });

  it('leaves detail out when none is given, and stamps the time now unless told', () => {
    const before = Date.now();
    const ev = lifecycleEvent('m1', 'assembled', 'n1');
    assert.equal('detail' in ev, false);
    assert.ok(ev.at >= before && ev.at <= Date.now());
  });

  it('goes to the events topic keyed by its message id', () => {
    const ev = lifecycleEvent('m1', 'receipt', 'n1', { stat: 'DELIVRD' }, 5);
    const r = eventRecord({ events: 'x-message-events' }, ev);
    assert.equal(r.topic, 'x-message-events');
    assert.equal(r.key, 'm1');
    assert.deepEqual(decodeRecord<LifecycleEvent>(r.value as Buffer), ev);
  });
});
