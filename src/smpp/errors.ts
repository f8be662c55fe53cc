import { SmppStatusError } from '../errors.js';
import { Status } from './status.js';

/**
 * A PDU that could not be decoded. It carries what the header told us so the connection can
 * answer the right sequence number with the right *_resp (or generic_nack) without re-parsing.
 */
export class PduDecodeError extends SmppStatusError {
  constructor(
    code: string,
    commandStatus: number,
    message: string,
    readonly commandId: number,
    readonly sequenceNumber: number,
    options: { cause?: unknown; closeSession?: boolean } = {},
  ) {
    super(code, commandStatus, message, options);
  }
}

/**
 * The byte stream no longer splits into PDUs (command_length out of range). Nothing after
 * this point can be trusted, so the session must be closed after the generic_nack.
 */
export class FramingError extends SmppStatusError {
  constructor(
    message: string,
    readonly commandLength: number,
    readonly sequenceNumber: number,
  ) {
    super('SMPP_FRAMING_LOST', Status.ESME_RINVCMDLEN, message, { closeSession: true });
  }
}
