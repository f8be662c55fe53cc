/**
 * The class of a data_coding value, as routing filters and message splitting see it. Pure.
 *
 * - `gsm7`: GSM 03.38 (0, and the GSM message-class codings) and IA5/ASCII (1), which SMSCs
 *   carry as 7-bit on the air: 160 characters a message.
 * - `ucs2`: UCS-2/UTF-16 (8, and the message-class codings that say UCS-2): 70 a message.
 * - `latin1`: ISO-8859-1 (3): 8-bit text, 140 a message.
 * - `binary`: 8-bit data (2, 4) and every coding the gateway does not interpret (JIS,
 *   Cyrillic, Hebrew, ...): octets, 140 a message.
 */
import { textAlphabet } from '../smpp/encoding.js';

export type EncodingClass = 'gsm7' | 'ucs2' | 'latin1' | 'binary';
export const ENCODING_CLASSES: readonly EncodingClass[] = ['gsm7', 'ucs2', 'latin1', 'binary'];

export function encodingClass(dataCoding: number): EncodingClass {
  switch (textAlphabet(dataCoding)) {
    case 'gsm':
    case 'ascii': return 'gsm7';
    case 'ucs2': return 'ucs2';
    case 'latin1': return 'latin1';
    default: return 'binary';
  }
}
