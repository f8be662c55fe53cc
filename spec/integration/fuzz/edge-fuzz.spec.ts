/**
 * The session edge under hostile connections, over real loopback sockets and the real Redis
 * (the Kafka writer is the scripted fake of the session specs: this spec is about the decoder
 * and the session state machine, not about Kafka). While the fuzzer runs, a steady customer
 * must get every submit answered ESME_ROK; afterwards no session, bind slot or heap growth
 * may be left behind.
 */
import { strict as assert } from 'node:assert';
import { BindSlots } from '../../../src/actors/session/bind-slots.js';
import { fuzzSessions, SteadyCustomer } from '../../../scripts/fuzz/session-fuzz.js';
import { waitFor, uniquePrefix } from '../../support/env.js';
import { fuzzBudgetMs, fuzzSeed, heapAfterGc } from '../../support/fuzz.js';
import { startTestEdge, type TestEdge } from '../session/support.js';

const INACTIVITY_MS = 2000;

describe('session fuzz: hostile connections against the customer edge', function () {
  const budget = fuzzBudgetMs(12);
  this.timeout(budget + 90000);
  const prefix = uniquePrefix('fuzz');
  let t: TestEdge;
  before(async () => {
    t = await startTestEdge(prefix, {
      // Every fuzz connection comes from 127.0.0.1: without a high allowance the failed-bind
      // delay would slow the whole run down to one bind every few seconds.
      session: { inactivityTimeoutMs: INACTIVITY_MS, bindFailures: { free: 1_000_000 } },
      customers: [
        { systemId: 'fuzz', password: 'fuzzpw', maxBinds: 20, rate: 500, burst: 200 },
        { systemId: 'other', password: 'otherpw' },
        { systemId: 'steady', password: 'steadypw' },
      ],
    });
  });
  after(async () => { await t?.stop(); });

  const sessions = () => t.system.snapshot().filter((a) => a.kind === 'session').length;

  it('never crashes or hangs, answers the steady customer throughout, and leaves nothing behind', async () => {
    const seed = fuzzSeed('edge sessions');
    const baselineSessions = sessions();
    const baselineHeap = heapAfterGc();
    const steady = await SteadyCustomer.start(t.port, { systemId: 'steady', password: 'steadypw' }, { responseTimeoutMs: 15000 });
    const r = await fuzzSessions({
      port: t.port, seed, parallel: 4, until: Date.now() + budget, inactivityTimeoutMs: INACTIVITY_MS,
      customer: { systemId: 'fuzz', password: 'fuzzpw' }, other: { systemId: 'other', password: 'otherpw' },
    });
    const witness = await steady.stop();

    const report = r.failures.slice(0, 5).map((f) =>
      `connection ${f.connection}: ${f.problem}\n  script: ${f.script.join(' | ').slice(0, 600)}\n  replay: node dist/scripts/fuzz/main.js --seed ${f.seed} --connection ${f.connection}`);
    assert.deepEqual(report, [], `${r.failures.length} failures`);
    assert.deepEqual(witness.problems, {}, 'the steady customer saw only ESME_ROK');
    assert.ok(witness.ok > 10, `the steady customer got ${witness.ok} submits answered`);
    assert.ok(r.connections > 20, `${r.connections} hostile connections`);
    for (const s of ['ESME_ROK', 'ESME_RINVBNDSTS', 'ESME_RINVPASWD', 'ESME_RINVCMDID', 'ESME_RINVCMDLEN']) {
      assert.ok((r.statuses[s] ?? 0) > 0, `no response was ${s}: ${JSON.stringify(r.statuses)}`);
    }

    // Everything a connection held is released once they are all closed.
    await waitFor('every session actor to stop', () => sessions() === baselineSessions, 30000, 200);
    assert.equal(t.local.count(), 0, 'local sessions');
    const slots = new BindSlots(t.redis, prefix, 'reader');
    assert.equal(await slots.count('fuzz'), 0, 'bind slots of the fuzz customer');
    t.writer.records.splice(0);
    const grown = heapAfterGc() - baselineHeap;
    process.stdout.write(`      [fuzz] ${r.connections} connections, ${r.octetsSent} octets, ${r.pdusReceived} PDUs back; steady ${witness.ok} ok; heap ${(grown / 1048576).toFixed(1)} MB over baseline\n`);
    // Generous: what matters is that it does not scale with the connections.
    assert.ok(grown < 48 * 1048576, `heap grew by ${(grown / 1048576).toFixed(1)} MB`);
  });
});
