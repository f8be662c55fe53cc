/**
 * Provider message ids as keys. A provider names a message once in submit_sm_resp and again in
 * its receipt, and the two need not be spelled alike: upper or lower case, leading zeros, and
 * some SMSCs answer submit_sm_resp in hex and put the same number in decimal in the receipt
 * (or the reverse). Pure.
 *
 * Decisions:
 * - The canonical key of an id made only of hex digits is lower case without leading zeros
 *   (`0000A1F` and `a1f` are one key; `0` stays `0`). Any other id (with dashes, letters beyond
 *   f, ...) is only trimmed: its spelling is its identity.
 * - The correlation is stored under the canonical key of the submit_sm_resp id, once.
 * - A receipt's id is looked up under a list of candidate keys, best first, per the provider's
 *   `receiptIdForm`: `same` → the id itself; `hexToDecimal` (the receipt is the decimal of the
 *   response's hex) → the receipt's decimal converted to hex; `decimalToHex` → the receipt's
 *   hex converted to decimal; `auto` → the id itself, then decimal→hex (the common case), then
 *   hex→decimal. An id such as `12345` is valid both ways; `auto` prefers the spelling as sent
 *   because an exact match is the stronger evidence, and two different messages can only be
 *   confused when one provider issues ids in both forms, which an explicit form settles.
 */
import type { ReceiptIdForm } from '../config/types.js';

const HEX = /^[0-9a-fA-F]+$/;
const DECIMAL = /^[0-9]+$/;
/** Longer digit strings are not numbers any SMSC converts (and would be slow to convert). */
const MAX_CONVERTIBLE = 40;

export function canonicalProviderId(id: string): string {
  const t = id.trim();
  return HEX.test(t) ? t.toLowerCase().replace(/^0+(?=.)/, '') : t;
}

/** The hex spelling of a decimal id, or undefined when the id is not decimal. */
export function decimalIdToHex(id: string): string | undefined {
  const t = id.trim();
  return DECIMAL.test(t) && t.length <= MAX_CONVERTIBLE ? BigInt(t).toString(16) : undefined;
}

/** The decimal spelling of a hex id, or undefined when the id is not hex. */
export function hexIdToDecimal(id: string): string | undefined {
  const t = id.trim();
  return HEX.test(t) && t.length <= MAX_CONVERTIBLE ? BigInt(`0x${t}`).toString(10) : undefined;
}

/** The canonical keys to look a receipt's id up under, best first, without repeats. */
export function receiptIdCandidates(receiptId: string, form: ReceiptIdForm): string[] {
  const asSent = canonicalProviderId(receiptId);
  const toHex = decimalIdToHex(receiptId);
  const toDecimal = hexIdToDecimal(receiptId);
  const keys: (string | undefined)[] =
    form === 'same' ? [asSent]
      : form === 'hexToDecimal' ? [toHex ?? asSent]
        : form === 'decimalToHex' ? [toDecimal ?? asSent]
          : [asSent, toHex, toDecimal];
  return [...new Set(keys.filter((k): k is string => k !== undefined).map(canonicalProviderId))];
}
