/**
 * The checks a submit_sm or data_sm passes before the gateway takes it, each failure with the
 * SMPP 3.4 status an operator would expect. Pure.
 */
import type { Pdu } from '../../smpp/pdu.js';
import { SmppStatusError } from '../../errors.js';
import { Status } from '../../smpp/status.js';
import { isValidSmppTime } from '../../smpp/time.js';
import { textAlphabet, type Alphabet } from '../../smpp/encoding.js';

/** NPI values defined by SMPP 3.4 section 5.2.6. */
const VALID_NPI = new Set([0, 1, 3, 4, 6, 8, 9, 10, 14, 18]);
const MAX_TON = 6;
const TON_INTERNATIONAL = 1;
const TON_ALPHANUMERIC = 5;

function refuse(code: string, status: number, message: string): never {
  throw new SmppStatusError(code, status, message);
}

export interface AddressRule {
  tonStatus: number;
  npiStatus: number;
  addrStatus: number;
  maxLength: number;
  required: boolean;
  what: string;
}

export function checkAddress(ton: number, npi: number, addr: string, rule: AddressRule): void {
  if (ton > MAX_TON) refuse('SUBMIT_BAD_TON', rule.tonStatus, `${rule.what} TON ${ton} is not defined`);
  if (!VALID_NPI.has(npi)) refuse('SUBMIT_BAD_NPI', rule.npiStatus, `${rule.what} NPI ${npi} is not defined`);
  if (addr.length === 0) {
    if (rule.required) refuse('SUBMIT_NO_ADDRESS', rule.addrStatus, `${rule.what} is empty`);
    return;
  }
  if (addr.length > rule.maxLength) refuse('SUBMIT_BAD_ADDRESS', rule.addrStatus, `${rule.what} is longer than ${rule.maxLength} octets`);
  if (ton === TON_ALPHANUMERIC) {
    // 3GPP 23.040: an alphanumeric originator is at most 11 characters.
    if (addr.length > 11 || !/^[\x20-\x7e]+$/.test(addr)) refuse('SUBMIT_BAD_ADDRESS', rule.addrStatus, `${rule.what} is not a valid alphanumeric address`);
    return;
  }
  // An international number is digits; with other TONs clients send anything from short codes
  // to unflagged alphanumeric senders, so only control and non-ASCII octets are refused.
  const valid = ton === TON_INTERNATIONAL ? /^\+?\d+$/ : /^[\x20-\x7e]+$/;
  if (!valid.test(addr)) refuse('SUBMIT_BAD_ADDRESS', rule.addrStatus, `${rule.what} ${JSON.stringify(addr)} is not a valid address`);
}

/**
 * data_coding values SMPP 3.4 defines (0x00-0x0E less the reserved 0x0B and 0x0C) and the GSM
 * data coding groups 0x10-0x1F and 0xC0-0xFF. Anything else is refused with ESME_RINVDCS.
 */
export function checkDataCoding(dc: number): Alphabet {
  const defined = (dc <= 0x0e && dc !== 0x0b && dc !== 0x0c) || (dc >= 0x10 && dc <= 0x1f) || dc >= 0xc0;
  if (!defined) refuse('SUBMIT_BAD_DATA_CODING', Status.ESME_RINVDCS, `data_coding 0x${dc.toString(16)} is reserved`);
  if (dc >= 0xc0 && dc <= 0xef) return dc >= 0xe0 ? 'ucs2' : 'gsm'; // message waiting groups
  return textAlphabet(dc);
}

/** The user data (no UDH) must be valid in its alphabet. */
export function checkText(userData: Buffer, alphabet: Alphabet): void {
  if (alphabet === 'gsm') {
    // Unpacked GSM septets are 7-bit: a set top bit means the client mislabelled the data. (IA5
    // is not checked: many clients put Latin-1 under data_coding 1.)
    for (const o of userData) {
      if (o > 0x7f) refuse('SUBMIT_BAD_TEXT', Status.ESME_RINVDCS, `octet 0x${o.toString(16)} is not valid in a 7-bit alphabet`);
    }
  } else if (alphabet === 'ucs2' && userData.length % 2 !== 0) {
    refuse('SUBMIT_BAD_TEXT', Status.ESME_RINVMSGLEN, `UCS-2 text has an odd length (${userData.length} octets)`);
  }
}

/** Checks of the fields that are not address, coding or body. */
export function checkFlags(pdu: Pdu): void {
  if ((pdu.service_type ?? '').length > 5) refuse('SUBMIT_BAD_SERVICE_TYPE', Status.ESME_RINVSERTYP, 'service_type is longer than 5 characters');
  const esm = pdu.esm_class ?? 0;
  // Message type bits 2-5: default, ESME delivery acknowledgement or manual/user acknowledgement.
  const type = esm & 0x3c;
  if (type !== 0 && type !== 0x08 && type !== 0x10) refuse('SUBMIT_BAD_ESM_CLASS', Status.ESME_RINVESMCLASS, `esm_class 0x${esm.toString(16)} is not valid in a submit`);
  if ((pdu.priority_flag ?? 0) > 3) refuse('SUBMIT_BAD_PRIORITY', Status.ESME_RINVPRTFLG, `priority_flag ${pdu.priority_flag} is over 3`);
  const rd = pdu.registered_delivery ?? 0;
  if ((rd & 0x03) === 0x03 || (rd & 0xe0) !== 0) refuse('SUBMIT_BAD_REGISTERED_DELIVERY', Status.ESME_RINVREGDLVFLG, `registered_delivery 0x${rd.toString(16)} uses reserved bits`);
  if ((pdu.replace_if_present_flag ?? 0) > 1) refuse('SUBMIT_BAD_REPLACE_FLAG', Status.ESME_RINVREPFLAG, 'replace_if_present_flag over 1');
  if ((pdu.sm_default_msg_id ?? 0) !== 0) refuse('SUBMIT_CANNED_MESSAGE', Status.ESME_RINVDFTMSGID, 'the gateway has no predefined messages');
  if (!isValidSmppTime(pdu.schedule_delivery_time ?? '')) refuse('SUBMIT_BAD_SCHEDULE', Status.ESME_RINVSCHED, 'schedule_delivery_time is not YYMMDDhhmmsstnnp');
  if (!isValidSmppTime(pdu.validity_period ?? '')) refuse('SUBMIT_BAD_VALIDITY', Status.ESME_RINVEXPIRY, 'validity_period is not YYMMDDhhmmsstnnp');
}

/** SMS parts a whole message of `octets` user data needs in `alphabet` (the rate limit counts these). */
export function partsFor(octets: number, alphabet: Alphabet): number {
  // Unpacked GSM: one octet per septet (extension characters already count two).
  const [single, multi] = alphabet === 'gsm' ? [160, 153] : alphabet === 'ucs2' ? [140, 134] : [140, 134];
  return octets <= single ? 1 : Math.ceil(octets / multi);
}
