/**
 * The load generator's options: one type, one defaults object, parsed and validated once from
 * the command line (errors name the flag and the bad value), then frozen.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../src/errors.js';
import type { Level } from '../../src/log.js';
import type { ReceiptUnit } from './accounting.js';

export type BindMode = 'transceiver' | 'pair';
export type ProgressMode = 'auto' | 'tty' | 'lines' | 'off';
export type FailOn = 'missing' | 'duplicates' | 'unknown' | 'rejected' | 'errors';
export const FAIL_ON_VALUES: readonly FailOn[] = ['missing', 'duplicates', 'unknown', 'rejected', 'errors'];

export interface Credentials {
  systemId: string;
  password: string;
}

export type Edge = 'smpp' | 'http';

export interface LoadgenOptions {
  /**
   * smpp: submit_sm over binds, receipts as deliver_sm. http: POST /v1/messages (the port is
   * the gateway's HTTP API; a bind is a keep-alive connection), receipts as webhook POSTs to
   * `webhookPort`, where the customers' webhooks must point.
   */
  edge: Edge;
  /** The port this generator takes webhooks on (edge http). */
  webhookPort: number | undefined;
  host: string;
  port: number;
  /**
   * Every port to bind to (several gateway nodes on one host): a customer's binds are spread
   * over them in turn, so one customer is bound to several nodes. `port` is the first.
   */
  ports?: readonly number[];
  /** One entry per customer. */
  customers: readonly Credentials[];
  systemType: string;
  /** Binds per customer: transceivers, or transmitter+receiver pairs. */
  binds: number;
  bindMode: BindMode;
  /** Submits per second over all binds; Infinity: as fast as the windows allow. */
  rate: number;
  /** Stop sending after this long (ms) ... */
  durationMs: number | undefined;
  /** ... or after this many messages, whichever comes first. */
  count: number | undefined;
  multipartRatio: number;
  ucs2Ratio: number;
  minParts: number;
  maxParts: number;
  window: number;
  responseTimeoutMs: number;
  bindTimeoutMs: number;
  registeredDelivery: number;
  receiptUnit: ReceiptUnit;
  /** After the last response, how long to wait for missing receipts. */
  drainMs: number;
  /** Once none is missing, how much longer to listen for duplicates. */
  settleMs: number;
  sourceAddr: string;
  destPrefix: string;
  /**
   * Every message to its own destination (the prefix and an 8-digit message counter), so a
   * provider's log tells each message apart: a message sent twice is the same destination twice.
   */
  uniqueDestinations: boolean;
  seed: number;
  failOn: readonly FailOn[];
  json: string | undefined;
  html: string | undefined;
  progress: ProgressMode;
  /** Seconds between progress lines when not on a TTY. */
  progressEverySec: number;
  logLevel: Level;
  label: string;
  /** Print the text summary on stdout (off when --quiet). */
  printSummary: boolean;
  /** A JSON line on stderr when sending starts and when the drain ends (--mark-phases), for the benchmark's CPU window. */
  markPhases: boolean;
}

export const LOADGEN_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 2775,
  systemType: '',
  binds: 1,
  bindMode: 'transceiver' as BindMode,
  rate: 100,
  multipartRatio: 0.2,
  ucs2Ratio: 0.2,
  minParts: 2,
  maxParts: 3,
  window: 10,
  responseTimeoutMs: 10_000,
  bindTimeoutMs: 10_000,
  registeredDelivery: 1,
  receiptUnit: 'part' as ReceiptUnit,
  drainMs: 30_000,
  settleMs: 1_000,
  sourceAddr: 'LOADGEN',
  destPrefix: '4477009',
  failOn: ['missing', 'duplicates'] as readonly FailOn[],
  progress: 'auto' as ProgressMode,
  progressEverySec: 5,
  logLevel: 'warn' as Level,
  durationSec: 10,
});

