import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';

/**
 * Every command a user or developer runs answers --help with its usage (exit 0) and a flag it
 * does not know with what is wrong and the usage (exit 2), never a stack trace; and a bad value
 * of a numeric flag is named.
 */
const COMMANDS: { path: string; badValue?: string[] }[] = [
  { path: 'dist/src/main.js' },
  { path: 'dist/src/cli/main.js' },
  { path: 'dist/scripts/send-sms.js', badValue: ['--port', 'abc'] },
  { path: 'dist/scripts/fuzz/main.js', badValue: ['--seconds', 'x'] },
  { path: 'dist/scripts/faults/main.js', badValue: ['--rate', 'fast'] },
  { path: 'dist/scripts/bench/main.js', badValue: ['--scenario', 'steady', '--rate', 'x'] },
  { path: 'dist/scripts/loadgen/main.js', badValue: ['--rate', 'x'] },
  { path: 'dist/scripts/provider-simulator.js', badValue: ['--port', 'x'] },
  { path: 'dist/scripts/hash-password.js' },
  { path: 'dist/scripts/mint-api-key.js' },
  { path: 'dist/scripts/bench-submit.js', badValue: ['--binds', '0'] },
  { path: 'dist/scripts/bench-stage.js', badValue: ['--records', 'many'] },
  { path: 'dist/scripts/bench-assembler.js', badValue: ['--threads', '1,x'] },
  { path: 'dist/scripts/run-stages.js' },
];

function run(path: string, args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [path, ...args], { encoding: 'utf8', timeout: 20000, stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

describe('scripts: usage, unknown flags and bad values', function () {
  this.timeout(120000);
  for (const c of COMMANDS) {
    it(`${c.path}: --help prints the usage and exits 0; an unknown flag exits 2 with the usage`, () => {
      const help = run(c.path, ['--help']);
      assert.equal(help.status, 0, help.err);
      assert.match(help.out, /usage/i);
      const bad = run(c.path, ['--no-such-flag']);
      assert.equal(bad.status, 2, `${bad.out}${bad.err}`);
      assert.match(bad.err, /no-such-flag/);
      assert.match(bad.err, /usage/i, 'the usage follows the error');
      assert.doesNotMatch(bad.err, /\n\s+at /, 'no stack trace');
      if (c.badValue) {
        const v = run(c.path, c.badValue);
        assert.equal(v.status, 2, `${v.out}${v.err}`);
        assert.match(v.err, new RegExp(c.badValue.at(-2)!.replace(/[-]/g, '\\-')), 'the error names the flag');
        assert.doesNotMatch(v.err, /\n\s+at /, 'no stack trace');
      }
    });
  }

  it('send-sms against a closed port says so in one line and exits 1', () => {
    const r = run('dist/scripts/send-sms.js', ['--port', '1', '--wait-ms', '100']);
    assert.equal(r.status, 1);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err, /cannot reach the gateway at 127\.0\.0\.1:1/);
  });
});
