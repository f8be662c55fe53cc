import { strict as assert } from 'node:assert';
import { RETIRE_LINGER_MAX_MS, RETIRE_QUIET_MS, retireNow } from '../../../src/actors/supplier/supplier-actor.js';

describe('a retiring provider bind lingers for the receipts of its last messages', () => {
  it('waits for quiet after its last message is done, and after each request the provider sends', () => {
    const r: { drainedAt?: number } = {};
    assert.equal(retireNow(r, 0, 1000), false, 'not at the moment its work drained');
    assert.equal(r.drainedAt, 1000);
    assert.equal(retireNow(r, 0, 1000 + RETIRE_QUIET_MS - 1), false);
    // A receipt arrives: the quiet starts again from it.
    assert.equal(retireNow(r, 1500, 1000 + RETIRE_QUIET_MS), false);
    assert.equal(retireNow(r, 1500, 1500 + RETIRE_QUIET_MS - 1), false);
    assert.equal(retireNow(r, 1500, 1500 + RETIRE_QUIET_MS), true);
  });

  it('unbinds after the longest linger however chatty the provider', () => {
    const r: { drainedAt?: number } = {};
    retireNow(r, 0, 0);
    assert.equal(retireNow(r, RETIRE_LINGER_MAX_MS - 1, RETIRE_LINGER_MAX_MS - 1), false);
    assert.equal(retireNow(r, RETIRE_LINGER_MAX_MS, RETIRE_LINGER_MAX_MS), true);
  });
});
