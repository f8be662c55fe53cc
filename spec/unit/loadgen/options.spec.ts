import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeOptions, LOADGEN_DEFAULTS, parseLoadgenArgs, type LoadgenOptions } from '../../../scripts/loadgen/options.js';
import { ConfigError } from '../../../src/errors.js';

function parse(...argv: string[]): LoadgenOptions {
  const r = parseLoadgenArgs(argv);
  assert.equal(r.help, false);
  return (r as { options: LoadgenOptions }).options;
}

function refused(argv: string[], field: string): void {
  assert.throws(() => parseLoadgenArgs(argv), (err: unknown) => err instanceof ConfigError && err.field === field, `${argv.join(' ')} → ${field}`);
}

describe('loadgen options', () => {
  it('has defaults for everything: one demo customer, one transceiver, 100/s for 10 s', () => {
    const o = parse();
    assert.deepEqual(o.customers, [{ systemId: 'demo', password: 'demo' }]);
    assert.equal(o.binds, 1);
    assert.equal(o.bindMode, 'transceiver');
    assert.equal(o.rate, 100);
    assert.equal(o.durationMs, 10_000);
    assert.equal(o.count, undefined);
    assert.deepEqual(o.failOn, LOADGEN_DEFAULTS.failOn);
    assert.equal(o.progress, 'lines');
    assert.ok(Object.isFrozen(o));
  });

  it('numbers customers with {i} and reads a rate of max as unlimited', () => {
    const o = parse('--system-id', 'load{i}', '--password', 'pw{i}', '--customers', '3', '--binds', '4', '--bind-mode', 'pair',
      '--rate', 'max', '--count', '500', '--parts', '2-5', '--fail-on', 'missing,unknown,errors');
    assert.deepEqual(o.customers.map((c) => `${c.systemId}/${c.password}`), ['load1/pw1', 'load2/pw2', 'load3/pw3']);
    assert.equal(o.rate, Infinity);
    assert.equal(o.count, 500);
    assert.equal(o.durationMs, undefined, 'a count alone runs until the count is reached');
    assert.deepEqual([o.minParts, o.maxParts], [2, 5]);
    assert.deepEqual(o.failOn, ['missing', 'unknown', 'errors']);
    assert.equal(describeOptions(o).rate, 'max');
    assert.ok(!JSON.stringify(describeOptions(o)).includes('pw1'), 'reports never carry passwords');
  });

  it('reads credentials from a JSON file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadgen-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, JSON.stringify([{ systemId: 'a', password: 'x' }, { systemId: 'b', password: 'y' }]));
    assert.deepEqual(parse('--credentials', file).customers.map((c) => c.systemId), ['a', 'b']);
    assert.deepEqual(parse('--credentials', file, '--customers', '1').customers.map((c) => c.systemId), ['a']);
    refused(['--credentials', file, '--customers', '3'], '--customers');
    writeFileSync(file, '[{"systemId": 1}]');
    refused(['--credentials', file], '--credentials[0]');
  });

  it('names the flag and the value it refuses', () => {
    refused(['--rate=-5'], '--rate');
    refused(['--binds', '0'], '--binds');
    refused(['--multipart-ratio', '1.5'], '--multipart-ratio');
    refused(['--parts', '1-3'], '--parts');
    refused(['--bind-mode', 'both'], '--bind-mode');
    refused(['--fail-on', 'missing,lateness'], '--fail-on');
    refused(['--port', '70000'], '--port');
    refused(['--system-id', 'a-system-id-too-long'], 'customers[0].systemId');
    refused(['--no-such-flag'], 'arguments');
    assert.match(String((() => { try { parseLoadgenArgs(['--rate', 'fast']); } catch (e) { return (e as Error).message; } })()), /--rate: .*\(got "fast"\)/);
  });

  it('--unique-destinations is off by default and leaves 8 digits after the prefix', () => {
    assert.equal(parse().uniqueDestinations, false);
    assert.equal(parse('--unique-destinations').uniqueDestinations, true);
    refused(['--unique-destinations', '--dest-prefix', '4477009123456'], '--dest-prefix');
  });

  it('--fail-on none never fails the run', () => {
    assert.deepEqual(parse('--fail-on', 'none').failOn, []);
  });

  it('--help asks for the help text', () => {
    assert.deepEqual(parseLoadgenArgs(['--help']), { help: true });
  });
});