export const HELP = `Usage: node dist/scripts/loadgen/main.js [options]

Binds N customers x M times to an SMPP server (the gateway, or the provider simulator for the
bare-SMPP baseline), submits at a target rate, matches every delivery receipt to the message
id it was given, and reports what was accepted, rejected, lost or duplicated.

Target
  --edge <smpp|http>            smpp (default): submit_sm over binds, receipts as deliver_sm; http: POST
                                /v1/messages to the gateway's HTTP API on --port, receipts as webhooks
  --webhook-port <n>            (edge http) take the customers' webhook POSTs on 127.0.0.1:<n>
  --host <addr>                 (default 127.0.0.1)
  --port <n[,n...]>             (default 2775) several: each customer's binds spread over them
Customers and binds
  --system-id <id>              system_id; "{i}" is replaced by the customer number 1..N (default demo)
  --password <pw>               password; "{i}" as above (default demo)
  --credentials <file.json>     [{"systemId": "...", "password": "..."}, ...] instead of the two above
  --customers <n>               customers (default: all in --credentials, else 1)
  --binds <m>                   binds per customer (default 1)
  --bind-mode <mode>            transceiver, or pair (a transmitter and a receiver) (default transceiver)
  --system-type <s>             (default empty)
  --window <n>                  submits in flight per bind (default 10)
Load
  --rate <n|max>                submit_sm per second over all binds; max: as fast as the windows allow (default 100)
  --duration <s>                seconds of sending (default 10 unless --count)
  --count <n>                   messages to send (stops at whichever of --duration/--count comes first)
  --multipart-ratio <0..1>      share of multi-part messages (default 0.2)
  --parts <a-b>                 parts of a multi-part message, e.g. 2-4 (default 2-3)
  --ucs2-ratio <0..1>           share of UCS-2 messages, the rest GSM 03.38 (default 0.2)
  --registered-delivery <n>     0 to ask for no receipts (default 1)
  --receipt-unit <part|message> expect a receipt per submit_sm, or one per message (default part)
  --source-addr <addr>          (default LOADGEN)
  --dest-prefix <digits>        destinations are this prefix and 5 digits (default 4477009)
  --unique-destinations         each message to its own destination: the prefix and an 8-digit counter
  --seed <n>                    seed of the message mix (default: random)
Ending
  --response-timeout-ms <n>     (default 10000)
  --bind-timeout-ms <n>         give up on binds not bound by then (default 10000)
  --drain-ms <n>                after sending, wait this long for missing receipts (default 30000)
  --settle-ms <n>               once none is missing, listen this much longer for duplicates (default 1000)
  --fail-on <list>              exit 1 when any of: missing,duplicates,unknown,rejected,errors; or none (default missing,duplicates)
Output
  --json <file>                 write the summary as JSON
  --html <file>                 write a self-contained HTML report with charts
  --progress <auto|tty|lines|off>  live progress on stderr (default auto: in place on a TTY, else a line every 5 s)
  --label <text>                name of the run in the reports
  --quiet                       no text summary on stdout
  --mark-phases                 a JSON line on stderr when sending starts and when the drain ends
                                ({"msg":"loadgen phase","phase":"send"|"done"}), for tools measuring that window
  --log-level <level>           SMPP client logs on stderr: debug, info, warn, error (default warn)
  --help

Exit status: 0 ok; 1 a --fail-on condition held; 2 bad options; 3 no bind succeeded.
`;

const num = (flag: string, v: string | undefined, check: (n: number) => boolean, what: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = /^0x[0-9a-f]+$/i.test(v) ? Number.parseInt(v, 16) : v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n) || !check(n)) throw new ConfigError(`--${flag}`, what, v);
  return n;
};
const posInt = (flag: string, v: string | undefined) => num(flag, v, (n) => Number.isInteger(n) && n > 0, 'must be a positive integer');
const nonNegInt = (flag: string, v: string | undefined) => num(flag, v, (n) => Number.isInteger(n) && n >= 0, 'must be a non-negative integer');
const ratio = (flag: string, v: string | undefined) => num(flag, v, (n) => n >= 0 && n <= 1, 'must be a number from 0 to 1');

function oneOf<T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new ConfigError(`--${flag}`, `must be one of ${allowed.join(', ')}`, v);
  return v as T;
}

