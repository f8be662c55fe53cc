/**
 * An error answered to an HTTP customer: its status, a stable code, a message for people and,
 * for a bad field, the field's path in the body (`messages[3].to`).
 */
import { GatewayError } from '../errors.js';

export class HttpError extends GatewayError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly field?: string,
    /** Seconds the customer should wait before trying again (429, 503). */
    readonly retryAfterS?: number,
  ) {
    super(code, message);
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

export function errorBody(e: HttpError): ErrorBody {
  return { error: { code: e.code, message: e.message, ...(e.field === undefined ? {} : { field: e.field }) } };
}

export function badField(field: string, code: string, message: string): HttpError {
  return new HttpError(400, code, message, field);
}
