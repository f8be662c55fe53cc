import { strict as assert } from 'node:assert';
import type { GroupDescription } from 'kafkajs';
import { kafkajs } from '../../../src/kafka/kafkajs.js';
import { incarnation, ownedBy, servedAgain, snapshot, type StageGroup } from '../../../scripts/faults/recovery.js';

const router: StageGroup = { groupId: 'p.router', topic: 'p.messages', partitions: 4 };
const supplier: StageGroup = { groupId: 'p.supplier', topic: 'p.provider-outgoing', partitions: 2 };
const stages = [router, supplier];

type Member = [memberId: string, clientId: string, partitions: number[] | null];

function group(stage: StageGroup, state: GroupDescription['state'], members: Member[]): GroupDescription {
  return {
    groupId: stage.groupId, protocol: 'RoundRobinAssigner', protocolType: 'consumer', state,
    members: members.map(([memberId, clientId, partitions]) => ({
      memberId, clientId, clientHost: '/127.0.0.1', memberMetadata: Buffer.alloc(0),
      // null: joined, not yet through a sync (the broker answers an empty assignment).
      memberAssignment: partitions === null ? Buffer.alloc(0)
        : kafkajs.AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: { [stage.topic]: partitions }, userData: Buffer.alloc(0) }),
    })),
  };
}

// Node 0 lives throughout; node 1 is killed and restarted under the same node id, so its
// successor has the same client id and only new member ids.
const gw0 = 'smsgw-p.gw0-w0';
const gw1 = 'smsgw-p.gw1-w0';
const before = snapshot([
  group(router, 'Stable', [[`${gw0}-a`, gw0, [0, 1]], [`${gw1}-old`, gw1, [2, 3]]]),
  group(supplier, 'Stable', [[`${gw0}-b`, gw0, [0]], [`${gw1}-old2`, gw1, [1]]]),
]);
const dead = incarnation(before, 'smsgw-p.gw1');

describe('fault harness: when a dead node\'s share is served again', () => {
  it('tells a node\'s client ids (main thread and workers) from another node\'s with a longer id', () => {
    assert.ok(ownedBy('smsgw-p.gw1', 'smsgw-p.gw1'));
    assert.ok(ownedBy('smsgw-p.gw1-w0', 'smsgw-p.gw1'));
    assert.ok(!ownedBy('smsgw-p.gw10-w0', 'smsgw-p.gw1'));
    assert.ok(!ownedBy('smsgw-p.gw11', 'smsgw-p.gw1'));
    assert.ok(!ownedBy('smsgw-p.gw0-w0', 'smsgw-p.gw1'));
  });

  it('decodes each member\'s assignment, an empty one as none', () => {
    const [g] = snapshot([group(router, 'CompletingRebalance', [['m1', gw0, [0, 2]], ['m2', gw1, null]])]);
    assert.deepEqual(g!.members.map((m) => m.assignment), [{ [router.topic]: [0, 2] }, {}]);
  });

  it('takes the dead incarnation as the member ids its client ids held, in every group', () => {
    assert.deepEqual([...dead].sort(), [`${gw1}-old`, `${gw1}-old2`]);
  });

  it('is served again once the dead members are gone and every partition is assigned, although the successor has the same node name', () => {
    const now = snapshot([
      group(router, 'Stable', [[`${gw0}-a`, gw0, [0, 1]], [`${gw1}-new`, gw1, [2, 3]]]),
      group(supplier, 'Stable', [[`${gw0}-b`, gw0, [0]], [`${gw1}-new2`, gw1, [1]]]),
    ]);
    assert.deepEqual(servedAgain(stages, now, dead), { recovered: true });
    // What the client-id test got wrong: the successor's members are not the dead node's.
    assert.ok(now.every((g) => g.members.some((m) => m.clientId === gw1)));
  });

  it('is served again by the survivors alone, before any restart', () => {
    const now = snapshot([
      group(router, 'Stable', [[`${gw0}-a`, gw0, [0, 1, 2, 3]]]),
      group(supplier, 'Stable', [[`${gw0}-b`, gw0, [0, 1]]]),
    ]);
    assert.deepEqual(servedAgain(stages, now, dead), { recovered: true });
  });

  it('is not served again while a dead member is still in a group, even a stable one with every partition assigned', () => {
    const now = snapshot([
      group(router, 'Stable', [[`${gw0}-a`, gw0, [0, 1, 2, 3]]]),
      group(supplier, 'Stable', [[`${gw0}-b`, gw0, [0]], [`${gw1}-old2`, gw1, [1]]]),
    ]);
    const r = servedAgain(stages, now, dead);
    assert.equal(r.recovered, false);
    assert.match(r.recovered ? '' : r.waitingFor, /p\.supplier: 1 member\(s\) of the dead node/);
  });

  it('is not served again during a rebalance, with a partition unassigned, or without a group\'s description', () => {
    const supplierServed = group(supplier, 'Stable', [[`${gw0}-b`, gw0, [0, 1]]]);
    const rebalancing = servedAgain(stages, snapshot([group(router, 'PreparingRebalance', [[`${gw0}-a`, gw0, [0, 1]], [`${gw1}-new`, gw1, null]]), supplierServed]), dead);
    assert.deepEqual(rebalancing, { recovered: false, waitingFor: 'p.router: PreparingRebalance' });
    const unassigned = servedAgain(stages, snapshot([group(router, 'Stable', [[`${gw0}-a`, gw0, [0, 1]], [`${gw1}-new`, gw1, [3]]]), supplierServed]), dead);
    assert.deepEqual(unassigned, { recovered: false, waitingFor: 'p.router: p.messages partition(s) 2 unassigned' });
    const empty = servedAgain(stages, snapshot([group(router, 'Empty', []), supplierServed]), dead);
    assert.equal(empty.recovered, false);
    assert.equal(servedAgain(stages, snapshot([supplierServed]), dead).recovered, false);
  });
});