function readCredentials(path: string): Credentials[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError('--credentials', `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!Array.isArray(raw) || raw.length === 0) throw new ConfigError('--credentials', 'must hold a non-empty JSON array', path);
  return raw.map((c: unknown, i) => {
    const r = c as Partial<Credentials> | null;
    if (!r || typeof r.systemId !== 'string' || typeof r.password !== 'string') {
      throw new ConfigError(`--credentials[${i}]`, 'must be {"systemId": string, "password": string}', c);
    }
    return { systemId: r.systemId, password: r.password };
  });
}

export type ParsedArgs = { help: true } | { help: false; options: LoadgenOptions };

/** Parses argv (without node and script) into validated, frozen options. Throws ConfigError. */
export function parseLoadgenArgs(argv: string[], env: { isTTY: boolean } = { isTTY: false }): ParsedArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        edge: { type: 'string' }, 'webhook-port': { type: 'string' },
        host: { type: 'string' }, port: { type: 'string' },
        'system-id': { type: 'string' }, password: { type: 'string' }, credentials: { type: 'string' },
        customers: { type: 'string' }, binds: { type: 'string' }, 'bind-mode': { type: 'string' },
        'system-type': { type: 'string' }, window: { type: 'string' },
        rate: { type: 'string' }, duration: { type: 'string' }, count: { type: 'string' },
        'multipart-ratio': { type: 'string' }, parts: { type: 'string' }, 'ucs2-ratio': { type: 'string' },
        'registered-delivery': { type: 'string' }, 'receipt-unit': { type: 'string' },
        'source-addr': { type: 'string' }, 'dest-prefix': { type: 'string' }, 'unique-destinations': { type: 'boolean' }, seed: { type: 'string' },
        'response-timeout-ms': { type: 'string' }, 'bind-timeout-ms': { type: 'string' },
        'drain-ms': { type: 'string' }, 'settle-ms': { type: 'string' }, 'fail-on': { type: 'string' },
        json: { type: 'string' }, html: { type: 'string' }, progress: { type: 'string' }, label: { type: 'string' },
        quiet: { type: 'boolean' }, 'log-level': { type: 'string' }, 'mark-phases': { type: 'boolean' }, help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    throw new ConfigError('arguments', err instanceof Error ? err.message : String(err));
  }
  if (values.help) return { help: true };
  const str = (k: string) => values[k] as string | undefined;
  const d = LOADGEN_DEFAULTS;

  // Customers.
  let customers: Credentials[];
  const fileCreds = str('credentials') === undefined ? undefined : readCredentials(str('credentials')!);
  if (fileCreds && (str('system-id') !== undefined || str('password') !== undefined)) {
    throw new ConfigError('--credentials', 'cannot be combined with --system-id/--password');
  }
  const n = posInt('customers', str('customers'));
  if (fileCreds) {
    if (n !== undefined && n > fileCreds.length) throw new ConfigError('--customers', `is more than the ${fileCreds.length} in --credentials`, n);
    customers = fileCreds.slice(0, n ?? fileCreds.length);
  } else {
    const id = str('system-id') ?? 'demo';
    const pw = str('password') ?? 'demo';
    customers = Array.from({ length: n ?? 1 }, (_, i) => ({
      systemId: id.replaceAll('{i}', String(i + 1)),
      password: pw.replaceAll('{i}', String(i + 1)),
    }));
  }
  customers.forEach((c, i) => {
    if (c.systemId.length === 0 || c.systemId.length > 15) throw new ConfigError(`customers[${i}].systemId`, 'must be 1 to 15 characters', c.systemId);
    if (c.password.length > 8) throw new ConfigError(`customers[${i}].password`, 'must be at most 8 characters', '********');
  });

  // Rate and ending.
  const rateRaw = str('rate');
  const rate = rateRaw === 'max' || rateRaw === '0' ? Infinity : num('rate', rateRaw, (x) => x > 0, 'must be a positive number or max') ?? d.rate;
  const durationSec = num('duration', str('duration'), (x) => x > 0, 'must be a positive number of seconds');
  const count = posInt('count', str('count'));
  const durationMs = durationSec !== undefined ? Math.round(durationSec * 1000) : count === undefined ? d.durationSec * 1000 : undefined;

  // Mix.
  let minParts: number = d.minParts;
  let maxParts: number = d.maxParts;
  const parts = str('parts');
  if (parts !== undefined) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(parts);
    minParts = m ? Number(m[1]) : NaN;
    maxParts = m ? Number(m[2] ?? m[1]) : NaN;
    if (!m || minParts < 2 || maxParts < minParts || maxParts > 255) throw new ConfigError('--parts', 'must be a range a-b with 2 <= a <= b <= 255', parts);
  }

  const failOnRaw = str('fail-on');
  let failOn: readonly FailOn[] = d.failOn;
  if (failOnRaw !== undefined) {
    failOn = failOnRaw === 'none' || failOnRaw === '' ? [] : failOnRaw.split(',').map((x) => oneOf('fail-on', x.trim(), FAIL_ON_VALUES)!);
  }
  const destPrefix = str('dest-prefix') ?? d.destPrefix;
  if (!/^\d{0,15}$/.test(destPrefix)) throw new ConfigError('--dest-prefix', 'must be at most 15 digits', destPrefix);
  const uniqueDestinations = values['unique-destinations'] === true;
  if (uniqueDestinations && destPrefix.length > 12) throw new ConfigError('--dest-prefix', 'must be at most 12 digits with --unique-destinations (8 more follow)', destPrefix);
  const sourceAddr = str('source-addr') ?? d.sourceAddr;
  if (sourceAddr.length > 20) throw new ConfigError('--source-addr', 'must be at most 20 characters', sourceAddr);
  const progress = oneOf<ProgressMode>('progress', str('progress'), ['auto', 'tty', 'lines', 'off']) ?? d.progress;

  const edge = oneOf<Edge>('edge', str('edge'), ['smpp', 'http']) ?? 'smpp';
  const webhookPort = nonNegInt('webhook-port', str('webhook-port'));
  if (edge === 'http' && webhookPort === undefined) throw new ConfigError('--webhook-port', 'is needed with --edge http (the customers\' webhooks point there)');
  const options: LoadgenOptions = {
    edge,
    webhookPort,
    host: str('host') ?? d.host,
    ...portsOf(str('port'), d.port),
    customers: Object.freeze(customers.map((c) => Object.freeze(c))),
    systemType: str('system-type') ?? d.systemType,
    binds: posInt('binds', str('binds')) ?? d.binds,
    bindMode: oneOf<BindMode>('bind-mode', str('bind-mode'), ['transceiver', 'pair']) ?? d.bindMode,
    rate,
    durationMs,
    count,
    multipartRatio: ratio('multipart-ratio', str('multipart-ratio')) ?? d.multipartRatio,
    ucs2Ratio: ratio('ucs2-ratio', str('ucs2-ratio')) ?? d.ucs2Ratio,
    minParts,
    maxParts,
    window: posInt('window', str('window')) ?? d.window,
    responseTimeoutMs: posInt('response-timeout-ms', str('response-timeout-ms')) ?? d.responseTimeoutMs,
    bindTimeoutMs: posInt('bind-timeout-ms', str('bind-timeout-ms')) ?? d.bindTimeoutMs,
    registeredDelivery: num('registered-delivery', str('registered-delivery'), (x) => Number.isInteger(x) && x >= 0 && x <= 255, 'must be 0..255') ?? d.registeredDelivery,
    receiptUnit: oneOf<ReceiptUnit>('receipt-unit', str('receipt-unit'), ['part', 'message']) ?? d.receiptUnit,
    drainMs: nonNegInt('drain-ms', str('drain-ms')) ?? d.drainMs,
    settleMs: nonNegInt('settle-ms', str('settle-ms')) ?? d.settleMs,
    sourceAddr,
    destPrefix,
    uniqueDestinations,
    seed: nonNegInt('seed', str('seed')) ?? Math.floor(Math.random() * 2 ** 31),
    failOn: Object.freeze([...failOn]),
    json: str('json'),
    html: str('html'),
    progress: progress === 'auto' ? (env.isTTY ? 'tty' : 'lines') : progress,
    progressEverySec: d.progressEverySec,
    logLevel: oneOf<Level>('log-level', str('log-level'), ['debug', 'info', 'warn', 'error']) ?? d.logLevel,
    label: str('label') ?? '',
    printSummary: !(values.quiet ?? false),
    markPhases: values['mark-phases'] === true,
  };
  return { help: false, options: Object.freeze(options) };
}

function portsOf(text: string | undefined, fallback: number): { port: number; ports: number[] } {
  if (text === undefined) return { port: fallback, ports: [fallback] };
  const ports = text.split(',').map((p) => Number(p.trim()));
  if (ports.length === 0 || ports.some((x) => !Number.isInteger(x) || x <= 0 || x >= 65536))
    throw new ConfigError('--port', 'must be a TCP port or a comma-separated list of them', text);
  return { port: ports[0]!, ports };
}

/** The options as they go into a report: without passwords. */
export function describeOptions(o: LoadgenOptions): Record<string, unknown> {
  const { customers, ...rest } = o;
  return {
    ...rest,
    rate: Number.isFinite(o.rate) ? o.rate : 'max',
    customers: customers.length,
    systemIds: customers.length <= 10 ? customers.map((c) => c.systemId) : [...customers.slice(0, 10).map((c) => c.systemId), '...'],
  };
}
