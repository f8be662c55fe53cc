import { strict as assert } from 'node:assert';
import { compileNumberOwners } from '../../../../src/domain/routing/number-owners.js';
import { ConfigError } from '../../../../src/errors.js';

describe('MO number ownership', () => {
  const owners = compileNumberOwners([
    { systemId: 'acme', numbers: ['4477009*', '447700900123'] },
    { systemId: 'beta', numbers: ['44770090012*', '+33612345678'] },
    { systemId: 'catchall', numbers: ['*'] },
  ]);

  it('gives an exact number to its owner, over any prefix', () => {
    assert.equal(owners.ownerOf('447700900123'), 'acme');
    assert.equal(owners.ownerOf('+447700900123'), 'acme');
    assert.equal(owners.ownerOf('33612345678'), 'beta');
  });

  it('gives a number to the longest prefix that covers it', () => {
    assert.equal(owners.ownerOf('447700900124'), 'beta');
    assert.equal(owners.ownerOf('447700900999'), 'acme');
    assert.equal(owners.ownerOf('4477009'), 'acme');
  });

  it('falls to * when nothing else claims the number, and to nobody without one', () => {
    assert.equal(owners.ownerOf('15550001'), 'catchall');
    const none = compileNumberOwners([{ systemId: 'acme', numbers: ['44*'] }]);
    assert.equal(none.ownerOf('15550001'), undefined);
    assert.equal(none.ownerOf('4'), undefined);
  });

  it('refuses two customers claiming one number or one prefix, naming both', () => {
    for (const [a, b] of [['447700900123', '+447700900123'], ['4477*', '4477*']] as const) {
      try {
        compileNumberOwners([{ systemId: 'acme', numbers: ['1', a] }, { systemId: 'beta', numbers: [b] }]);
        assert.fail('expected a ConfigError');
      } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        assert.equal(err.field, 'customers[1].numbers[0]');
        assert.match(err.message, /customer acme \(customers\[0\]\.numbers\[1\]\).*customer beta/);
      }
    }
  });

  it('lets one customer list a number twice, and a prefix and a number inside it go to different customers', () => {
    const o = compileNumberOwners([{ systemId: 'acme', numbers: ['44*', '44*'] }, { systemId: 'beta', numbers: ['4412'] }]);
    assert.equal(o.ownerOf('4412'), 'beta');
    assert.equal(o.ownerOf('4413'), 'acme');
  });
});
