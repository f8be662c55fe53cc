import { FramingError } from './errors.js';
import { HEADER_LENGTH } from './pdu.js';

export const DEFAULT_MAX_PDU_LENGTH = 16384;

/**
 * Splits a TCP byte stream into SMPP frames. Chunks are kept as a list and joined only when a
 * frame straddles them, so a large PDU arriving in many small reads is copied once, and PDUs
 * coalesced into one read come out as views without copying.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private lost: FramingError | undefined;

  constructor(private readonly maxPduLength = DEFAULT_MAX_PDU_LENGTH) {}

  /** Octets of an incomplete frame waiting for more input. */
  get buffered(): number {
    return this.size;
  }

  /**
   * Set once a length prefix was out of range. The stream cannot be resynchronised after
   * that: the caller answers generic_nack ESME_RINVCMDLEN and closes.
   */
  get error(): FramingError | undefined {
    return this.lost;
  }

  /**
   * Adds input and returns every frame it completed, including those before a bad length
   * prefix (check `error` afterwards). Once framing is lost, returns nothing.
   */
  push(chunk: Buffer): Buffer[] {
    if (this.lost) return [];
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.size += chunk.length;
    }
    const frames: Buffer[] = [];
    while (this.size >= 4) {
      const length = this.peekUInt32(0);
      if (length < HEADER_LENGTH || length > this.maxPduLength) {
        const seq = this.size >= HEADER_LENGTH ? this.peekUInt32(12) : 0;
        this.lost = new FramingError(
          `command_length ${length} outside ${HEADER_LENGTH}..${this.maxPduLength}`, length, seq);
        this.chunks = [];
        this.size = 0;
        break;
      }
      if (this.size < length) break;
      frames.push(this.take(length));
    }
    return frames;
  }

  private peekUInt32(at: number): number {
    const first = this.chunks[0];
    if (first && first.length >= at + 4) return first.readUInt32BE(at);
    return this.join().readUInt32BE(at);
  }

  private join(): Buffer {
    const all = this.chunks.length === 1 && this.chunks[0] ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    this.chunks = [all];
    return all;
  }

  private take(length: number): Buffer {
    let first = this.chunks[0];
    if (!first || first.length < length) first = this.join();
    const frame = first.subarray(0, length);
    const rest = first.subarray(length);
    if (rest.length > 0) this.chunks[0] = rest;
    else this.chunks.shift();
    this.size -= length;
    return frame;
  }
}
