/** The CLI's exit codes, and the error that carries one. Documented in the README (Operators). */
import { GatewayError } from '../errors.js';

export const Exit = Object.freeze({
  OK: 0,
  /** A node refused the action, with its reason. */
  REFUSED: 1,
  /** Unknown command or option, or a bad value. */
  USAGE: 2,
  REDIS_UNREACHABLE: 3,
  KAFKA_UNREACHABLE: 4,
  /** No node answered in time (or none is running). */
  NO_ANSWER: 5,
  /** Nothing found: no such node, no events for that message id. */
  NOT_FOUND: 6,
});

export class CliError extends GatewayError {
  constructor(code: string, readonly exitCode: number, message: string, cause?: unknown) {
    super(code, message, { cause });
  }
}

export const usageError = (message: string) => new CliError('CLI_USAGE', Exit.USAGE, message);
