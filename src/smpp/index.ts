/** The SMPP layer: codec, framing, connections for both ends, and the pure text helpers. */
export { Status, statusName, CommandId, commandName, isResponseId, responseCommandFor, MessageState, EsmClass } from './status.js';
export type { StatusName, CommandName, RequestCommand } from './status.js';
export { PduDecodeError, FramingError } from './errors.js';
export { encodePdu, decodePdu, peekHeader, HEADER_LENGTH } from './pdu.js';
export type { Pdu, PduFields, OutgoingPdu, RawTlv, DestAddress, UnsuccessSme } from './pdu.js';
export { FrameReader, DEFAULT_MAX_PDU_LENGTH } from './framing.js';
export { SmppConnection, DEFAULT_CONNECTION_OPTIONS, resolveConnectionOptions } from './connection.js';
export type { SmppConnectionOptions, SmppConnectionEvents, Responder } from './connection.js';
export { createSmppServer } from './server.js';
export type { SmppServer, SmppServerOptions } from './server.js';
export { SmppClient, DEFAULT_RECONNECT } from './client.js';
export type { SmppClientOptions, SmppClientEvents, SmppClientState, BindType } from './client.js';
export {
  formatReceiptText, parseReceiptText, parseReceiptDate, messageStateFor, statForMessageState, isFinalStat, normalizeStat,
} from './receipt.js';
export type { ReceiptStat, ReceiptFields, ParsedReceipt } from './receipt.js';
export {
  decodeText, encodeText, textAlphabet, canEncodeGsm, gsmSeptetCount, chooseDataCoding, UnencodableTextError,
} from './encoding.js';
export type { Alphabet } from './encoding.js';
export {
  parseUdh, parseConcatUdh, buildConcatUdh, splitUdh, concatInfoOf, IEI_CONCAT_8BIT, IEI_CONCAT_16BIT,
} from './udh.js';
export type { InformationElement, ConcatInfo, UdhConcat } from './udh.js';
