/**
 * Hostile variants of corpus frames, each named so a failure report says what was done:
 * bit flips, truncation, lying command_length and TLV lengths, huge and zero lengths, swapped
 * command ids, sequence number edges, C-strings without their NUL, spliced and random frames.
 */
import { HEADER_LENGTH } from '../../src/smpp/pdu.js';
import { CommandId } from '../../src/smpp/status.js';
import type { CorpusEntry } from './corpus.js';
import type { Rng } from './rng.js';

export interface Mutant {
  /** What was done, e.g. "submit_sm sar / tlv-length-lie". */
  name: string;
  bytes: Buffer;
}

const COMMAND_IDS = Object.values(CommandId);
const UNKNOWN_IDS = [0, 0x0000000a, 0x00000777, 0x7fffffff, 0x80000777, 0xffffffff, 0x00000104, 0x80000022];
const SEQUENCE_EDGES = [0, 1, 2, 0x7ffffffe, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const INTERESTING_OCTETS = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];
const TLV_TAGS = [0x0424, 0x020c, 0x020e, 0x020f, 0x001e, 0x0427, 0x0423, 0x0204, 0x020a, 0x001d, 0x1401, 0x0000, 0xffff];

function lengthLies(actual: number, maxPdu: number): number[] {
  return [0, 1, 4, 15, 16, 17, actual - 1, actual + 1, actual + 100, maxPdu, maxPdu + 1, 0x7fffffff, 0x80000000, 0xffffffff]
    .filter((n) => n >= 0 && n <= 0xffffffff);
}

/** Writes a header field when an earlier mutation left the frame long enough to hold it. */
function setHeader(b: Buffer, at: number, value: number): Buffer {
  if (b.length >= at + 4) b.writeUInt32BE(value >>> 0, at);
  return b;
}

/** Sets command_length to the frame's real length (after a change that resized it). */
function fixLength(b: Buffer): Buffer {
  if (b.length >= 4) b.writeUInt32BE(b.length, 0);
  return b;
}

type Mutator = (frame: Buffer, entry: CorpusEntry, rng: Rng, ctx: { maxPdu: number; corpus: readonly CorpusEntry[] }) => Buffer;

const MUTATORS: Record<string, Mutator> = {
  'bit-flip': (f, _e, rng) => {
    const b = Buffer.from(f);
    if (b.length === 0) return b;
    for (let n = rng.range(1, 4); n > 0; n--) {
      const i = rng.int(b.length);
      b[i] = b[i]! ^ (1 << rng.int(8));
    }
    return b;
  },
  'body-octet': (f, _e, rng) => {
    const b = Buffer.from(f);
    if (b.length > HEADER_LENGTH) b[rng.range(HEADER_LENGTH, b.length - 1)] = rng.pick(INTERESTING_OCTETS);
    return b;
  },
  'truncate-honest': (f, _e, rng) => fixLength(Buffer.from(f.subarray(0, rng.range(HEADER_LENGTH, Math.max(HEADER_LENGTH, f.length - 1))))),
  'truncate-lying': (f, _e, rng) => Buffer.from(f.subarray(0, rng.range(0, f.length - 1))),
  'extend-honest': (f, _e, rng) => fixLength(Buffer.concat([f, rng.bytes(rng.range(1, 64))])),
  'command-length-lie': (f, _e, rng, { maxPdu }) => {
    return setHeader(Buffer.from(f), 0, rng.pick(lengthLies(f.length, maxPdu)));
  },
  'tlv-length-lie': (f, e, rng) => {
    const b = Buffer.from(f);
    // Walk the TLVs the corpus put there and lie about one of their lengths.
    const starts: number[] = [];
    for (let at = e.tlvStart; at + 4 <= b.length; at += 4 + b.readUInt16BE(at + 2)) starts.push(at);
    if (starts.length === 0) return MUTATORS['append-tlv']!(f, e, rng, { maxPdu: 0, corpus: [] });
    const at = rng.pick(starts);
    const real = b.readUInt16BE(at + 2);
    b.writeUInt16BE(rng.pick([0, 1, 2, 3, real + 1, real - 1, real + 255, 0xffff].filter((n) => n >= 0 && n <= 0xffff)), at + 2);
    return b;
  },
  'append-tlv': (f, _e, rng) => {
    const tag = rng.pick(TLV_TAGS);
    const valueLength = rng.pick([0, 1, 2, 3, 4, 255, rng.int(600)]);
    const claimed = rng.chance(0.5) ? valueLength : rng.pick([0, 1, 2, valueLength + 1, 0xffff]);
    const head = Buffer.alloc(4);
    head.writeUInt16BE(tag, 0);
    head.writeUInt16BE(claimed & 0xffff, 2);
    return fixLength(Buffer.concat([f, head, rng.bytes(valueLength)]));
  },
  inflate: (f, _e, rng, { maxPdu }) => {
    // Honest TLVs up to the size limit, or one octet past it (which must lose the framing).
    const target = rng.chance(0.5) ? maxPdu : maxPdu + 1;
    const parts = [f];
    for (let room = target - f.length; room >= 4;) {
      const n = Math.min(room - 4, 0xffff);
      const head = Buffer.alloc(4);
      head.writeUInt16BE(0x1402, 0);
      head.writeUInt16BE(n, 2);
      parts.push(head, Buffer.alloc(n, 0x5a));
      room -= 4 + n;
    }
    return fixLength(Buffer.concat(parts));
  },
  'stray-tail': (f, _e, rng) => fixLength(Buffer.concat([f, rng.bytes(rng.range(1, 3))])),
  'command-id': (f, _e, rng) => {
    return setHeader(Buffer.from(f), 4, rng.chance(0.7) ? rng.pick(COMMAND_IDS) : rng.pick(UNKNOWN_IDS));
  },
  'command-status': (f, _e, rng) => {
    return setHeader(Buffer.from(f), 8, rng.chance(0.5) ? rng.range(1, 0x104) : rng.u32());
  },
  'sequence-edge': (f, _e, rng) => {
    return setHeader(Buffer.from(f), 12, rng.pick(SEQUENCE_EDGES));
  },
  'drop-nul': (f, _e, rng) => {
    const b = Buffer.from(f);
    const nuls: number[] = [];
    for (let i = HEADER_LENGTH; i < b.length; i++) if (b[i] === 0) nuls.push(i);
    if (nuls.length > 0) b[rng.pick(nuls)] = 0x41;
    return b;
  },
  'long-cstring': (f, _e, rng) => {
    // A C-string far beyond its field's limit (system_id over 15, address over 20 octets).
    const at = rng.range(HEADER_LENGTH, f.length);
    const filler = Buffer.alloc(rng.pick([16, 21, 65, 255, 1000]), 0x39);
    return fixLength(Buffer.concat([f.subarray(0, at), filler, f.subarray(at)]));
  },
  'sm-length-lie': (f, e, rng) => {
    // Whatever octet sits just before the body's tail is a length byte for some shape: make it lie.
    const b = Buffer.from(f);
    if (e.tlvStart > HEADER_LENGTH + 1) b[rng.range(HEADER_LENGTH, e.tlvStart - 1)] = rng.pick([0, 1, 0x7f, 0xfe, 0xff]);
    return b;
  },
  splice: (f, _e, rng, { corpus }) => {
    const other = rng.pick(corpus).frame;
    const cut = rng.range(HEADER_LENGTH, Math.max(HEADER_LENGTH, f.length));
    return fixLength(Buffer.concat([f.subarray(0, cut), other.subarray(rng.range(HEADER_LENGTH, other.length))]));
  },
};

