/**
 * Fuzzes the decoder in-process: every case goes through decodePdu alone and, glued into a
 * stream cut at random points, through FrameReader. The promises checked: decodePdu returns a
 * Pdu or throws PduDecodeError, nothing else; FrameReader.push never throws, hands out only
 * frames whose command_length matches their size and is in range, accounts for every octet,
 * and reports a lost stream only as FramingError; a decoded PDU encodes again or fails with a
 * GatewayError. Case i of seed s is the same case on every
 * run, so a failure replays with `--seed s --case i`.
 */
import { FramingError, PduDecodeError } from '../../src/smpp/errors.js';
import { FrameReader } from '../../src/smpp/framing.js';
import { GatewayError } from '../../src/errors.js';
import { decodePdu, encodePdu, HEADER_LENGTH, type Pdu } from '../../src/smpp/pdu.js';
import { buildCorpus } from './corpus.js';
import { fuzzCase, type Mutant } from './mutate.js';
import { Rng } from './rng.js';

export interface DecoderFuzzOptions {
  seed: number;
  /** Stop after this many cases... */
  cases?: number;
  /** ...or at this Date.now(), whichever comes first. */
  until?: number;
  /** Run only this case (to replay a failure). */
  only?: number;
  maxPduLength?: number;
}

export interface DecoderFailure {
  seed: number;
  caseIndex: number;
  name: string;
  hex: string;
  problem: string;
}

export interface DecoderFuzzResult {
  seed: number;
  cases: number;
  decoded: number;
  /** PduDecodeError counts by code. */
  rejected: Record<string, number>;
  framingLost: number;
  failures: DecoderFailure[];
}

/** Cases glued into one stream for FrameReader. */
const STREAM_CASES = 8;

export function fuzzDecoder(opts: DecoderFuzzOptions): DecoderFuzzResult {
  const maxPdu = opts.maxPduLength ?? 16384;
  const corpus = buildCorpus({ systemId: 'fuzz', password: 'fuzzpw' });
  const result: DecoderFuzzResult = { seed: opts.seed, cases: 0, decoded: 0, rejected: {}, framingLost: 0, failures: [] };
  const first = opts.only ?? 0;
  const last = opts.only ?? (opts.cases ?? Number.MAX_SAFE_INTEGER) - 1;
  for (let i = first; i <= last; i++) {
    if (opts.until !== undefined && (i & 63) === 0 && Date.now() >= opts.until) break;
    const rng = Rng.forCase(opts.seed, i);
    const mutants: Mutant[] = [];
    for (let k = 0; k < STREAM_CASES; k++) mutants.push(fuzzCase(rng, corpus, maxPdu));
    const fail = (m: Mutant | undefined, problem: string) =>
      result.failures.push({ seed: opts.seed, caseIndex: i, name: m?.name ?? 'stream', hex: (m?.bytes ?? Buffer.concat(mutants.map((x) => x.bytes))).toString('hex').slice(0, 4000), problem });

    for (const m of mutants) {
      let pdu: Pdu;
      try {
        pdu = decodePdu(m.bytes);
        result.decoded++;
      } catch (err) {
        if (err instanceof PduDecodeError) result.rejected[err.code] = (result.rejected[err.code] ?? 0) + 1;
        else fail(m, `decodePdu threw ${describe(err)}`);
        continue;
      }
      // What was decoded may be echoed or relayed: encoding it fails only with a typed error.
      try {
        encodePdu(pdu);
      } catch (err) {
        if (!(err instanceof GatewayError)) fail(m, `encodePdu of a decoded PDU threw ${describe(err)}`);
      }
    }
    checkStream(mutants, rng, maxPdu, result, (problem) => fail(undefined, problem));
    result.cases++;
  }
  return result;
}

function checkStream(mutants: Mutant[], rng: Rng, maxPdu: number, result: DecoderFuzzResult, fail: (problem: string) => void): void {
  const stream = Buffer.concat(mutants.map((m) => m.bytes));
  const reader = new FrameReader(maxPdu);
  let consumed = 0;
  try {
    for (let at = 0; at < stream.length;) {
      const n = rng.chance(0.3) ? 1 : rng.range(1, 200);
      for (const frame of reader.push(stream.subarray(at, at + n))) {
        const declared = frame.length >= 4 ? frame.readUInt32BE(0) : -1;
        if (declared !== frame.length || frame.length < HEADER_LENGTH || frame.length > maxPdu) {
          fail(`FrameReader produced a ${frame.length}-octet frame declaring ${declared}`);
          return;
        }
        if (!frame.equals(stream.subarray(consumed, consumed + frame.length))) {
          fail(`FrameReader frame at offset ${consumed} differs from the input`);
          return;
        }
        consumed += frame.length;
      }
      at += n;
      if (reader.error) break;
    }
  } catch (err) {
    fail(`FrameReader.push threw ${describe(err)}`);
    return;
  }
  if (reader.error) {
    if (!(reader.error instanceof FramingError)) fail(`FrameReader.error is ${describe(reader.error)}`);
    result.framingLost++;
  } else if (consumed + reader.buffered !== stream.length) {
    fail(`FrameReader lost octets: ${consumed} framed + ${reader.buffered} buffered of ${stream.length}`);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err);
}
