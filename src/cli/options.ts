/** Command line and environment, read once. Every bad value names the option. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { COMMANDS } from './help.js';
import { ENTRY_OPTIONS } from './entry-flags.js';
import { CliError, Exit, usageError } from './errors.js';
import { DEFAULT_BROKERS, DEFAULT_KEY_PREFIX, DEFAULT_REDIS_URL } from '../config/defaults.js';
import { parseConfigText } from '../config/load.js';
import { checkTlsFiles } from '../config/pem-files.js';
import type { GatewayConfig } from '../config/types.js';
import type { KafkaConnection } from '../kafka/client.js';
import { errorMessage } from '../errors.js';

export interface CliOptions {
  command: string | null;
  args: string[];
  help: boolean;
  json: boolean;
  redis: string;
  brokers: string[];
  /** The brokers and, from --config, the gateway's kafka.ssl and kafka.sasl. */
  kafka: KafkaConnection;
  prefix: string;
  node: string | null;
  timeoutMs: number;
  intervalMs: number;
  count: number | null;
  /** dead-letters replay --all */
  all: boolean;
  /** The entry flags of `customer|provider add|set` (entry-flags.ts), by flag name. */
  entry: Record<string, string>;
}

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv], allowPositionals: true, strict: true,
      options: {
        help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' }, all: { type: 'boolean' },
        redis: { type: 'string' }, brokers: { type: 'string' }, prefix: { type: 'string' }, config: { type: 'string' },
        node: { type: 'string' }, timeout: { type: 'string' }, interval: { type: 'string' }, count: { type: 'string', short: 'n' },
        ...ENTRY_OPTIONS,
      },
    });
  } catch (err) {
    throw usageError((err as Error).message);
  }
  const { values: v, positionals } = parsed;
  const [command = null, ...args] = positionals;
  const entry = Object.fromEntries(Object.keys(ENTRY_OPTIONS).flatMap((k) => ((v as Record<string, unknown>)[k] === undefined ? [] : [[k, String((v as Record<string, unknown>)[k])]])));
  const firstEntryFlag = Object.keys(entry)[0];
  if (firstEntryFlag !== undefined && command !== 'customer' && command !== 'provider' && command !== 'help') throw usageError(`--${firstEntryFlag}: applies to smsgw customer|provider add|set only`);
  if (command !== null && command !== 'help' && !(command in COMMANDS)) throw usageError(`unknown command ${JSON.stringify(command)} (smsgw help lists them)`);
  // A node's configuration file gives what the flags and the environment do not.
  const file = v.config === undefined ? undefined : gatewayConfig(v.config, env);
  const brokers = (v.brokers ?? env.SMSGW_KAFKA_BROKERS ?? (file?.kafka.brokers ?? DEFAULT_BROKERS).join(',')).split(',').map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0) throw usageError('--brokers: needs at least one host:port');
  return {
    command: command === 'help' ? (args[0] ?? null) : command,
    args: command === 'help' ? [] : args,
    help: Boolean(v.help) || command === 'help',
    json: Boolean(v.json),
    redis: v.redis ?? env.REDIS_URL ?? file?.redis.url ?? DEFAULT_REDIS_URL,
    brokers,
    kafka: { brokers, ssl: file?.kafka.ssl, sasl: file?.kafka.sasl },
    prefix: v.prefix ?? env.SMSGW_REDIS_PREFIX ?? file?.redis.keyPrefix ?? DEFAULT_KEY_PREFIX,
    node: v.node ?? null,
    timeoutMs: positive('--timeout', v.timeout, 5000),
    intervalMs: positive('--interval', v.interval, 2000),
    count: v.count === undefined ? null : positive('--count', v.count, 1),
    all: Boolean(v.all),
    entry,
  };
}

/** The node's configuration (--config), validated as the node does, its TLS files read. */
function gatewayConfig(path: string, env: NodeJS.ProcessEnv): GatewayConfig {
  try {
    const config = parseConfigText(readFileSync(path, 'utf8'), path, env);
    checkTlsFiles(config);
    return config;
  } catch (err) {
    throw new CliError('CLI_CONFIG', Exit.USAGE, `--config: cannot use ${path}: ${errorMessage(err)}`, err);
  }
}

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw usageError(`${name}: must be a whole number > 0 (got ${JSON.stringify(text)})`);
  return n;
}

/** The positional arguments a command needs, or a usage error naming what is missing. */
export function expectArgs(o: CliOptions, names: readonly string[]): string[] {
  if (o.args.length !== names.length) {
    throw usageError(`${o.command} needs ${names.map((n) => `<${n}>`).join(' ')} (got ${o.args.length === 0 ? 'nothing' : o.args.join(' ')})`);
  }
  return o.args;
}
