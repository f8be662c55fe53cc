import { strict as assert } from 'node:assert';
import { buildConcatUdh, concatInfoOf, parseConcatUdh, parseUdh, splitUdh } from '../../../src/smpp/udh.js';

describe('smpp/udh', () => {
  it('parses an 8-bit reference concatenation header', () => {
    const sm = Buffer.from([0x05, 0x00, 0x03, 0xa7, 0x03, 0x02, 0x41, 0x42]);
    assert.deepEqual(parseConcatUdh(sm), { ref: 0xa7, total: 3, seq: 2, refBits: 8, udhLength: 6 });
  });

  it('parses a 16-bit reference concatenation header after another element', () => {
    const sm = Buffer.from([0x09, 0x24, 0x01, 0x00, 0x08, 0x04, 0x12, 0x34, 0x02, 0x01, 0x41]);
    assert.deepEqual(parseConcatUdh(sm), { ref: 0x1234, total: 2, seq: 1, refBits: 16, udhLength: 10 });
    assert.equal(parseUdh(sm)?.elements.length, 2);
  });

  it('rejects malformed or invalid headers', () => {
    assert.equal(parseConcatUdh(Buffer.from([0x05, 0x00, 0x03, 0x01])), null, 'UDHL past the end');
    assert.equal(parseConcatUdh(Buffer.from([0x05, 0x00, 0x03, 0x01, 0x02, 0x03])), null, 'seq > total');
    assert.equal(parseConcatUdh(Buffer.from([0x05, 0x00, 0x03, 0x01, 0x00, 0x00])), null, 'total 0');
    assert.equal(parseConcatUdh(Buffer.from([0x04, 0x00, 0x05, 0x01, 0x02])), null, 'element past UDHL');
  });

  it('builds headers that parse back', () => {
    const h8 = buildConcatUdh({ ref: 200, total: 4, seq: 4 });
    assert.deepEqual([...h8], [0x05, 0x00, 0x03, 200, 4, 4]);
    const h16 = buildConcatUdh({ ref: 0xbeef, total: 2, seq: 1, refBits: 16 });
    assert.deepEqual(parseConcatUdh(h16), { ref: 0xbeef, total: 2, seq: 1, refBits: 16, udhLength: 7 });
    assert.throws(() => buildConcatUdh({ ref: 300, total: 2, seq: 1 }));
    assert.throws(() => buildConcatUdh({ ref: 1, total: 2, seq: 3 }));
  });

  it('splits UDH from text only when UDHI is set', () => {
    const sm = Buffer.from([0x05, 0x00, 0x03, 0x01, 0x02, 0x01, 0x48, 0x69]);
    assert.deepEqual(splitUdh(sm, 0x40).body, Buffer.from('Hi'));
    assert.equal(splitUdh(sm, 0x00).body.length, 8);
  });

  it('reads concatenation from UDH or SAR TLVs', () => {
    assert.deepEqual(concatInfoOf({ esm_class: 0x40, short_message: buildConcatUdh({ ref: 9, total: 2, seq: 2 }) }),
      { ref: 9, total: 2, seq: 2, refBits: 8 });
    assert.deepEqual(concatInfoOf({ esm_class: 0, sar_msg_ref_num: 300, sar_total_segments: 3, sar_segment_seqnum: 1 }),
      { ref: 300, total: 3, seq: 1, refBits: 16 });
    assert.equal(concatInfoOf({ esm_class: 0, short_message: Buffer.from('plain') }), null);
  });
});
