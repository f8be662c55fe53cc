import { strict as assert } from 'node:assert';
import { bodyCapacity, chunkBody, concatRef, MessageTooLongError, splitForProvider, type SplitOptions } from '../../../src/actors/supplier/split.js';
import type { MessageRecord } from '../../../src/domain/records.js';
import { decodeText, encodeText } from '../../../src/smpp/encoding.js';
import { parseConcatUdh, splitUdh } from '../../../src/smpp/udh.js';

function message(body: Buffer, dataCoding: number, over: Partial<MessageRecord> = {}): MessageRecord {
  return {
    id: '0190a1b2c3d4e5f6a7b8c9d0', customer: 'acme',
    source: { ton: 5, npi: 0, addr: 'ACME' }, destination: { ton: 1, npi: 1, addr: '447700900001' },
    serviceType: '', esmClass: 0, protocolId: 0, priority: 0, registeredDelivery: 1, dataCoding,
    body: body.toString('base64'), partIds: ['x'], acceptedAt: 0, node: 'n', ...over,
  };
}

const gsm = (text: string) => message(encodeText(text, 0), 0);
const ucs2 = (text: string) => message(encodeText(text, 8), 8);
const udh8: SplitOptions = { concatenation: 'udh8' };

/** The user data of each part without its UDH. */
function bodies(submits: { short_message?: Buffer; esm_class?: number }[]): Buffer[] {
  return submits.map((s) => splitUdh(s.short_message!, s.esm_class!).body);
}

