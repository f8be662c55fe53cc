import { strict as assert } from 'node:assert';
import { controlKeys, redisKeys } from '../../../src/redis/keys.js';

// Literal strings as the stores spelled them before keys.ts: a running cluster's data lives
// under these names, so any change here is a migration, not a refactor.
describe('redis keys', () => {
  const k = redisKeys('smsgw:');

  it('names the session edge keys', () => {
    assert.equal(k.sessions('acme'), 'smsgw:sessions:acme');
    assert.equal(k.nodeSessions('n1'), 'smsgw:node-sessions:n1');
    assert.equal(k.bindSlots('acme'), 'smsgw:binds:acme');
    assert.equal(k.bindFailures('10.0.0.1'), 'smsgw:bindfail:10.0.0.1');
    assert.equal(k.rate('acme'), 'smsgw:rate:acme');
    assert.equal(k.messageState('0123456789abcdef01234567'), 'smsgw:msg:0123456789abcdef01234567');
  });

  it('names the supplier and correlator keys', () => {
    assert.equal(k.correlation('sim', 'abc123'), 'smsgw:corr:sim:abc123');
    assert.equal(k.correlationsRestored, 'smsgw:corr-restored');
    assert.equal(k.bindState('first'), 'smsgw:bindstate:first');
    assert.equal(k.sent('sim', 'm1'), 'smsgw:sent:sim:m1');
    assert.equal(k.receiptDone('sim', 'abc123', 'DELIVRD'), 'smsgw:dlr-done:sim:abc123:DELIVRD');
  });

  it('names the delivery keys and channels', () => {
    assert.equal(k.held('acme'), 'smsgw:held:acme');
    assert.equal(k.heldCustomers(0), 'smsgw:held-customers:0');
    assert.equal(k.heldRestored, 'smsgw:held-restored');
    assert.equal(k.nodeInbox('n1'), 'smsgw:node:n1:inbox');
    assert.equal(k.nodeReplies('n1'), 'smsgw:node:n1:replies');
  });

  it('names the control plane keys and channels', () => {
    const c = controlKeys('smsgw:');
    assert.deepEqual(
      [c.nodes, c.node('n1'), c.cluster, c.blocked, c.customerRates, c.pausedProviders, c.providerRates, c.requests, c.replies('r1')],
      [
        'smsgw:control:nodes', 'smsgw:control:node:n1', 'smsgw:control:cluster', 'smsgw:control:blocked-customers',
        'smsgw:control:customer-rates', 'smsgw:control:paused-providers', 'smsgw:control:provider-rates',
        'smsgw:control:requests', 'smsgw:control:replies:r1',
      ],
    );
    assert.equal(k.control.blocked, c.blocked);
  });

  it('uses the prefix as given, empty included', () => {
    assert.equal(redisKeys('').held('acme'), 'held:acme');
    assert.equal(controlKeys('').nodes, 'control:nodes');
  });
});
