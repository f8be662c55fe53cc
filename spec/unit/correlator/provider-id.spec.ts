import { strict as assert } from 'node:assert';
import { canonicalProviderId, decimalIdToHex, hexIdToDecimal, receiptIdCandidates } from '../../../src/domain/provider-id.js';
import { normalizeProviderId } from '../../../src/domain/ids.js';

describe('provider message id normalization', () => {
  it('gives case and zero-padding variants of a hex id one key', () => {
    assert.equal(canonicalProviderId('0000A1F'), 'a1f');
    assert.equal(canonicalProviderId(' a1f '), 'a1f');
    assert.equal(canonicalProviderId('000'), '0');
    assert.equal(canonicalProviderId('00123'), '123');
    assert.equal(normalizeProviderId('00ABC'), 'abc');
  });

  it('keeps an id that is not a number verbatim', () => {
    assert.equal(canonicalProviderId('0Ab-12'), '0Ab-12');
    assert.equal(canonicalProviderId('msg_XYZ'), 'msg_XYZ');
  });

  it('converts between decimal and hex spellings', () => {
    assert.equal(decimalIdToHex('4660'), '1234');
    assert.equal(hexIdToDecimal('1234'), '4660');
    assert.equal(hexIdToDecimal('FFFFFFFFFFFFFFFF'), '18446744073709551615');
    assert.equal(decimalIdToHex('18446744073709551615'), 'ffffffffffffffff');
    assert.equal(decimalIdToHex('12ab'), undefined);
    assert.equal(hexIdToDecimal('xyz'), undefined);
  });

  it('same: only the id as sent', () => {
    assert.deepEqual(receiptIdCandidates('00AB12', 'same'), ['ab12']);
  });

  it('hexToDecimal: a decimal receipt id finds the hex id of submit_sm_resp', () => {
    // submit_sm_resp said 0A1B2C3D (hex); the receipt says 169552957 (the same number in decimal).
    const stored = canonicalProviderId('0A1B2C3D');
    assert.deepEqual(receiptIdCandidates('169552957', 'hexToDecimal'), [stored]);
  });

  it('decimalToHex: a hex receipt id finds the decimal id of submit_sm_resp', () => {
    const stored = canonicalProviderId('0169552957');
    assert.deepEqual(receiptIdCandidates('A1B2C3D', 'decimalToHex'), [stored]);
  });

  it('auto: as sent first, then decimal→hex, then hex→decimal', () => {
    assert.deepEqual(receiptIdCandidates('4660', 'auto'), ['4660', '1234', '18016']);
    assert.deepEqual(receiptIdCandidates('00AB', 'auto'), ['ab', '171']);
    assert.deepEqual(receiptIdCandidates('id-7', 'auto'), ['id-7']);
  });

  it('auto finds the stored id in every mixed form', () => {
    const stored = new Set([canonicalProviderId('0A1B2C3D'), canonicalProviderId('98765')]);
    const found = (receiptId: string) => receiptIdCandidates(receiptId, 'auto').find((k) => stored.has(k));
    assert.equal(found('a1b2c3d'), 'a1b2c3d');
    assert.equal(found('169552957'), 'a1b2c3d');
    assert.equal(found('0000098765'), '98765');
    assert.equal(found(Number(98765).toString(16).toUpperCase()), '98765');
    assert.equal(found('1'), undefined);
  });
});
