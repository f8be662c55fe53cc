/**
 * What the generator sends: message bodies prepared once (text encoded and split into parts up
 * front), so sending a message costs a UDH and a copy per part, not a text encoding.
 */
import { encodeText } from '../../src/smpp/encoding.js';
import { buildConcatUdh } from '../../src/smpp/udh.js';
import type { TextEncoding } from './accounting.js';

export interface MessageMix {
  /** Share of messages sent in several parts, 0..1. */
  multipartRatio: number;
  /** Share of messages in UCS-2 (the rest GSM 03.38), 0..1. */
  ucs2Ratio: number;
  minParts: number;
  maxParts: number;
}

export interface MessageTemplate {
  encoding: TextEncoding;
  dataCoding: 0 | 8;
  /** Octets of each part without UDH; a single element for a single-part message. */
  parts: readonly Buffer[];
}

/** Octets per part: single-part limit, and the limit once a 6-octet concatenation UDH is in. */
const LIMITS: Record<TextEncoding, { single: number; part: number }> = {
  // GSM 03.38 unpacked: one octet per septet; 160 septets alone, 153 after the UDH.
  gsm: { single: 160, part: 153 },
  // UCS-2: 70 characters alone, 67 after the UDH.
  ucs2: { single: 140, part: 134 },
};

// No GSM extension characters, so a part boundary never splits an escape sequence.
const GSM_WORDS = ['Hello', 'load', 'test', 'über', 'Ça', 'va', 'Straße', 'niño', '@home', '£5', 'Ø', 'Δelta', '123', 'ok!', 'é'];
const UCS2_WORDS = ['Привет', 'мир', 'Γειά', 'σου', '你好', '世界', 'こんにちは', 'שלום', 'مرحبا', 'नमस्ते', 'ok'];

const VARIANTS = 4;

/** A small deterministic PRNG (mulberry32), so a seeded run sends the same mix. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function textOf(words: readonly string[], chars: number, random: () => number): string {
  let s = '';
  while (s.length < chars) s += (s ? ' ' : '') + words[Math.floor(random() * words.length)];
  return s.slice(0, chars);
}

function buildTemplate(encoding: TextEncoding, parts: number, random: () => number): MessageTemplate {
  const dataCoding = encoding === 'gsm' ? 0 : 8;
  const words = encoding === 'gsm' ? GSM_WORDS : UCS2_WORDS;
  const { single, part } = LIMITS[encoding];
  const unit = encoding === 'gsm' ? 1 : 2;
  if (parts === 1) {
    const chars = Math.max(10, Math.floor((single / unit) * (0.3 + 0.7 * random())));
    const octets = encodeText(textOf(words, chars, random), dataCoding);
    return { encoding, dataCoding, parts: [octets] };
  }
  // Full parts, the last one partly filled, as a long text split by a phone would be.
  const lastChars = Math.max(5, Math.floor((part / unit) * (0.2 + 0.8 * random())));
  const chars = (parts - 1) * (part / unit) + lastChars;
  const octets = encodeText(textOf(words, chars, random), dataCoding);
  const bodies: Buffer[] = [];
  for (let i = 0; i < parts; i++) bodies.push(octets.subarray(i * part, Math.min(octets.length, (i + 1) * part)));
  return { encoding, dataCoding, parts: bodies };
}

export class PayloadFactory {
  private readonly single: Record<TextEncoding, MessageTemplate[]>;
  private readonly multi: Record<TextEncoding, MessageTemplate[][]>;

  constructor(private readonly mix: MessageMix, private readonly random: () => number) {
    const build = (enc: TextEncoding, parts: number) => Array.from({ length: VARIANTS }, () => buildTemplate(enc, parts, random));
    this.single = { gsm: build('gsm', 1), ucs2: build('ucs2', 1) };
    const multi = (enc: TextEncoding) => {
      const out: MessageTemplate[][] = [];
      for (let n = mix.minParts; n <= mix.maxParts; n++) out.push(build(enc, n));
      return out;
    };
    this.multi = { gsm: multi('gsm'), ucs2: multi('ucs2') };
  }

  next(): MessageTemplate {
    const r = this.random;
    const enc: TextEncoding = r() < this.mix.ucs2Ratio ? 'ucs2' : 'gsm';
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    if (this.mix.multipartRatio > 0 && this.mix.maxParts >= 2 && r() < this.mix.multipartRatio) return pick(pick(this.multi[enc]));
    return pick(this.single[enc]);
  }
}

/** short_message of part `seq` (1-based) of `total`: the 8-bit concatenation UDH, then the body. */
export function concatPart(body: Buffer, ref: number, total: number, seq: number): Buffer {
  const udh = buildConcatUdh({ ref, total, seq });
  const out = Buffer.allocUnsafe(udh.length + body.length);
  udh.copy(out, 0);
  body.copy(out, udh.length);
  return out;
}
