import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaultReport } from '../../../scripts/faults/harness.js';

/**
 * The short form of the fault scenario, as `node dist/scripts/faults/main.js --short` runs it:
 * three brokers, three gateway nodes, steady load, every kind of fault once (kills, pauses past
 * the session, Redis emptied, providers dropping, slow or refusing binds). It fails when an
 * accepted message is lost, a whole message is written twice, or providers got more duplicates
 * than the crashes could cause.
 */
describe('faults: node, broker, Redis and provider failures under load (short form)', function () {
  this.timeout(20 * 60 * 1000);

  it('loses nothing accepted, doubles no whole message, and serves a dead or paused node\'s share again', async () => {
    const out = mkdtempSync(join(tmpdir(), 'smsgw-faults-'));
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['dist/scripts/faults/main.js', '--short', '--out', out], { stdio: ['ignore', 'inherit', 'inherit'] });
      child.once('exit', (c) => resolve(c));
    });
    const report = JSON.parse(readFileSync(join(out, 'faults.json'), 'utf8')) as FaultReport;
    assert.equal(code, 0, report.verdict.reasons.join('; '));
    assert.ok(report.observed.accepted > 1000, `accepted ${report.observed.accepted}`);
    assert.equal(report.verdict.lost, 0);
    assert.equal(report.verdict.wholeMessageDuplicates, 0);
    assert.ok(report.verdict.providerDuplicates <= report.verdict.inFlight);
    const kinds = new Set(report.faults.map((f) => f.fault.kind));
    for (const k of ['kill-node', 'restart-node', 'kill-broker', 'restart-broker', 'restart-redis', 'drop-provider', 'pause-node', 'resume-node',
      'pause-broker', 'resume-broker', 'slow-provider', 'refuse-binds', 'provider-normal']) assert.ok(kinds.has(k as never), `fault ${k} ran`);
    const stops = report.faults.filter((f) => f.fault.kind === 'kill-node' || f.fault.kind === 'pause-node');
    const recoveries = stops.map((f) => f.recoveryMs!);
    assert.equal(recoveries.length, 3);
    assert.ok(stops.every((f) => typeof f.inFlight === 'number'), 'in flight counted at every node kill and pause');
    assert.ok(report.observed.providerSubmits >= report.observed.wholeMessages * 0.9, `providers took ${report.observed.providerSubmits} of ${report.observed.wholeMessages} messages`);
    assert.ok(recoveries.every((ms) => ms < 90000), `served again after ${recoveries.join(', ')} ms`);
  });
});
