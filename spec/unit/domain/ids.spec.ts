import { strict as assert } from 'node:assert';
import { messageIdTime, newMessageId } from '../../../src/domain/ids.js';

describe('gateway message ids', () => {
  it('are 24 hex digits: the time in ms, then random bits; messageIdTime reads the time back', () => {
    const id = newMessageId(0x0123456789ab);
    assert.match(id, /^0123456789ab[0-9a-f]{12}$/);
    assert.equal(messageIdTime(id), 0x0123456789ab);
    assert.equal(messageIdTime('sim:abc'), undefined, 'an id of another form');
  });

  it('do not repeat, across the random pool\'s refills', () => {
    const ids = new Set(Array.from({ length: 5000 }, () => newMessageId(1)));
    assert.equal(ids.size, 5000);
  });
});
