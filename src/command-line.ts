/**
 * The command line of the node and of every script, read the same way: `--help` (or `-h`)
 * prints the usage and exits 0; an unknown flag, a missing value or a bad one prints what is
 * wrong and the usage and exits 2 (the shell's "usage" status), never a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const EXIT_USAGE = 2;

/** Thrown by the checks below; `checked` turns it into exit 2 with the usage. */
export class UsageError extends Error {}

/**
 * Parses `argv` strictly by `config` (its `args` and `strict` are set here). `--help` anywhere
 * prints `usage` and exits 0; a parse error prints itself and `usage` and exits 2.
 */
export function readCommandLine<T extends Omit<ParseArgsConfig, 'args' | 'strict'>>(argv: readonly string[], usage: string, config: T): ReturnType<typeof parseArgs<T & { strict: true }>> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage.endsWith('\n') ? usage : `${usage}\n`);
    process.exit(0);
  }
  try {
    return parseArgs({ ...config, args: [...argv], strict: true }) as ReturnType<typeof parseArgs<T & { strict: true }>>;
  } catch (err) {
    return usageExit(usage, (err as Error).message);
  }
}

/** Prints `message` and the usage to stderr and exits 2. */
export function usageExit(usage: string, message: string): never {
  const m = /^usage:\s+(\S+)(?:\s+(\S+))?/i.exec(usage);
  const name = m?.[1] === 'node' ? m[2] : m?.[1];
  process.stderr.write(`${name ? `${name}: ` : ''}${message}\n${usage.endsWith('\n') ? usage : `${usage}\n`}`);
  process.exit(EXIT_USAGE);
}

/** A whole number within bounds, or a UsageError naming the flag. */
export function wholeNumber(flag: string, text: string | undefined, fallback: number, o: { min?: number; max?: number } = {}): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  const min = o.min ?? 0;
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min || (o.max !== undefined && n > o.max)) {
    throw new UsageError(`${flag}: must be a whole number${o.max !== undefined ? ` from ${min} to ${o.max}` : ` ≥ ${min}`} (got ${JSON.stringify(text)})`);
  }
  return n;
}

/** A number within bounds (fractions allowed), or a UsageError naming the flag. */
export function decimal(flag: string, text: string | undefined, fallback: number, o: { min?: number; max?: number } = {}): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || (o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) {
    throw new UsageError(`${flag}: must be a number${o.min !== undefined ? ` ≥ ${o.min}` : ''}${o.max !== undefined ? ` ≤ ${o.max}` : ''} (got ${JSON.stringify(text)})`);
  }
  return n;
}

/** Runs `read` (the value checks of a command line); a UsageError exits 2 with the usage. */
export function checked<T>(usage: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof UsageError) usageExit(usage, err.message);
    throw err;
  }
}
