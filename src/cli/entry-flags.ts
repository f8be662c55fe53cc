/**
 * The flags of `smsgw customer|provider add|set` and the entry fields they set. Pure: flags
 * in, a partial entry out (checked afterwards like a configuration file's entry, with errors
 * naming the flag).
 */
import { usageError } from './errors.js';

type Kind = 'customer' | 'provider';
type Parse = 'string' | 'int' | 'number' | 'list' | 'rate' | 'bool';

interface Flag {
  field: string;
  kinds: readonly Kind[];
  parse: Parse;
}

/** Flag name → entry field. `--rate none` removes a customer's limit. */
export const ENTRY_FLAGS: Readonly<Record<string, Flag>> = {
  password: { field: 'password', kinds: ['customer', 'provider'], parse: 'string' },
  'password-hash': { field: 'passwordHash', kinds: ['customer'], parse: 'string' },
  'bind-types': { field: 'bindTypes', kinds: ['customer'], parse: 'list' },
  rate: { field: 'rate', kinds: ['customer', 'provider'], parse: 'rate' },
  burst: { field: 'burst', kinds: ['customer'], parse: 'int' },
  'max-binds': { field: 'maxBinds', kinds: ['customer'], parse: 'int' },
  'allowed-ips': { field: 'allowedIps', kinds: ['customer'], parse: 'list' },
  numbers: { field: 'numbers', kinds: ['customer'], parse: 'list' },
  // The webhook's fields (gathered into `webhook` by the directory command); `--webhook-url none` removes it.
  'webhook-url': { field: 'webhook.url', kinds: ['customer'], parse: 'string' },
  'webhook-secret': { field: 'webhook.secret', kinds: ['customer'], parse: 'string' },
  'webhook-prefer-smpp': { field: 'webhook.preferSmpp', kinds: ['customer'], parse: 'bool' },
  host: { field: 'host', kinds: ['provider'], parse: 'string' },
  port: { field: 'port', kinds: ['provider'], parse: 'int' },
  'system-id': { field: 'systemId', kinds: ['provider'], parse: 'string' },
  'system-type': { field: 'systemType', kinds: ['provider'], parse: 'string' },
  'bind-type': { field: 'bindType', kinds: ['provider'], parse: 'string' },
  window: { field: 'window', kinds: ['provider'], parse: 'int' },
  'response-timeout-ms': { field: 'responseTimeoutMs', kinds: ['provider'], parse: 'int' },
  concatenation: { field: 'concatenation', kinds: ['provider'], parse: 'string' },
  'receipt-id-form': { field: 'receiptIdForm', kinds: ['provider'], parse: 'string' },
  'max-attempts': { field: 'maxAttempts', kinds: ['provider'], parse: 'int' },
  'max-retry-age-ms': { field: 'maxRetryAgeMs', kinds: ['provider'], parse: 'int' },
  'retry-delay-ms': { field: 'retryDelayMs', kinds: ['provider'], parse: 'int' },
  'failover-after-ms': { field: 'failoverAfterMs', kinds: ['provider'], parse: 'int' },
  'throttle-pause-ms': { field: 'throttlePauseMs', kinds: ['provider'], parse: 'int' },
  'throttle-pause-max-ms': { field: 'throttlePauseMaxMs', kinds: ['provider'], parse: 'int' },
};

/** For node:util parseArgs. */
export const ENTRY_OPTIONS: Readonly<Record<string, { type: 'string' }>> = Object.fromEntries(Object.keys(ENTRY_FLAGS).map((k) => [k, { type: 'string' as const }]));

/** The entry fields the given flags set (`null`: unset the field). */
export function entryFromFlags(kind: Kind, given: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [flag, text] of Object.entries(given)) {
    const f = ENTRY_FLAGS[flag];
    if (!f) continue;
    if (!f.kinds.includes(kind)) throw usageError(`--${flag}: applies to ${f.kinds.join(' and ')} entries, not ${kind}s`);
    out[f.field] = parse(flag, f.parse, text);
  }
  return out;
}

/** The flag that sets `field` of a `kind` entry, to name it in an error; undefined when none does. */
export function flagOf(kind: Kind, field: string): string | undefined {
  return Object.entries(ENTRY_FLAGS).find(([, f]) => f.field === field && f.kinds.includes(kind))?.[0];
}

function parse(flag: string, how: Parse, text: string): unknown {
  switch (how) {
    case 'string':
      return text;
    case 'list':
      return text.split(',').map((s) => s.trim()).filter(Boolean);
    case 'bool':
      if (text !== 'true' && text !== 'false') throw usageError(`--${flag}: must be true or false (got ${JSON.stringify(text)})`);
      return text === 'true';
    case 'rate':
      if (text === 'none') return null;
      return number(flag, text);
    case 'number':
      return number(flag, text);
    case 'int': {
      const n = number(flag, text);
      if (!Number.isInteger(n)) throw usageError(`--${flag}: must be a whole number (got ${JSON.stringify(text)})`);
      return n;
    }
  }
}

function number(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw usageError(`--${flag}: must be a number (got ${JSON.stringify(text)})`);
  return n;
}
