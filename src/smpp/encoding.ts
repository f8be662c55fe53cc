/**
 * short_message text by data_coding. GSM 03.38 travels over SMPP unpacked: one septet per
 * octet, extension characters as 0x1B followed by their code. Packing into 7 bits is the
 * SMSC's job on the radio side, not ours.
 */
import { GatewayError } from '../errors.js';

export type Alphabet = 'gsm' | 'ascii' | 'latin1' | 'ucs2' | 'binary' | 'unknown';

const GSM_ESCAPE = 0x1b;

// 3GPP TS 23.038 section 6.2.1, index = septet. Position 0x1B is the escape, never text.
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?'
  + '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

// Section 6.2.1.1, the default extension table.
const GSM_EXTENSION: ReadonlyArray<readonly [number, string]> = [
  [0x0a, '\f'], [0x14, '^'], [0x28, '{'], [0x29, '}'], [0x2f, '\\'],
  [0x3c, '['], [0x3d, '~'], [0x3e, ']'], [0x40, '|'], [0x65, '€'],
];

const GSM_ENCODE = new Map<string, number>();
for (let i = 0; i < GSM_BASIC.length; i++) if (i !== GSM_ESCAPE) GSM_ENCODE.set(GSM_BASIC.charAt(i), i);
const GSM_EXT_ENCODE = new Map<string, number>(GSM_EXTENSION.map(([code, ch]) => [ch, code]));
const GSM_EXT_DECODE = new Map<number, string>(GSM_EXTENSION.map(([code, ch]) => [code, ch]));

/** A character the chosen data_coding cannot carry. */
export class UnencodableTextError extends GatewayError {
  constructor(readonly character: string, readonly dataCoding: number) {
    super('SMPP_UNENCODABLE_TEXT',
      `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')} cannot be encoded with data_coding ${dataCoding}`);
  }
}

/**
 * Which alphabet a data_coding value means. Besides SMPP's own values this accepts the GSM
 * "general data coding with message class" values 0x10-0x1F and 0xF0-0xFF, which SMSCs pass
 * through for flash messages.
 */
export function textAlphabet(dataCoding: number): Alphabet {
  switch (dataCoding) {
    case 0: return 'gsm';
    case 1: return 'ascii';
    case 2: case 4: return 'binary';
    case 3: return 'latin1';
    case 8: return 'ucs2';
  }
  if (dataCoding >= 0xf0 && dataCoding <= 0xff) return dataCoding & 0x04 ? 'binary' : 'gsm';
  if (dataCoding >= 0x10 && dataCoding <= 0x1f) {
    const bits = (dataCoding >> 2) & 0x03;
    return bits === 0 ? 'gsm' : bits === 1 ? 'binary' : bits === 2 ? 'ucs2' : 'unknown';
  }
  return 'unknown';
}

/** The text of `octets` (UDH already removed), or undefined for binary and unknown codings. */
export function decodeText(octets: Buffer, dataCoding: number): string | undefined {
  switch (textAlphabet(dataCoding)) {
    case 'gsm': return decodeGsm(octets);
    // Many SMSCs put Latin-1 under "IA5"; reading octets as Latin-1 is lossless either way.
    case 'ascii':
    case 'latin1': return octets.toString('latin1');
    case 'ucs2': return decodeUcs2(octets);
    default: return undefined;
  }
}

/** Encodes `text`; throws UnencodableTextError for a character the coding lacks. */
export function encodeText(text: string, dataCoding: number): Buffer {
  switch (textAlphabet(dataCoding)) {
    case 'gsm': return encodeGsm(text, dataCoding);
    case 'ascii': return encodeSingleByte(text, 0x7f, dataCoding);
    case 'latin1': return encodeSingleByte(text, 0xff, dataCoding);
    case 'ucs2': return Buffer.from(text, 'utf16le').swap16();
    default: throw new GatewayError('SMPP_BINARY_CODING', `data_coding ${dataCoding} does not carry text`);
  }
}

/** GSM if every character fits, otherwise UCS-2. */
export function chooseDataCoding(text: string): 0 | 8 {
  return canEncodeGsm(text) ? 0 : 8;
}

export function canEncodeGsm(text: string): boolean {
  for (const ch of text) if (!GSM_ENCODE.has(ch) && !GSM_EXT_ENCODE.has(ch)) return false;
  return true;
}

/**
 * Septets `text` needs in GSM: extension characters count two. A character outside GSM counts
 * one (it would be refused or replaced), so check canEncodeGsm first when that matters.
 */
export function gsmSeptetCount(text: string): number {
  let n = 0;
  for (const ch of text) n += GSM_EXT_ENCODE.has(ch) ? 2 : 1;
  return n;
}

function encodeGsm(text: string, dataCoding: number): Buffer {
  const out: number[] = [];
  for (const ch of text) {
    const basic = GSM_ENCODE.get(ch);
    if (basic !== undefined) {
      out.push(basic);
      continue;
    }
    const ext = GSM_EXT_ENCODE.get(ch);
    if (ext === undefined) throw new UnencodableTextError(ch, dataCoding);
    out.push(GSM_ESCAPE, ext);
  }
  return Buffer.from(out);
}

function decodeGsm(octets: Buffer): string {
  let out = '';
  for (let i = 0; i < octets.length; i++) {
    const septet = octets[i] ?? 0;
    if (septet === GSM_ESCAPE) {
      const next = octets[i + 1];
      if (next === undefined) break; // a dangling escape carries no character
      i++;
      // 23.038: an undefined extension code shows as the default-table character.
      out += GSM_EXT_DECODE.get(next) ?? basicChar(next);
      continue;
    }
    out += basicChar(septet);
  }
  return out;
}

function basicChar(septet: number): string {
  // Octets above 0x7F are not septets; show them as unreadable rather than guess.
  return septet < 0x80 && septet !== GSM_ESCAPE ? GSM_BASIC.charAt(septet) : '\ufffd';
}

function decodeUcs2(octets: Buffer): string {
  // An odd trailing octet cannot be half a character we could show.
  const even = Buffer.from(octets.subarray(0, octets.length & ~1));
  return even.swap16().toString('utf16le');
}

function encodeSingleByte(text: string, max: number, dataCoding: number): Buffer {
  for (const ch of text) if ((ch.codePointAt(0) ?? 0) > max) throw new UnencodableTextError(ch, dataCoding);
  return Buffer.from(text, 'latin1');
}
