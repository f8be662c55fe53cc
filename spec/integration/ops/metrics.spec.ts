import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import type { Esme } from '../../../scripts/lib/esme-client.js';
import { uniquePrefix, waitFor } from '../../support/env.js';
import { startGateway, type RunningGateway } from '../../support/gateway-process.js';
import { parseSamples, samples, total } from '../../support/prometheus-text.js';
import { bindCustomer, outboundConfig, receiptsFor, submitMany } from '../supplier/support.js';

const TOKEN = 'spec-metrics-token-0123456789';

async function scrape(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: AbortSignal.timeout(10000) });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return res.text();
}

describe('admin listener: /metrics of a gateway started as users start it', function () {
  this.timeout(180000);
  const prefix = uniquePrefix('metrics');
  let sim: ProviderSimulator;
  let gw: RunningGateway;
  let esme: Esme | undefined;

  before(async () => {
    sim = await startProviderSimulator({ systemId: 'gw', password: 'gwpass', receiptDelayMs: 20 });
    gw = await startGateway(outboundConfig(prefix, [{ id: 'p', port: sim.address.port }], [{ provider: 'p' }], {
      admin: { host: '127.0.0.1', port: 0, token: TOKEN },
    }));
  });
  after(async () => {
    esme?.close();
    await gw?.stop();
    await sim?.close();
  });

  it('needs the bearer token like the other admin paths', async () => {
    const res = await fetch(`http://127.0.0.1:${gw.adminPort!}/metrics`, { signal: AbortSignal.timeout(10000) });
    assert.equal(res.status, 401);
  });

  it('passes promtool check metrics, with each metric once however many worker threads count it', async () => {
    // The provider bind is up once the supplier stage runs on a worker.
    const text = await waitFor('the provider bind in the metrics', async () => {
      const t = await scrape(gw.adminPort!);
      return total(t, 'smsgw_provider_bind_state', { provider: 'p', state: 'bound' }) === 1 ? t : undefined;
    }, 60000, 250);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(check.error, undefined, `promtool could not run: ${check.error?.message}`);
    assert.equal(check.status, 0, `promtool check metrics: ${check.stdout}${check.stderr}`);

    const types = text.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]!);
    assert.deepEqual(types.filter((t, i) => types.indexOf(t) !== i), [], 'no metric declared twice');
    const series = parseSamples(text).map((s) => `${s.name}${JSON.stringify(s.labels)}`);
    assert.deepEqual(series.filter((s, i) => series.indexOf(s) !== i), [], 'no series twice (threads merged, not listed)');
    // Counted on the two worker threads, reported once per stage.
    assert.deepEqual(samples(text, 'smsgw_stage_records_total').map((s) => s.labels.stage).sort(), ['assembler', 'correlator', 'delivery', 'router', 'supplier']);
    assert.equal(total(text, 'smsgw_worker_threads', { state: 'up' }), 2);
    assert.equal(total(text, 'smsgw_worker_threads', { state: 'configured' }), 2);
    assert.ok(total(text, 'process_cpu_seconds_total') > 0, 'process metrics from the main thread');
    assert.equal(samples(text, 'process_cpu_seconds_total').length, 1, 'process metrics once, not once per thread');
  });

  it('moves its submit, provider and receipt counters by exactly the messages sent', async () => {
    const before = await scrape(gw.adminPort!);
    esme = await bindCustomer(gw.port);
    const bound = await waitFor('the session in the metrics', async () => {
      const t = await scrape(gw.adminPort!);
      return total(t, 'smsgw_sessions', { customer: 'acme', bind_type: 'transceiver' }) === 1 ? t : undefined;
    }, 10000, 100);
    assert.ok(bound);

    const n = 17;
    const sent = await submitMany(esme, 'metrics', n);
    const refused = await esme.submit('', 'no destination');
    assert.notEqual(refused.command_status, 0);
    await receiptsFor(esme, sent);

    const after = await waitFor('every receipt counted', async () => {
      const t = await scrape(gw.adminPort!);
      return total(t, 'smsgw_deliveries_total', { kind: 'receipt', customer: 'acme' }) - total(before, 'smsgw_deliveries_total', { kind: 'receipt', customer: 'acme' }) >= n ? t : undefined;
    }, 10000, 100);
    const moved = (name: string, labels: Record<string, string>) => total(after, name, labels) - total(before, name, labels);
    assert.equal(moved('smsgw_submits_total', { customer: 'acme', status: 'ESME_ROK' }), n);
    assert.equal(moved('smsgw_submits_total', { customer: 'acme' }), n + 1, 'the refused submit counted under its own status');
    assert.equal(moved('smsgw_parts_accepted_total', { customer: 'acme' }), n);
    assert.equal(moved('smsgw_submit_response_seconds_count', { status: 'ESME_ROK' }), n);
    assert.equal(moved('smsgw_provider_submits_total', { provider: 'p', status: 'ESME_ROK' }), n);
    assert.equal(moved('smsgw_provider_submit_seconds_count', { provider: 'p' }), n);
    assert.equal(moved('smsgw_deliveries_total', { kind: 'receipt', customer: 'acme', stat: 'DELIVRD' }), n);
    assert.equal(moved('smsgw_submit_to_receipt_seconds_count', { stat: 'DELIVRD' }), n);
    assert.ok(moved('smsgw_stage_records_total', { stage: 'supplier' }) >= n);
    assert.equal(total(after, 'smsgw_dead_letters_total'), 0);
  });
});