describe('splitting for a provider', () => {
  it('passes the customer\'s schedule and validity on to every part, as absolute UTC times', () => {
    const m = message(encodeText('a'.repeat(200), 0), 0, { scheduledAt: Date.UTC(2026, 11, 1, 8, 30), validUntil: Date.UTC(2026, 11, 2, 8, 30, 15) });
    const { submits } = splitForProvider(m, udh8);
    assert.equal(submits.length, 2);
    for (const s of submits) {
      assert.equal(s.schedule_delivery_time, '261201083000000+');
      assert.equal(s.validity_period, '261202083015000+');
    }
    const plain = splitForProvider(gsm('hi'), udh8).submits[0]!;
    assert.equal(plain.schedule_delivery_time, undefined);
    assert.equal(plain.validity_period, undefined);
  });

  describe('sizes', () => {
    it('sends 160 GSM septets as one part without a header, and 161 as two of 153 and 8', () => {
      const one = splitForProvider(gsm('a'.repeat(160)), udh8);
      assert.equal(one.parts, 1);
      assert.equal(one.submits[0]!.short_message!.length, 160);
      assert.equal(one.submits[0]!.esm_class! & 0x40, 0);
      const two = splitForProvider(gsm('a'.repeat(161)), udh8);
      assert.equal(two.parts, 2);
      assert.deepEqual(bodies(two.submits).map((b) => b.length), [153, 8]);
    });

    it('sends 70 UCS-2 characters as one part, and 71 as 67 and 4', () => {
      assert.equal(splitForProvider(ucs2('ж'.repeat(70)), udh8).parts, 1);
      const two = splitForProvider(ucs2('ж'.repeat(71)), udh8);
      assert.deepEqual(bodies(two.submits).map((b) => b.length / 2), [67, 4]);
    });

    it('sends 140 octets of 8-bit data as one part, and 141 as 134 and 7', () => {
      assert.equal(splitForProvider(message(Buffer.alloc(140, 0xab), 4), udh8).parts, 1);
      const two = splitForProvider(message(Buffer.alloc(141, 0xab), 4), udh8);
      assert.deepEqual(bodies(two.submits).map((b) => b.length), [134, 7]);
    });

    it('makes parts one unit smaller with a 16-bit reference: 152 septets, 66 characters, 133 octets', () => {
      const g = splitForProvider(gsm('a'.repeat(305)), { concatenation: 'udh16' });
      assert.deepEqual(bodies(g.submits).map((b) => b.length), [152, 152, 1]);
      const u = splitForProvider(ucs2('ж'.repeat(133)), { concatenation: 'udh16' });
      assert.deepEqual(bodies(u.submits).map((b) => b.length / 2), [66, 66, 1]);
      const b = splitForProvider(message(Buffer.alloc(267), 2), { concatenation: 'udh16' });
      assert.deepEqual(bodies(b.submits).map((x) => x.length), [133, 133, 1]);
    });

    it('computes the room for any UDH length', () => {
      assert.equal(bodyCapacity('gsm7', 0), 160);
      assert.equal(bodyCapacity('gsm7', 6), 153);
      assert.equal(bodyCapacity('gsm7', 7), 152);
      assert.equal(bodyCapacity('ucs2', 6), 134);
      assert.equal(bodyCapacity('latin1', 7), 133);
    });

    it('counts extension characters as two septets when deciding to split', () => {
      assert.equal(splitForProvider(gsm('€'.repeat(80)), udh8).parts, 1);
      assert.equal(splitForProvider(gsm(`${'€'.repeat(80)}a`), udh8).parts, 2);
    });
  });

  describe('never splitting a character', () => {
    it('moves a GSM escape pair that would straddle the boundary to the next part', () => {
      // 152 plain septets then '€' (1B 65): the pair would take septets 153 and 154.
      const text = `${'a'.repeat(152)}€${'b'.repeat(10)}`;
      const parts = bodies(splitForProvider(gsm(text), udh8).submits);
      assert.deepEqual(parts.map((b) => b.length), [152, 12]);
      assert.equal(parts[1]![0], 0x1b);
      assert.equal(parts.map((b) => decodeText(b, 0)).join(''), text);
    });

    it('keeps an escape pair that ends exactly on the boundary in the part', () => {
      const text = `${'a'.repeat(151)}€${'b'.repeat(10)}`;
      const parts = bodies(splitForProvider(gsm(text), udh8).submits);
      assert.deepEqual(parts.map((b) => b.length), [153, 10]);
    });

    it('moves a surrogate pair that would straddle the boundary to the next part', () => {
      const text = `${'ж'.repeat(66)}😀${'ж'.repeat(5)}`;
      const parts = bodies(splitForProvider(ucs2(text), udh8).submits);
      assert.deepEqual(parts.map((b) => b.length), [132, 14]);
      assert.equal(parts[1]!.readUInt16BE(0), 0xd83d);
      assert.equal(parts.map((b) => decodeText(b, 8)).join(''), text);
    });

    it('splits plain 8-bit data anywhere, 0x1B included', () => {
      const chunks = chunkBody(Buffer.alloc(10, 0x1b), 'binary', 5);
      assert.deepEqual(chunks.map((c) => c.length), [5, 5]);
    });

    it('rejoins every long text exactly, whatever the mix', () => {
      // Shifting the mix by 0..7 characters puts an escape pair across every boundary at least once.
      for (let shift = 0; shift < 8; shift++) {
        const text = 'x'.repeat(shift) + Array.from({ length: 400 }, (_, i) => (i % 7 === 0 ? '€' : i % 11 === 0 ? '[' : 'x')).join('');
        for (const concatenation of ['udh8', 'udh16', 'sar'] as const) {
          const parts = bodies(splitForProvider(gsm(text), { concatenation }).submits);
          assert.equal(parts.map((b) => decodeText(b, 0)).join(''), text, `${concatenation} shift ${shift}`);
          assert.ok(parts.every((b) => b[b.length - 1] !== 0x1b), `${concatenation} shift ${shift}: no part ends on an escape`);
        }
      }
    });
  });

  describe('shapes', () => {
    const long = () => gsm('z'.repeat(200));

    it('udh8: 05 00 03 ref total seq and UDHI in every part', () => {
      const r = splitForProvider(long(), udh8);
      assert.equal(r.ref, concatRef('0190a1b2c3d4e5f6a7b8c9d0', 8));
      r.submits.forEach((s, i) => {
        assert.equal(s.esm_class, 0x40);
        assert.deepEqual([...s.short_message!.subarray(0, 6)], [0x05, 0x00, 0x03, r.ref, 2, i + 1]);
        assert.deepEqual(parseConcatUdh(s.short_message!), { ref: r.ref, total: 2, seq: i + 1, refBits: 8, udhLength: 6 });
      });
    });

    it('udh16: 06 08 04 refhi reflo total seq', () => {
      const r = splitForProvider(long(), { concatenation: 'udh16' });
      const ref = concatRef('0190a1b2c3d4e5f6a7b8c9d0', 16);
      assert.equal(r.ref, ref);
      assert.deepEqual([...r.submits[1]!.short_message!.subarray(0, 7)], [0x06, 0x08, 0x04, ref >> 8, ref & 0xff, 2, 2]);
    });

    it('sar: no UDH, the three SAR TLVs, 153-septet parts', () => {
      const r = splitForProvider(long(), { concatenation: 'sar' });
      assert.equal(r.parts, 2);
      r.submits.forEach((s, i) => {
        assert.equal(s.esm_class! & 0x40, 0);
        assert.equal(s.sar_msg_ref_num, r.ref);
        assert.equal(s.sar_total_segments, 2);
        assert.equal(s.sar_segment_seqnum, i + 1);
      });
      assert.deepEqual(r.submits.map((s) => s.short_message!.length), [153, 47]);
    });

    it('payload: one submit_sm, empty short_message, the whole body in message_payload, segments counted', () => {
      const r = splitForProvider(long(), { concatenation: 'payload' });
      assert.equal(r.parts, 1);
      assert.equal(r.segments, 2);
      assert.equal(r.submits.length, 1);
      assert.equal(r.submits[0]!.short_message!.length, 0);
      assert.equal(decodeText(r.submits[0]!.message_payload!, 0), 'z'.repeat(200));
    });

    it('payload mode still sends a short message in short_message', () => {
      const r = splitForProvider(gsm('hi'), { concatenation: 'payload' });
      assert.equal(r.submits[0]!.message_payload, undefined);
      assert.equal(decodeText(r.submits[0]!.short_message!, 0), 'hi');
    });

    it('copies the addresses and flags, clears the messaging mode, leaves registered_delivery to the caller', () => {
      const m = { ...gsm('hi'), esmClass: 0x03, protocolId: 0x40, priority: 1, serviceType: 'CMT' };
      const s = splitForProvider(m, udh8).submits[0]!;
      assert.deepEqual(
        [s.source_addr, s.source_addr_ton, s.destination_addr, s.dest_addr_npi, s.esm_class, s.protocol_id, s.priority_flag, s.service_type, s.data_coding],
        ['ACME', 5, '447700900001', 1, 0, 0x40, 1, 'CMT', 0],
      );
      assert.equal(s.registered_delivery, undefined);
    });

    it('derives the reference from the message id: the same for a retry, different for another message', () => {
      const a = splitForProvider(long(), udh8);
      assert.equal(splitForProvider(long(), udh8).ref, a.ref);
      const refs = new Set(Array.from({ length: 50 }, (_, i) => splitForProvider({ ...long(), id: `m${i}` }, { concatenation: 'udh16' }).ref));
      assert.ok(refs.size > 45, `${refs.size} distinct references of 50`);
    });

    it('refuses a message longer than 255 parts', () => {
      assert.throws(() => splitForProvider(message(Buffer.alloc(134 * 256), 4), udh8), MessageTooLongError);
    });
  });

  describe('a body that already carries a UDH', () => {
    // Port addressing 16-bit: 05 04 0B84 23F0 (WAP push ports).
    const ports = Buffer.from([0x05, 0x04, 0x0b, 0x84, 0x23, 0xf0]);

    it('keeps other elements in every part and takes their room from the text', () => {
      const body = Buffer.concat([Buffer.from([ports.length]), ports, Buffer.alloc(200, 0x41)]);
      const r = splitForProvider(message(body, 4, { esmClass: 0x40 }), udh8);
      // UDH: length + concat (5) + ports (6) = 12 octets, 128 left a part.
      assert.deepEqual(bodies(r.submits).map((b) => b.length), [128, 72]);
      for (const s of r.submits) {
        assert.equal(s.short_message![0], 11);
        assert.deepEqual([...s.short_message!.subarray(6, 12)], [...ports]);
        assert.ok(parseConcatUdh(s.short_message!));
      }
    });

    it('drops a single-part concatenation element and keeps the rest', () => {
      const body = Buffer.concat([Buffer.from([11, 0x00, 0x03, 9, 1, 1]), ports, Buffer.from('hello')]);
      const r = splitForProvider(message(body, 4, { esmClass: 0x40 }), udh8);
      assert.equal(r.parts, 1);
      assert.deepEqual(r.submits[0]!.short_message, Buffer.concat([Buffer.from([6]), ports, Buffer.from('hello')]));
      assert.equal(r.submits[0]!.esm_class, 0x40);
    });

    it('passes one part of an unassembled message through untouched, its concatenation header kept', () => {
      const body = Buffer.concat([Buffer.from([5, 0x00, 0x03, 9, 3, 2]), Buffer.alloc(153, 0x41)]);
      const r = splitForProvider(message(body, 0, { esmClass: 0x40 }), { concatenation: 'sar' });
      assert.equal(r.parts, 1);
      assert.deepEqual(r.submits[0]!.short_message, body);
      assert.equal(r.submits[0]!.esm_class, 0x40);
      assert.equal(r.submits[0]!.sar_msg_ref_num, undefined);
    });

    it('passes a malformed UDH through untouched', () => {
      const body = Buffer.from([0x20, 0x00, 0x03]);
      const r = splitForProvider(message(body, 4, { esmClass: 0x40 }), udh8);
      assert.equal(r.parts, 1);
      assert.deepEqual(r.submits[0]!.short_message, body);
    });
  });
});