const NAMES = Object.keys(MUTATORS);

/** One to three stacked mutations of a corpus frame. */
export function mutate(entry: CorpusEntry, rng: Rng, maxPdu: number, corpus: readonly CorpusEntry[]): Mutant {
  let bytes = entry.frame;
  const done: string[] = [];
  for (let n = rng.chance(0.7) ? 1 : rng.range(2, 3); n > 0; n--) {
    const name = rng.pick(NAMES);
    bytes = MUTATORS[name]!(bytes, entry, rng, { maxPdu, corpus });
    done.push(name);
  }
  return { name: `${entry.name} / ${done.join('+')}`, bytes };
}

/** A frame with an honest length and known or unknown command id, and a random body. */
export function randomFrame(rng: Rng): Mutant {
  const body = rng.bytes(rng.chance(0.8) ? rng.int(64) : rng.int(1200));
  const h = Buffer.alloc(HEADER_LENGTH);
  h.writeUInt32BE(HEADER_LENGTH + body.length, 0);
  h.writeUInt32BE(rng.chance(0.8) ? rng.pick(COMMAND_IDS) : rng.u32(), 4);
  h.writeUInt32BE(rng.chance(0.8) ? 0 : rng.u32(), 8);
  h.writeUInt32BE(rng.chance(0.8) ? rng.range(1, 1000) : rng.pick(SEQUENCE_EDGES), 12);
  return { name: 'random frame', bytes: Buffer.concat([h, body]) };
}

/** Bytes that are not SMPP at all (an HTTP request, TLS hello, noise). */
export function garbage(rng: Rng): Mutant {
  const choices: Mutant[] = [
    { name: 'garbage http', bytes: Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n') },
    { name: 'garbage tls hello', bytes: Buffer.from('16030100a5010000a10303', 'hex') },
    { name: 'garbage noise', bytes: rng.bytes(rng.range(1, 300)) },
    { name: 'garbage zeros', bytes: Buffer.alloc(rng.range(1, 64)) },
  ];
  return rng.pick(choices);
}

/** A case for the decoder: mostly mutants, some random frames and garbage. */
export function fuzzCase(rng: Rng, corpus: readonly CorpusEntry[], maxPdu: number): Mutant {
  const roll = rng.int(100);
  if (roll < 75) return mutate(rng.pick(corpus), rng, maxPdu, corpus);
  if (roll < 90) return randomFrame(rng);
  if (roll < 95) {
    const entry = rng.pick(corpus);
    return { name: `${entry.name} / intact`, bytes: entry.frame };
  }
  return garbage(rng);
}
