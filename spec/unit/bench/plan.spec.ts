import { strict as assert } from 'node:assert';
import { validateConfig } from '../../../src/config/validate.js';
import { ConfigError } from '../../../src/errors.js';
import { parseLoadgenArgs, type LoadgenOptions } from '../../../scripts/loadgen/options.js';
import { parseBenchArgs, type BenchOptions } from '../../../scripts/bench/options.js';
import { customersOf, gatewayConfig, generatorRun, nodeIdOf, simulatorArgs } from '../../../scripts/bench/plan.js';
import { drainSecFor, meanParts, SCENARIOS } from '../../../scripts/bench/scenarios.js';

function bench(...argv: string[]): BenchOptions {
  const r = parseBenchArgs(argv);
  assert.equal(r.help, false);
  return (r as { options: BenchOptions }).options;
}

function loadgen(argv: string[]): LoadgenOptions {
  const r = parseLoadgenArgs(argv);
  assert.equal(r.help, false);
  return (r as { options: LoadgenOptions }).options;
}

const infra = { brokers: ['127.0.0.1:9092'], redisUrl: 'redis://127.0.0.1:6379', prefix: 'bench-steady-abc-12.' };

describe('bench: options and scenarios', () => {
  it('takes the scenario defaults and lets each flag override them', () => {
    const d = bench('--scenario', 'many-binds');
    assert.equal(d.scenario.customers * d.scenario.binds, 1000);
    assert.equal(d.scenario.baseline, true);
    assert.equal(d.nodes, 1);
    const o = bench('--scenario', 'steady', '--duration', '15', '--rate', 'max', '--nodes', '2', '--baseline', 'off', '--multipart-ratio', '0.5', '--parts', '3-5', '--profile');
    assert.equal(o.scenario.durationSec, 15);
    assert.equal(o.scenario.rate, Infinity);
    assert.equal(o.scenario.baseline, false);
    assert.deepEqual([o.scenario.multipartRatio, o.scenario.minParts, o.scenario.maxParts], [0.5, 3, 5]);
    assert.equal(o.profile, true);
    assert.ok(Object.isFrozen(o) && Object.isFrozen(o.scenario));
    assert.equal(SCENARIOS.steady.durationSec, 60, 'the defaults are untouched');
  });

  it('names the flag and the bad value in errors', () => {
    const fails = (field: string, ...argv: string[]) => assert.throws(() => parseBenchArgs(argv), (e: unknown) => e instanceof ConfigError && e.field === field);
    fails('--scenario', '--scenario', 'nope');
    fails('--rate', '--rate=-3');
    fails('--duration', '--duration', 'soon');
    fails('--parts', '--parts', '5-2');
    fails('--baseline', '--baseline', 'maybe');
    fails('--customers', '--nodes', '3', '--customers', '2');
    fails('--gateway-log-level', '--gateway-log-level', 'warn');
    fails('arguments', '--bogus');
  });

  it('waits for the backlog a throttled provider leaves, and only a margin otherwise', () => {
    const t = SCENARIOS.throttled;
    // 100/s for 30 s into a provider taking 50/s: 1500 parts left after sending, 30 s to drain.
    assert.equal(drainSecFor(t), 30 + 30);
    assert.equal(bench('--scenario', 'throttled').drainSec, 60);
    assert.equal(drainSecFor(SCENARIOS.steady), 30);
    assert.equal(drainSecFor(SCENARIOS.peak), 30);
    assert.equal(bench('--drain', '5').drainSec, 5);
    assert.equal(meanParts({ multipartRatio: 0.8, minParts: 2, maxParts: 4 }), 0.2 + 0.8 * 3);
  });
});

