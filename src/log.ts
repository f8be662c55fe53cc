/**
 * Structured logs: pino's JSON lines on stderr, with its standard fields (level, time, pid,
 * hostname, msg) and ours beside them. A logger is passed in, never imported as a module-level
 * singleton, so libraries stay silent unless given one.
 *
 * Secrets never reach a log line: any field named like a password, token, secret, API key or
 * SASL credential (at the top or up to three levels down) is written as `<redacted>`.
 */
import { pino, stdTimeFunctions, type Logger as Pino } from 'pino';
import { REDACTED } from './errors.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: Level;
  /** Where each line goes (without its newline); stderr by default. */
  write?: (line: string) => void;
  base?: Record<string, unknown>;
}

const SECRET_KEYS = ['password', 'passwordHash', 'token', 'secret', 'apiKey', 'apiKeys', 'sasl', 'authorization', 'passphrase'];

/** pino's redaction takes explicit paths; `*` stands for one level. */
export const REDACT_PATHS: readonly string[] = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.write
    ? { write: (chunk: string) => options.write!(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) }
    // Synchronous: the lines before a crash are written, and in order across the threads' calls.
    : pino.destination({ fd: 2, sync: true });
  const root = pino({
    level: options.level ?? 'info',
    timestamp: stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    // Errors inside fields come out as their name, message and code, not `{}`.
    hooks: {
      logMethod(args, method) {
        const fields = args[0] as unknown;
        if (typeof fields === 'object' && fields !== null && Object.values(fields).some((v) => v instanceof Error)) {
          args[0] = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? serializeError(v) : v]));
        }
        method.apply(this, args);
      },
    },
  }, destination);
  return wrap(options.base ? root.child(options.base) : root);
}

function wrap(p: Pino): Logger {
  return {
    debug: (m, f) => p.debug(f ?? {}, m),
    info: (m, f) => p.info(f ?? {}, m),
    warn: (m, f) => p.warn(f ?? {}, m),
    error: (m, f) => p.error(f ?? {}, m),
    // pino repeats a key given again; a field the parent already carries with that value is left out.
    child: (fields) => {
      const have = p.bindings();
      const fresh = Object.fromEntries(Object.entries(fields).filter(([k, v]) => have[k] !== v));
      return Object.keys(fresh).length === 0 ? wrap(p) : wrap(p.child(fresh));
    },
  };
}

export const silentLogger: Logger = (() => {
  const none = (): void => undefined;
  const l: Logger = { debug: none, info: none, warn: none, error: none, child: () => l };
  return l;
})();

function serializeError(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: err.message };
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  return out;
}
