import { strict as assert } from 'node:assert';
import { FramingError } from '../../../src/smpp/errors.js';
import { FrameReader } from '../../../src/smpp/framing.js';
import { decodePdu, encodePdu } from '../../../src/smpp/pdu.js';
import { Status } from '../../../src/smpp/status.js';
import { header } from './helpers.js';

const a = encodePdu({ command: 'submit_sm', sequence_number: 1, short_message: Buffer.from('first') });
const b = encodePdu({ command: 'enquire_link', sequence_number: 2 });
const c = encodePdu({ command: 'deliver_sm', sequence_number: 3, short_message: Buffer.from('third') });

describe('smpp/framing', () => {
  it('reassembles PDUs delivered one octet at a time', () => {
    const reader = new FrameReader();
    const frames: Buffer[] = [];
    for (const byte of Buffer.concat([a, b, c])) frames.push(...reader.push(Buffer.from([byte])));
    assert.deepEqual(frames.map((f) => decodePdu(f).sequence_number), [1, 2, 3]);
    assert.equal(reader.buffered, 0);
  });

  it('splits PDUs coalesced into one chunk, keeping a trailing partial one', () => {
    const reader = new FrameReader();
    const all = Buffer.concat([a, b, c]);
    const first = reader.push(all.subarray(0, a.length + b.length + 5));
    assert.deepEqual(first.map((f) => decodePdu(f).command), ['submit_sm', 'enquire_link']);
    assert.equal(reader.buffered, 5);
    const rest = reader.push(all.subarray(a.length + b.length + 5));
    assert.deepEqual(rest.map((f) => decodePdu(f).command), ['deliver_sm']);
  });

  for (const length of [0, 15, 2 ** 31]) {
    it(`loses framing on command_length ${length}, with ESME_RINVCMDLEN and the sequence number`, () => {
      const reader = new FrameReader();
      const frames = reader.push(Buffer.concat([b, header(length, 0x15, 0, 99)]));
      assert.equal(frames.length, 1, 'the good PDU before the fault is still delivered');
      const err = reader.error;
      assert.ok(err instanceof FramingError);
      assert.equal(err.commandStatus, Status.ESME_RINVCMDLEN);
      assert.equal(err.closeSession, true);
      assert.equal(err.sequenceNumber, 99);
      assert.deepEqual(reader.push(b), [], 'nothing is delivered after framing is lost');
    });
  }

  it('honours a configured maximum above the default', () => {
    const big = encodePdu({ command: 'submit_sm', sequence_number: 4, message_payload: Buffer.alloc(20000, 0x41) });
    assert.ok(new FrameReader().push(big).length === 0 && true);
    const small = new FrameReader();
    small.push(big);
    assert.ok(small.error, 'the default 16384 limit refuses it');
    const large = new FrameReader(65536);
    const frames = large.push(big);
    assert.equal(frames.length, 1);
    assert.equal(decodePdu(frames[0]!).message_payload?.length, 20000);
  });
});
