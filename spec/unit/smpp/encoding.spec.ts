import { strict as assert } from 'node:assert';
import {
  canEncodeGsm, chooseDataCoding, decodeText, encodeText, gsmSeptetCount, textAlphabet, UnencodableTextError,
} from '../../../src/smpp/encoding.js';

describe('smpp/encoding', () => {
  it('round-trips GSM extension characters as escape pairs', () => {
    const text = '€[]{}^~\\|';
    const octets = encodeText(text, 0);
    assert.equal(octets.length, 18, 'each extension character takes two octets');
    assert.deepEqual([...octets.subarray(0, 2)], [0x1b, 0x65]);
    assert.equal(decodeText(octets, 0), text);
  });

  it('maps the GSM default table, not ASCII', () => {
    assert.deepEqual([...encodeText('@£$_Ä', 0)], [0x00, 0x01, 0x02, 0x11, 0x5b]);
    assert.equal(decodeText(Buffer.from([0x00, 0x10, 0x1f, 0x5e, 0x7f]), 0), '@ΔÉÜà');
  });

  it('refuses characters outside GSM and counts septets', () => {
    assert.throws(() => encodeText('日本', 0), UnencodableTextError);
    assert.equal(canEncodeGsm('Hello {world}'), true);
    assert.equal(canEncodeGsm('Hello 😀'), false);
    assert.equal(gsmSeptetCount('Hello {world}'), 15);
    assert.equal(gsmSeptetCount('€'), 2);
    assert.equal(chooseDataCoding('plain'), 0);
    assert.equal(chooseDataCoding('naïve ☃'), 8);
  });

  it('decodes an unknown extension code as the default-table character and drops a dangling escape', () => {
    assert.equal(decodeText(Buffer.from([0x1b, 0x41, 0x42, 0x1b]), 0), 'AB');
  });

  it('round-trips UCS-2 with a surrogate pair intact', () => {
    const text = 'Hi 😀 Привет';
    const octets = encodeText(text, 8);
    assert.deepEqual([...octets.subarray(0, 4)], [0x00, 0x48, 0x00, 0x69]);
    assert.deepEqual([...octets.subarray(6, 10)], [0xd8, 0x3d, 0xde, 0x00]);
    assert.equal(decodeText(octets, 8), text);
  });

  it('handles IA5 and Latin-1', () => {
    assert.deepEqual(encodeText('abc', 1), Buffer.from('abc'));
    assert.throws(() => encodeText('é', 1), UnencodableTextError);
    assert.deepEqual([...encodeText('é', 3)], [0xe9]);
    assert.equal(decodeText(Buffer.from([0x63, 0x61, 0x66, 0xe9]), 3), 'café');
  });

  it('gives no text for binary codings', () => {
    assert.equal(decodeText(Buffer.from([1, 2, 3]), 4), undefined);
    assert.equal(decodeText(Buffer.from([1, 2, 3]), 2), undefined);
    assert.throws(() => encodeText('x', 4));
    assert.equal(textAlphabet(0xf4), 'binary');
    assert.equal(textAlphabet(0xf0), 'gsm');
    assert.equal(textAlphabet(0x18), 'ucs2');
  });
});
