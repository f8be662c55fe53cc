import { strict as assert } from 'node:assert';
import { DeliveryDispatch } from '../../../src/actors/delivery/dispatch.js';
import { LocalSessions } from '../../../src/actors/session/local-sessions.js';
import type { SessionEntry } from '../../../src/redis/stores/session-registry.js';
import type { OutboxRecord } from '../../../src/domain/records.js';
import { GatewayError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import type { ActorRef } from '../../../src/runtime/actor.js';

const record = (customer: string): OutboxRecord => ({
  kind: 'receipt', customer, messageId: 'm', source: { ton: 0, npi: 0, addr: 'A' }, destination: { ton: 0, npi: 0, addr: 'B' },
  stat: 'DELIVRD', err: '000', submittedAt: 0, doneAt: 0, createdAt: 0,
});
const entry = (node: string, bindType: SessionEntry['bindType'], id = node): SessionEntry => ({ id, customer: 'acme', bindType, node, remote: '', since: 0 });

function setup(entries: SessionEntry[], forward: (node: string) => Promise<void>) {
  const forwarded: string[] = [];
  const local = new LocalSessions();
  const dispatch = new DeliveryDispatch({
    nodeId: 'here', local, responseTimeoutMs: 100, logger: silentLogger,
    registry: { list: async () => entries },
    link: { forward: async (node) => { forwarded.push(node); return forward(node); } },
  });
  return { dispatch, local, forwarded };
}

describe('DeliveryDispatch', () => {
  it('uses a bind on this node when there is one, without asking other nodes', async () => {
    const { dispatch, local, forwarded } = setup([entry('other', 'receiver')], async () => undefined);
    const asked: unknown[] = [];
    local.add({ id: 's1', customer: 'acme', bindType: 'transceiver', canReceive: true, ref: { ask: async (m: unknown) => { asked.push(m); } } as unknown as ActorRef<never> });
    await dispatch.deliver(record('acme'));
    assert.equal(asked.length, 1);
    assert.deepEqual(forwarded, []);
  });

  it('forwards to nodes holding a receiver or transceiver bind, skipping transmitters and nodes that have none any more', async () => {
    const { dispatch, forwarded } = setup(
      [entry('tx-only', 'transmitter'), entry('gone', 'receiver'), entry('n2', 'transceiver')],
      async (node) => { if (node === 'gone') throw new GatewayError('NODE_UNREACHABLE', 'not listening'); },
    );
    await dispatch.deliver(record('acme'));
    assert.ok(forwarded.includes('n2'));
    assert.ok(!forwarded.includes('tx-only'));
  });

  it('rejects with CUSTOMER_NOT_BOUND when no node has a receiving bind, and passes a customer refusal on', async () => {
    const none = setup([entry('tx-only', 'transmitter')], async () => undefined);
    await assert.rejects(none.dispatch.deliver(record('acme')), (e: GatewayError) => e.code === 'CUSTOMER_NOT_BOUND');
    const refused = setup([entry('n2', 'receiver')], async () => { throw new GatewayError('DELIVER_REFUSED', 'customer said no'); });
    await assert.rejects(refused.dispatch.deliver(record('acme')), (e: GatewayError) => e.code === 'DELIVER_REFUSED');
  });
});
