import { strict as assert } from 'node:assert';
import { inspect } from 'node:util';
import { ConfigError } from '../../../src/errors.js';
import { DEFAULT_ASSEMBLER_OPTIONS, resolveAssemblerOptions } from '../../../src/actors/assembler/options.js';

describe('assembler options', () => {
  it('fills in the defaults and freezes the result', () => {
    const o = resolveAssemblerOptions({ timeoutMs: 5_000 });
    assert.equal(o.timeoutMs, 5_000);
    assert.equal(o.onTimeout, DEFAULT_ASSEMBLER_OPTIONS.onTimeout);
    assert.equal(o.maxOpenEntries, DEFAULT_ASSEMBLER_OPTIONS.maxOpenEntries);
    assert.ok(Object.isFrozen(o));
    assert.deepEqual(resolveAssemblerOptions(), DEFAULT_ASSEMBLER_OPTIONS);
  });

  it('treats an option given as undefined as not given', () => {
    assert.equal(resolveAssemblerOptions({ recentMs: undefined }).recentMs, DEFAULT_ASSEMBLER_OPTIONS.recentMs);
  });

  const bad: [string, Record<string, unknown>][] = [
    ['assembler.timeoutMs', { timeoutMs: 0 }],
    ['assembler.timeoutMs', { timeoutMs: 1.5 }],
    ['assembler.timeoutMs', { timeoutMs: '60s' }],
    ['assembler.onTimeout', { onTimeout: 'drop' }],
    ['assembler.recentMs', { recentMs: -1 }],
    ['assembler.maxOpenEntries', { maxOpenEntries: 0 }],
    ['assembler.maxRecentGroups', { maxRecentGroups: Number.POSITIVE_INFINITY }],
    ['assembler.nodeId', { nodeId: '' }],
    ['assembler.timeoutMS', { timeoutMS: 5 }],
  ];
  for (const [field, given] of bad) {
    it(`refuses ${inspect(given)} naming ${field}`, () => {
      assert.throws(
        () => resolveAssemblerOptions(given as never),
        (err: unknown) => err instanceof ConfigError && err.field === field && err.code === 'CONFIG_INVALID',
      );
    });
  }

  it('accepts the boundary values', () => {
    const o = resolveAssemblerOptions({ timeoutMs: 1, recentMs: 0, maxOpenEntries: 1, maxRecentGroups: 0, onTimeout: 'release' });
    assert.deepEqual([o.timeoutMs, o.recentMs, o.maxOpenEntries, o.maxRecentGroups, o.onTimeout], [1, 0, 1, 0, 'release']);
  });
});
