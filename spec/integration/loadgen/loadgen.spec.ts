import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NoBindError, runLoadgen } from '../../../scripts/loadgen/generator.js';
import { parseLoadgenArgs, type LoadgenOptions } from '../../../scripts/loadgen/options.js';
import type { LoadReport } from '../../../scripts/loadgen/report.js';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import { MisbehavingGateway } from './misbehaving-gateway.js';

const mainScript = fileURLToPath(new URL('../../../scripts/loadgen/main.js', import.meta.url));

function options(...argv: string[]): LoadgenOptions {
  const r = parseLoadgenArgs([...argv, '--progress', 'off', '--quiet', '--seed', '7']);
  assert.equal(r.help, false);
  return (r as { options: LoadgenOptions }).options;
}

function runCli(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [mainScript, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** What the generator must have counted, given what the fake did. */
function assertMatchesLedger(r: LoadReport, gw: MisbehavingGateway, exactEarly: boolean): void {
  const l = gw.ledger;
  assert.equal(r.submits.sent, l.submits, 'submit_sm sent');
  assert.equal(r.submits.accepted, l.accepted, 'accepted');
  assert.equal(r.submits.rejected, l.submits - l.accepted, 'rejected');
  assert.deepEqual(r.submits.rejectedByStatus, l.rejectedByStatus, 'rejected by status');
  assert.equal(r.submits.errors, 0);
  assert.equal(r.submits.unanswered, 0);
  assert.equal(r.receipts.expected, l.accepted);
  assert.equal(r.receipts.received, l.receiptsSent, 'every receipt PDU counted');
  assert.equal(r.receipts.missing, l.dropped, 'missing = dropped on purpose');
  assert.equal(r.receipts.matched, l.accepted - l.dropped);
  assert.equal(r.receipts.duplicates, l.duplicated, 'duplicates');
  assert.equal(r.receipts.unknown, l.unknownSent, 'unknown ids');
  // The early ones surely come first (same socket, response held back). An ordinary receipt
  // goes over another bind of the customer, so on a busy machine it may overtake its response
  // too; the generator must still match it (checked by `matched` above).
  if (exactEarly) assert.ok(r.receipts.beforeResponse >= l.early, `receipts read before their response: ${r.receipts.beforeResponse} < ${l.early}`);
  assert.equal(r.receipts.missingSample.length, Math.min(20, l.dropped));
  assert.equal(r.latencyMs.submitResp.count, l.submits);
  assert.equal(r.latencyMs.submitToReceipt.count, l.accepted - l.dropped);
  assert.ok((r.latencyMs.submitToReceipt.max ?? 0) >= 600, 'the delayed receipts are in the latency');
  assert.equal(r.series.sent.reduce((a, b) => a + b, 0), l.submits);
  assert.equal(r.series.receipts.reduce((a, b) => a + b, 0), r.receipts.matched);
}

describe('loadgen against a misbehaving gateway and the provider simulator', function () {
  this.timeout(30_000);
  let gw: MisbehavingGateway | undefined;
  let sim: ProviderSimulator | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'loadgen-spec-'));

  afterEach(async () => {
    await gw?.close();
    await sim?.close();
    gw = undefined;
    sim = undefined;
  });

  it('the CLI counts every dropped, duplicated, delayed, early and unknown receipt and every reject exactly, and exits 1', async () => {
    gw = await new MisbehavingGateway().start();
    const json = join(dir, 'misbehaving.json');
    const html = join(dir, 'misbehaving.html');
    const { code, stdout, stderr } = await runCli([
      '--port', String(gw.port), '--system-id', 'cust{i}', '--password', 'pw', '--customers', '2', '--binds', '2',
      '--rate', '400', '--count', '160', '--multipart-ratio', '0.3', '--parts', '2-3', '--ucs2-ratio', '0.3',
      '--drain-ms', '1500', '--settle-ms', '200', '--json', json, '--html', html, '--progress', 'lines', '--seed', '11',
    ]);
    assert.equal(code, 1, `exit code; stderr:\n${stderr}`);
    const r = JSON.parse(readFileSync(json, 'utf8')) as LoadReport;
    assertMatchesLedger(r, gw, true);
    const l = gw.ledger;
    assert.ok(l.dropped > 0 && l.duplicated > 0 && l.delayed > 0 && l.early > 0 && l.textOnly > 0 && l.unknownSent > 0,
      `every misbehaviour happened: ${JSON.stringify({ ...l, groups: l.groups.size })}`);
    assert.equal(r.messages.generated, 160);
    assert.ok(r.messages.multiPart > 0 && r.messages.ucs2 > 0);
    assert.ok((l.dataCodings[0] ?? 0) > 0 && (l.dataCodings[8] ?? 0) > 0, 'GSM and UCS-2 both sent');
    assert.equal(l.binds, 4);
    assert.ok([...l.groups.values()].some((conns) => conns.size > 1), 'parts of one message went over different binds');
    assert.ok([...l.groups.values()].every((conns) => conns.size >= 1));
    assert.deepEqual(r.verdict.failed, ['missing', 'duplicates']);
    assert.match(stdout, new RegExp(`receipts missing\\s+${l.dropped}`));
    assert.match(stdout, /result: FAILED/);
    assert.ok(readFileSync(html, 'utf8').includes('<svg'));
  });

  it('counts exactly over transmitter+receiver pairs, where receipts come on another socket', async () => {
    gw = await new MisbehavingGateway().start();
    const r = await runLoadgen(options('--port', String(gw.port), '--customers', '2', '--system-id', 'p{i}', '--binds', '2',
      '--bind-mode', 'pair', '--rate', '500', '--count', '120', '--drain-ms', '1500', '--settle-ms', '200'));
    assert.equal(gw.ledger.binds, 8);
    assertMatchesLedger(r, gw, false);
    assert.equal(r.binds.wanted, 8);
    assert.equal(r.binds.bound, 8);
  });

  it('with --fail-on none and nothing lost, exits 0; as fast as the window allows', async () => {
    gw = await new MisbehavingGateway(() => ({ kind: 'normal' })).start();
    const { code, stderr } = await runCli(['--port', String(gw.port), '--rate', 'max', '--window', '5', '--count', '300',
      '--multipart-ratio', '0', '--drain-ms', '3000', '--settle-ms', '100', '--progress', 'off', '--quiet']);
    assert.equal(code, 0, stderr);
    assert.equal(gw.ledger.submits, 300);
  });

  it('the bare SMPP path: against the provider simulator every accepted part gets its receipt', async () => {
    sim = await startProviderSimulator({ receiptDelayMs: 20 });
    const r = await runLoadgen(options('--port', String(sim.address.port), '--customers', '2', '--binds', '2',
      '--rate', '300', '--count', '150', '--multipart-ratio', '0.3', '--drain-ms', '5000', '--settle-ms', '200'));
    assert.equal(r.submits.accepted, sim.counters.accepted);
    assert.equal(r.submits.sent, r.submits.accepted);
    assert.equal(r.receipts.received, sim.counters.receiptsSent);
    assert.equal(r.receipts.missing, 0);
    assert.equal(r.receipts.duplicates, 0);
    assert.equal(r.receipts.unknown, 0);
    assert.deepEqual(r.receipts.byStat, { DELIVRD: r.receipts.matched });
    assert.ok(r.verdict.ok);
  });

  it('--unique-destinations sends each message, all its parts, to a destination of its own', async () => {
    sim = await startProviderSimulator({ receiptDelayMs: 10 });
    const r = await runLoadgen(options('--port', String(sim.address.port), '--binds', '2', '--rate', '300', '--count', '60',
      '--multipart-ratio', '0.5', '--unique-destinations', '--dest-prefix', '4477001', '--drain-ms', '5000', '--settle-ms', '100'));
    assert.ok(r.verdict.ok);
    const partsPer = new Map<string, number>();
    for (const m of sim.submitted) partsPer.set(m.pdu.destination_addr!, (partsPer.get(m.pdu.destination_addr!) ?? 0) + 1);
    assert.equal(partsPer.size, 60, 'one destination per message');
    assert.ok([...partsPer.keys()].every((d) => /^4477001\d{8}$/.test(d)));
    assert.ok([...partsPer.values()].some((n) => n > 1), 'a multi-part message keeps one destination for its parts');
    assert.equal([...partsPer.values()].reduce((a, b) => a + b, 0), sim.submitted.length);
  });

  it('counts simulator rejects by status (ESME_RTHROTTLED beyond its rate)', async () => {
    sim = await startProviderSimulator({ receiptDelayMs: 10, maxSubmitsPerSecond: 50 });
    const r = await runLoadgen(options('--port', String(sim.address.port), '--rate', '200', '--count', '120',
      '--multipart-ratio', '0', '--drain-ms', '3000', '--settle-ms', '100', '--fail-on', 'rejected'));
    assert.equal(r.submits.rejected, sim.counters.throttled);
    assert.ok(sim.counters.throttled > 0);
    assert.deepEqual(r.submits.rejectedByStatus, { ESME_RTHROTTLED: sim.counters.throttled });
    assert.equal(r.receipts.missing, 0);
    assert.deepEqual(r.verdict.failed, ['rejected']);
  });

  it('gives up with NoBindError (exit 3 from the CLI) when no bind succeeds', async () => {
    sim = await startProviderSimulator({ password: 'right' });
    await assert.rejects(
      runLoadgen(options('--port', String(sim.address.port), '--password', 'wrong', '--bind-timeout-ms', '300', '--count', '1')),
      (err: unknown) => err instanceof NoBindError && err.failures.ESME_RINVPASWD !== undefined,
    );
    const { code, stderr } = await runCli(['--port', String(sim.address.port), '--password', 'wrong', '--bind-timeout-ms', '300', '--count', '1', '--progress', 'off']);
    assert.equal(code, 3);
    assert.match(stderr, /no bind succeeded \(ESME_RINVPASWD/);
  });
});
