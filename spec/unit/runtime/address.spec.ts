import { strict as assert } from 'node:assert';
import {
  addressDepth,
  addressName,
  childAddress,
  formatAddress,
  InvalidAddressError,
  parentAddress,
  parseAddress,
  rootAddress,
  sameAddress,
} from '../../../src/runtime/index.js';

describe('runtime/address', () => {
  it('formats and parses back to equal plain data', () => {
    const a = childAddress(rootAddress('node-1', 'assembler'), 'p-3');
    assert.equal(formatAddress(a), 'actor://node-1/assembler/p-3');
    const parsed = parseAddress(formatAddress(a));
    assert.deepEqual(parsed, a);
    assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
  });

  it('walks the hierarchy', () => {
    const root = rootAddress('s', 'a');
    const child = childAddress(root, 'b');
    assert.equal(addressName(child), 'b');
    assert.equal(addressDepth(root), 0);
    assert.equal(addressDepth(child), 1);
    const parent = parentAddress(child);
    assert.ok(parent !== null && sameAddress(parent, root));
    assert.equal(parentAddress(root), null);
  });

  it('rejects bad names and malformed addresses', () => {
    assert.throws(() => rootAddress('s', 'a/b'), InvalidAddressError);
    assert.throws(() => rootAddress('s', ''), InvalidAddressError);
    assert.throws(() => childAddress(rootAddress('s', 'a'), 'with space'), InvalidAddressError);
    assert.throws(() => parseAddress('http://s/a'), InvalidAddressError);
    assert.throws(() => parseAddress('actor://s'), InvalidAddressError);
    assert.throws(() => parseAddress('actor://s/a//b'), (err: unknown) => err instanceof InvalidAddressError && err.code === 'ADDRESS_INVALID');
  });
});
