import { strict as assert } from 'node:assert';
import { controlKey, ControlState, decodeControlRecord, encodeControlRecord, isControlKey, type ControlRecord } from '../../../src/directory/controls.js';
import { RecordError } from '../../../src/errors.js';

const rec = (over: Partial<ControlRecord>): ControlRecord => ({ target: 'customer', id: 'acme', aspect: 'blocked', value: true, at: 1, by: 'n1', ...over });

describe('operator controls journalled in the directory topic', () => {
  it('keys one aspect of one target, apart from the directory entries', () => {
    assert.equal(controlKey('customer', 'acme', 'blocked'), 'control/customer/acme/blocked');
    assert.equal(controlKey('provider', 'p1', 'rate'), 'control/provider/p1/rate');
    assert.ok(isControlKey('control/provider/p1/paused'));
    assert.ok(!isControlKey('customer/acme'));
    assert.ok(!isControlKey(null));
  });

  it('round-trips a record and refuses aspects its target does not have or invalid values', () => {
    const r = rec({ target: 'provider', id: 'p1', aspect: 'rate', value: 12.5 });
    assert.deepEqual(decodeControlRecord(encodeControlRecord(r)), r);
    assert.deepEqual(decodeControlRecord(encodeControlRecord(rec({ aspect: 'rate', value: null }))).value, null);
    const bad = (v: unknown) => assert.throws(() => decodeControlRecord(Buffer.from(JSON.stringify(v))), RecordError);
    bad({ ...rec({}), aspect: 'paused' }); // customers are blocked, not paused
    bad({ ...rec({ target: 'provider' }), aspect: 'blocked' });
    bad({ ...rec({ aspect: 'rate' }), value: -3 });
    bad({ ...rec({ aspect: 'rate' }), value: 'fast' });
    bad({ ...rec({}), value: 1 });
    bad({ ...rec({}), id: '' });
    assert.throws(() => decodeControlRecord(Buffer.from('{')), RecordError);
  });

  it('tells what is in force, and undefined for what was never journalled', () => {
    const s = new ControlState();
    assert.equal(s.customerBlocked('acme'), undefined);
    assert.equal(s.rate('customer', 'acme'), undefined);
    s.apply(rec({}));
    s.apply(rec({ aspect: 'rate', value: 7 }));
    s.apply(rec({ target: 'provider', id: 'p1', aspect: 'paused', value: true }));
    s.apply(rec({ target: 'provider', id: 'p1', aspect: 'rate', value: null }));
    assert.equal(s.customerBlocked('acme'), true);
    assert.equal(s.rate('customer', 'acme'), 7);
    assert.equal(s.providerPaused('p1'), true);
    assert.equal(s.rate('provider', 'p1'), null);
    assert.equal(s.providerPaused('p2'), undefined);
    s.apply(rec({ value: false, at: 2 }));
    assert.equal(s.customerBlocked('acme'), false, 'unblocked');
    assert.deepEqual(s.all().map((r) => controlKey(r.target, r.id, r.aspect)),
      ['control/customer/acme/blocked', 'control/customer/acme/rate', 'control/provider/p1/paused', 'control/provider/p1/rate']);
  });

  it('keeps the later command when two nodes\' records of one aspect land out of order', () => {
    const s = new ControlState();
    s.apply(rec({ value: false, at: 20, by: 'n2' }));
    s.apply(rec({ value: true, at: 10, by: 'n1' }));
    assert.equal(s.customerBlocked('acme'), false);
  });
});
