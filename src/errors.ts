/**
 * The gateway's error hierarchy. Code matches on classes and `code`, never on message text.
 * An error that can reach an SMPP peer carries the command_status to answer with and whether
 * the session must be closed after answering.
 */
export class GatewayError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  constructor(code: string, message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** A fault answered to an SMPP peer with `commandStatus`. */
export class SmppStatusError extends GatewayError {
  readonly commandStatus: number;
  readonly closeSession: boolean;
  constructor(
    code: string,
    commandStatus: number,
    message: string,
    options: { cause?: unknown; closeSession?: boolean; retriable?: boolean } = {},
  ) {
    super(code, message, options);
    this.commandStatus = commandStatus;
    this.closeSession = options.closeSession ?? false;
  }
}

/** Bad configuration: names the field path and the offending value. */
export class ConfigError extends GatewayError {
  readonly field: string;
  readonly value: unknown;
  constructor(field: string, message: string, value?: unknown) {
    // A secret's value is never echoed: configuration errors reach logs and terminals.
    const shown = value !== undefined && isSecretField(field) ? REDACTED : value;
    super('CONFIG_INVALID', `${field}: ${message}${shown === undefined ? '' : ` (got ${shown === REDACTED ? REDACTED : render(shown)})`}`);
    this.field = field;
    this.value = shown;
  }
}

export const REDACTED = '<redacted>';
const SECRET_FIELD = /(password|passwordhash|secret|token|apikey|apikeys|credentials?)$/i;

/** A URL as it may be shown: the password in its user info (redis://:pw@host) redacted. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^:@/]*):([^@/]*)@/i, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
}

/**
 * Whether a configuration field (`customers[0].password`, `admin.token`, anything under
 * `kafka.sasl` but its mechanism, a TLS client's `key`) holds a secret. A `key` names a file,
 * but a private key pasted there by mistake must not be shown either.
 */
export function isSecretField(field: string): boolean {
  const last = field.replace(/\[\d+\]/g, '').split('.').pop() ?? '';
  return SECRET_FIELD.test(last)
    || (/(^|\.)sasl(\.|$)/i.test(field) && !/\.sasl\.mechanism$/i.test(field))
    || /(^|\.)(ssl|tls)\.key$/i.test(field);
}

/** Kafka, Redis or a provider could not take the work now; the caller may try again. */
export class UnavailableError extends GatewayError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { cause, retriable: true });
  }
}

/**
 * A record a stage cannot handle for its own content (undecodable, the wrong shape, invalid):
 * trying it again gives the same answer, so after a few tries it goes to the dead letters.
 */
export class RecordError extends GatewayError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { cause, retriable: false });
  }
}

/**
 * Whether a record's handler failed because of the record itself. RecordError says so; a
 * built-in error that JavaScript raises on data it cannot work with (JSON.parse's SyntaxError,
 * a TypeError reading a field of the wrong shape, a RangeError) is taken to mean the same.
 * Anything else (Kafka, Redis or a provider away, an actor restarting, a timeout) is a fault
 * of the infrastructure: the record is kept and tried again, however long that takes.
 */
export function isRecordFault(err: unknown): boolean {
  if (err instanceof RecordError) return true;
  if (err instanceof GatewayError) return false;
  return err instanceof SyntaxError || err instanceof TypeError || err instanceof RangeError;
}

export function errorCode(err: unknown): string {
  if (err instanceof GatewayError) return err.code;
  if (err instanceof Error) return err.name;
  return 'UNKNOWN';
}

export class TimeoutError extends GatewayError {
  constructor(message: string) {
    super('TIMEOUT', message, { retriable: true });
  }
}

function render(value: unknown): string {
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(value);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
