import { strict as assert } from 'node:assert';
import { concatPart, PayloadFactory, seededRandom } from '../../../scripts/loadgen/payloads.js';
import { decodeText } from '../../../src/smpp/encoding.js';
import { parseConcatUdh } from '../../../src/smpp/udh.js';

describe('loadgen payloads', () => {
  it('sends the configured mix of single/multi-part and GSM/UCS-2 messages', () => {
    const f = new PayloadFactory({ multipartRatio: 0.3, ucs2Ratio: 0.25, minParts: 2, maxParts: 4 }, seededRandom(42));
    let multi = 0;
    let ucs2 = 0;
    const N = 20_000;
    for (let i = 0; i < N; i++) {
      const m = f.next();
      if (m.parts.length > 1) multi++;
      if (m.encoding === 'ucs2') ucs2++;
      assert.ok(m.parts.length <= 4);
      assert.equal(m.dataCoding, m.encoding === 'gsm' ? 0 : 8);
    }
    assert.ok(Math.abs(multi / N - 0.3) < 0.02, `multi ${multi / N}`);
    assert.ok(Math.abs(ucs2 / N - 0.25) < 0.02, `ucs2 ${ucs2 / N}`);
  });

  it('keeps every part within the octet limits and decodable', () => {
    const f = new PayloadFactory({ multipartRatio: 0.5, ucs2Ratio: 0.5, minParts: 2, maxParts: 3 }, seededRandom(1));
    for (let i = 0; i < 500; i++) {
      const m = f.next();
      const limit = m.parts.length === 1 ? (m.encoding === 'gsm' ? 160 : 140) : (m.encoding === 'gsm' ? 153 : 134);
      for (const p of m.parts) {
        assert.ok(p.length > 0 && p.length <= limit, `${m.encoding} part of ${p.length}`);
        if (m.encoding === 'ucs2') assert.equal(p.length % 2, 0);
        assert.ok(!(decodeText(p, m.dataCoding) ?? '').includes('\ufffd'));
      }
    }
  });

  it('sends only single-part messages when the ratio is 0', () => {
    const f = new PayloadFactory({ multipartRatio: 0, ucs2Ratio: 0, minParts: 2, maxParts: 3 }, seededRandom(3));
    for (let i = 0; i < 200; i++) assert.equal(f.next().parts.length, 1);
  });

  it('prefixes a part with the 8-bit concatenation UDH', () => {
    const part = concatPart(Buffer.from('abc'), 200, 3, 2);
    assert.deepEqual([...part.subarray(0, 6)], [0x05, 0x00, 0x03, 200, 3, 2]);
    assert.equal(part.subarray(6).toString(), 'abc');
    assert.deepEqual(parseConcatUdh(part), { ref: 200, total: 3, seq: 2, refBits: 8, udhLength: 6 });
  });
});