describe('bench: what gets started', () => {
  it('shares the customers out over the generators, each with its own names', () => {
    const o = bench('--scenario', 'many-binds', '--nodes', '3');
    const all = [0, 1, 2].map((g) => customersOf(o, g));
    assert.deepEqual(all.map((c) => c.length), [4, 3, 3]);
    assert.deepEqual(all[1]!.map((c) => c.systemId), ['b2c1', 'b2c2', 'b2c3']);
    assert.equal(new Set(all.flat().map((c) => c.systemId)).size, 10);
  });

  it('writes a valid gateway configuration per node: own id, any free port, every customer with room for its binds', () => {
    const o = bench('--scenario', 'many-binds', '--nodes', '2', '--threads', '1', '--partitions', '6');
    const a = validateConfig(gatewayConfig(o, infra, 0, 40000));
    const b = validateConfig(gatewayConfig(o, infra, 1, 40000));
    assert.notEqual(a.nodeId, b.nodeId);
    assert.equal(a.nodeId, nodeIdOf(infra.prefix, 0));
    assert.equal(a.listeners[0]!.port, 0);
    assert.equal(a.threads, 1);
    assert.equal(a.kafka.topicPrefix, infra.prefix);
    assert.equal(a.kafka.partitions.messages, 6);
    assert.equal(a.redis.keyPrefix, infra.prefix);
    assert.equal(a.customers.length, 10);
    assert.ok(a.customers.every((c) => c.maxBinds >= 100));
    assert.deepEqual(a.providers.map((p) => [p.port, p.rate]), [[40000, 2000]]);
    assert.equal(a.routes[0]!.kind, 'static');
  });

  it('spreads the route over several provider connections by weight, at the throttled rate', () => {
    const o = bench('--scenario', 'throttled', '--provider-binds', '2');
    const c = validateConfig(gatewayConfig(o, infra, 0, 1));
    assert.deepEqual(c.providers.map((p) => [p.id, p.rate]), [['sim1', 50], ['sim2', 50]]);
    assert.equal(c.routes[0]!.kind, 'weighted');
    assert.deepEqual(simulatorArgs(o).slice(-4), ['--max-submits-per-second', '50', '--log-level', 'info']);
    assert.ok(!simulatorArgs(bench()).includes('--max-submits-per-second'));
  });

  it('gives each generator arguments the load generator accepts: its customers, its share of the rate, the mix', () => {
    const o = bench('--scenario', 'multipart', '--nodes', '2', '--rate', '100', '--duration', '12', '--seed', '5');
    const r = generatorRun(o, 'gateway', 1, 4242, '/tmp/x');
    const l = loadgen(r.argv);
    assert.equal(l.port, 4242);
    assert.deepEqual(l.customers.map((c) => c.systemId), ['b2c1']);
    assert.equal(l.rate, 50);
    assert.equal(l.durationMs, 12_000);
    assert.equal(l.binds, 2);
    assert.deepEqual([l.multipartRatio, l.minParts, l.maxParts], [0.8, 2, 4]);
    assert.equal(l.seed, 6);
    assert.equal(l.json, '/tmp/x/gateway-2.json');
    assert.equal(r.html, '/tmp/x/gateway-2.html');
    const peak = loadgen(generatorRun(bench('--scenario', 'peak'), 'baseline', 0, 1, '/tmp/x').argv);
    assert.equal(peak.rate, Infinity);
    const warm = loadgen(generatorRun(o, 'warmup', 0, 1, '/tmp/x').argv);
    assert.deepEqual([warm.binds, warm.durationMs, warm.rate], [1, 5000, 10]);
  });

  it('gives the many-binds generator 1,000 sessions and time to bind them', () => {
    const l = loadgen(generatorRun(bench('--scenario', 'many-binds'), 'gateway', 0, 1, '/tmp/x').argv);
    assert.equal(l.customers.length * l.binds, 1000);
    assert.ok(l.bindTimeoutMs >= 30_000);
  });
});

describe('bench: the capacity scenario and the cost window', () => {
  it('steps from --rate by --step-factor up to --max-rate, --duration per step, and refuses what makes no sense', () => {
    const d = bench('--scenario', 'capacity');
    assert.deepEqual(d.scenario.steps, { factor: 1.25, maxRate: 10_000 });
    assert.deepEqual([d.scenario.rate, d.scenario.durationSec, d.scenario.baseline, d.drainSec], [200, 20, true, 15]);
    const o = bench('--scenario', 'capacity', '--rate', '400', '--duration', '8', '--step-factor', '1.5', '--max-rate', '2000');
    assert.deepEqual(o.scenario.steps, { factor: 1.5, maxRate: 2000 });
    assert.deepEqual([o.scenario.rate, o.scenario.durationSec], [400, 8]);
    assert.equal(bench('--scenario', 'steady').scenario.steps, undefined);
    const fails = (field: string, ...argv: string[]) => assert.throws(() => parseBenchArgs(argv), (e: unknown) => e instanceof ConfigError && e.field === field);
    fails('--step-factor', '--scenario', 'capacity', '--step-factor', '1');
    fails('--step-factor', '--scenario', 'steady', '--step-factor', '1.5');
    fails('--max-rate', '--scenario', 'peak', '--max-rate', '100');
    fails('--max-rate', '--scenario', 'capacity', '--rate', '500', '--max-rate', '400');
    fails('--rate', '--scenario', 'capacity', '--rate', 'max');
  });

  it('gives each step its own files and rate, and every run asks the generator to mark its measured window', () => {
    const o = bench('--scenario', 'capacity', '--nodes', '2', '--rate', '400');
    const r = generatorRun(o, 'gateway', 1, 4242, '/tmp/x', { n: 3, rate: 625 });
    const l = loadgen(r.argv);
    assert.equal(l.rate, 312.5, 'half the step rate per generator');
    assert.equal(l.durationMs, 20_000);
    assert.equal(l.markPhases, true);
    assert.equal(r.name, 'gateway-s3-2');
    assert.equal(l.json, '/tmp/x/gateway-s3-2.json');
    assert.match(r.label, /capacity gateway step 3 \(625\/s\) \(generator 2\/2\)/);
    const plain = generatorRun(bench(), 'baseline', 0, 1, '/tmp/x');
    assert.equal(plain.name, 'baseline-1');
    assert.equal(loadgen(plain.argv).markPhases, true);
  });
});
