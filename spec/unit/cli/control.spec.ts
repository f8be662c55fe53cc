import { strict as assert } from 'node:assert';
import { judge, parseRequest, type ControlReply } from '../../../src/control/protocol.js';
import { buildNodeStatus, type CounterMemory, type NodeFacts } from '../../../src/control/status.js';
import type { ActorStats } from '../../../src/runtime/stats.js';

const reply = (node: string, outcome: ControlReply['outcome'], detail = 'x'): ControlReply => ({ requestId: 'r', node, outcome, detail });

describe('control protocol', () => {
  it('parses only well-formed requests', () => {
    assert.deepEqual(parseRequest('{"requestId":"r","sentAt":1,"action":"pause","provider":"p"}'), { requestId: 'r', sentAt: 1, action: 'pause', provider: 'p' });
    for (const bad of ['nope', '{}', '{"requestId":"r","sentAt":1,"action":"pause"}', '{"requestId":"r","sentAt":1,"action":"customer-rate","customer":"c","rate":-1}', '{"requestId":"r","sentAt":1,"action":"shutdown"}']) {
      assert.equal(parseRequest(bad), null, bad);
    }
  });

  it('a single-owner action succeeds when its owner did it, and names who refused or that nobody owns it', () => {
    assert.equal(judge({ action: 'pause', provider: 'p' }, [reply('a', 'not-mine'), reply('b', 'done', 'paused')], ['a', 'b']).ok, true);
    const refused = judge({ action: 'pause', provider: 'p' }, [reply('a', 'refused', 'unknown provider')], ['a']);
    assert.deepEqual([refused.ok, refused.summary], [false, 'refused: a: unknown provider']);
    const nobody = judge({ action: 'disconnect', session: 's' }, [reply('a', 'not-mine')], ['a', 'b']);
    assert.equal(nobody.summary, 'refused: no node owns session s (asked a; no answer from b)');
    assert.match(judge({ action: 'pause', provider: 'p' }, [], []).summary, /no node answered/);
  });

  it('a cluster-wide action needs every live node', () => {
    const partly = judge({ action: 'block', customer: 'c' }, [reply('a', 'done', 'blocked')], ['a', 'b']);
    assert.deepEqual([partly.ok, partly.silent], [false, ['b']]);
    assert.equal(judge({ action: 'block', customer: 'c' }, [reply('a', 'done'), reply('b', 'done')], ['a', 'b']).ok, true);
  });
});

describe('node status', () => {
  const actor = (kind: string, gauges: Record<string, number | string>, startedAt = 0): ActorStats => ({
    address: { system: 's', path: `/${kind}` }, kind, parent: null, status: 'running', received: 0, processed: 0, failed: 0, restarts: 0,
    dropped: 0, mailboxDepth: 0, mailboxCapacity: 10, children: 0, lastError: null, startedAt, gauges,
  });
  const facts = (now: number, requestsIn: number): NodeFacts => ({
    nodeId: 'n', version: 'v', pid: 1, host: 'h', startedAt: 0, now, rss: 0, heapUsed: 0, cpuPercent: 0, listeners: [], mainThreadId: 0,
    main: [actor('session', { session: 'n-1', customer: 'c', bindType: 'transmitter', remote: 'r', requestsIn, deliversOut: 0, inFlight: 2, boundAt: 5 }), actor('session', {})],
    workers: [{ index: 0, threadId: 1, memory: { heapUsed: 0, heapTotal: 0 }, stages: [], actors: [
      actor('supplier', { provider: 'p', state: 'bound', paused: 1, window: 10, inFlight: 1, rate: 50, queued: 3, submitted: 9, lastError: '' }),
      actor('delivery', { partition: 2, heldCustomer: 'c', heldSince: 100, attempts: 3 }),
      actor('delivery', { partition: 1, heldCustomer: '' }),
    ] }],
  });

  it('turns session counters into rates between publishes, and lists bound sessions only', () => {
    const memory: CounterMemory = new Map();
    assert.equal(buildNodeStatus(facts(1000, 10), memory).sessions[0]!.rateIn, 0, 'no rate from a first reading');
    const s = buildNodeStatus(facts(3000, 30), memory).sessions;
    assert.equal(s.length, 1);
    assert.deepEqual([s[0]!.rateIn, s[0]!.windowInUse, s[0]!.since], [10, 2, 5]);
  });

  it('reads provider binds from the workers\' actor gauges', () => {
    const st = buildNodeStatus(facts(0, 0), new Map());
    assert.deepEqual(st.providers, [{ provider: 'p', node: 'n', thread: 0, state: 'bound', paused: true, window: 10, inFlight: 1, rate: 50, queued: 3, submitted: 9, lastError: null }]);
    assert.deepEqual(st.threads.map((t) => t.thread), ['main', 0]);
  });
});
