/**
 * What a provider's deliver_sm says when it is a delivery receipt. Pure.
 *
 * The TLVs SMPP defines for receipts are preferred over the free text (whose format SMPP 3.4
 * Appendix B calls implementation specific): receipted_message_id over `id:`, message_state
 * over `stat:`, network_error_code over `err:`; the text fills whatever the TLVs leave out.
 */
import type { PduFields } from '../../smpp/pdu.js';
import { parseReceiptText, statForMessageState, type ReceiptStat } from '../../smpp/receipt.js';
import { splitUdh } from '../../smpp/udh.js';

/** esm_class message type bits (2-5): SMSC delivery receipt, intermediate delivery notification. */
const MESSAGE_TYPE_MASK = 0x3c;
const DELIVERY_RECEIPT = 0x04;
const INTERMEDIATE_NOTIFICATION = 0x20;

export function isDeliveryReceipt(esmClass: number): boolean {
  const type = esmClass & MESSAGE_TYPE_MASK;
  return type === DELIVERY_RECEIPT || type === INTERMEDIATE_NOTIFICATION;
}

export interface ProviderReceipt {
  /** As the provider sent it (trimmed); canonicalise it for look-ups. */
  providerMessageId: string;
  /** Canonical when recognised, otherwise the text as sent (upper case); UNKNOWN when absent. */
  stat: ReceiptStat | string;
  /** Three digits when from network_error_code, else as the text had it; `000` when absent. */
  err: string;
  submitDate?: Date;
  doneDate?: Date;
  text?: string;
  /** Where the id came from. */
  idFrom: 'receipted_message_id' | 'text';
}

export type ReceiptPdu = Pick<PduFields, 'esm_class' | 'short_message' | 'message_payload' | 'receipted_message_id' | 'message_state' | 'network_error_code'>;

/** The receipt a deliver_sm carries, or null when it names no message id. */
export function readProviderReceipt(pdu: ReceiptPdu): ProviderReceipt | null {
  const raw = pdu.short_message?.length ? pdu.short_message : pdu.message_payload ?? Buffer.alloc(0);
  const { body } = splitUdh(raw, pdu.esm_class ?? 0);
  const parsed = parseReceiptText(body.toString('latin1'));
  const tlvId = pdu.receipted_message_id?.replace(/\0+$/, '').trim();
  const id = tlvId || parsed?.id.trim();
  if (!id) return null;
  const out: ProviderReceipt = {
    providerMessageId: id,
    // message_state 0 (scheduled) or out of range says nothing a receipt can use.
    stat: pdu.message_state !== undefined && pdu.message_state >= 1 && pdu.message_state <= 8
      ? statForMessageState(pdu.message_state) : parsed?.stat ?? 'UNKNOWN',
    err: networkErrorCode(pdu.network_error_code) ?? parsed?.err ?? '000',
    idFrom: tlvId ? 'receipted_message_id' : 'text',
  };
  if (parsed?.submitDate) out.submitDate = parsed.submitDate;
  if (parsed?.doneDate) out.doneDate = parsed.doneDate;
  if (parsed?.text !== undefined) out.text = parsed.text;
  return out;
}

/** network_error_code is network type (1 octet) then error code (2 octets); the code as 3 digits. */
function networkErrorCode(tlv: Buffer | undefined): string | undefined {
  if (!tlv || tlv.length !== 3) return undefined;
  return String(tlv.readUInt16BE(1)).padStart(3, '0');
}
