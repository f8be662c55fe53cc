/**
 * A provider SMSC for tests and local runs, built on the gateway's own SMPP server. Each
 * failure mode is an option (wrong credentials, rejections, throttling, silence) so a test
 * names the behaviour it needs instead of scripting PDUs.
 *
 *   node dist/scripts/provider-simulator.js --port 2776 --receipt-delay-ms 100
 */
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, errorMessage } from '../src/errors.js';
import { createLogger, silentLogger, type Level, type Logger } from '../src/log.js';
import type { SmppConnection, SmppConnectionOptions, Responder } from '../src/smpp/connection.js';
import { decodeText } from '../src/smpp/encoding.js';
import type { Pdu } from '../src/smpp/pdu.js';
import { formatReceiptText, messageStateFor, normalizeStat, type ReceiptStat } from '../src/smpp/receipt.js';
import { createSmppServer, type SmppServer } from '../src/smpp/server.js';
import { EsmClass, Status, statusName } from '../src/smpp/status.js';
import { splitUdh } from '../src/smpp/udh.js';

export interface ProviderSimulatorOptions {
  host?: string;
  /** 0 picks a free port; see `address`. */
  port?: number;
  /** When set, binds with another system_id get ESME_RINVSYSID. */
  systemId?: string;
  /** When set, binds with another password get ESME_RINVPASWD. */
  password?: string;
  receiptDelayMs?: number;
  receiptStat?: ReceiptStat;
  /** Wait before retrying a receipt that found no receiver bind or was not acknowledged. */
  receiptRetryMs?: number;
  /** Send a receipt for every accepted submit, whatever registered_delivery asks. */
  alwaysReceipt?: boolean;
  /** Answer submits with this status: all of them, or every `rejectEvery`th when that is set. */
  rejectStatus?: number;
  rejectEvery?: number;
  /** Submits beyond this in one second get ESME_RTHROTTLED. */
  maxSubmitsPerSecond?: number;
  /** Never answer submit_sm (to exercise response timeouts). */
  neverAnswer?: boolean;
  idFormat?: 'hex' | 'decimal';
  connection?: SmppConnectionOptions;
  logger?: Logger;
}

export interface SubmittedMessage {
  messageId: string;
  pdu: Pdu;
  at: Date;
  systemId: string;
}

export interface SentReceipt {
  messageId: string;
  stat: ReceiptStat;
  at: Date;
}

export interface SimulatorCounters {
  binds: number;
  bindsRefused: number;
  submits: number;
  accepted: number;
  rejected: number;
  throttled: number;
  ignored: number;
  receiptsSent: number;
  receiptRetries: number;
}

export type ProviderSimulatorEvents = {
  submit: [message: SubmittedMessage];
  receipt: [receipt: SentReceipt];
};

type BindKind = 'transmitter' | 'receiver' | 'transceiver';

interface Session {
  systemId: string;
  kind: BindKind;
}

interface ReceiptJob {
  message: SubmittedMessage;
  stat: ReceiptStat;
}

export interface ProviderSimulator extends EventEmitter<ProviderSimulatorEvents> {
  readonly address: { host: string; port: number };
  readonly submitted: readonly SubmittedMessage[];
  readonly receiptsSent: readonly SentReceipt[];
  readonly counters: Readonly<SimulatorCounters>;
  /** Connections currently bound, any kind. */
  readonly boundSessions: number;
  /**
   * Sends a mobile-originated message (deliver_sm, esm_class 0) over a receiver or transceiver
   * bind (of `systemId` when given) and resolves with the command_status the gateway answered.
   */
  sendMo(mo: MobileOriginated): Promise<number>;
  close(): Promise<void>;
}

export interface MobileOriginated {
  /** The handset. */
  source: string;
  /** The number it was sent to (a customer's number). */
  destination: string;
  /** Latin-1 text (GSM default alphabet for the usual characters), or `body` for raw octets. */
  text?: string;
  body?: Buffer;
  dataCoding?: number;
  systemId?: string;
}

const FAILURE_STATS: ReadonlySet<ReceiptStat> = new Set(['EXPIRED', 'DELETED', 'UNDELIV', 'UNKNOWN', 'REJECTD']);

const BIND_KINDS: Partial<Record<Pdu['command'], BindKind>> = {
  bind_transmitter: 'transmitter',
  bind_receiver: 'receiver',
  bind_transceiver: 'transceiver',
};

class Simulator extends EventEmitter<ProviderSimulatorEvents> implements ProviderSimulator {
  readonly submitted: SubmittedMessage[] = [];
  readonly receiptsSent: SentReceipt[] = [];
  readonly counters: SimulatorCounters = {
    binds: 0, bindsRefused: 0, submits: 0, accepted: 0, rejected: 0, throttled: 0, ignored: 0, receiptsSent: 0, receiptRetries: 0,
  };
  address = { host: '', port: 0 };

  private readonly sessions = new Map<SmppConnection, Session>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly server: SmppServer;
  private readonly log: Logger;
  private nextId: number;
  private rateWindowStart = 0;
  private rateWindowCount = 0;
  private receiverCursor = 0;
  private closing = false;

  constructor(private readonly opts: Required<Pick<ProviderSimulatorOptions, 'host' | 'port' | 'receiptDelayMs' | 'receiptStat' | 'receiptRetryMs' | 'idFormat'>> & ProviderSimulatorOptions) {
    super();
    this.log = opts.logger ?? silentLogger;
    // Ids differ between runs so a test cannot pass by matching a previous run's receipt.
    this.nextId = opts.idFormat === 'hex' ? Math.floor(Math.random() * 0x0fffffff) : 1_000_000_000 + Math.floor(Math.random() * 1e8);
    this.server = createSmppServer(
      { host: opts.host, port: opts.port, connection: { ...opts.connection, logger: opts.connection?.logger ?? this.log }, logger: this.log },
      (conn) => this.onConnection(conn),
    );
  }

  get boundSessions(): number {
    return this.sessions.size;
  }

  async listen(): Promise<void> {
    this.address = await this.server.listen();
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.server.close();
  }

  private onConnection(conn: SmppConnection): void {
    conn.on('request', (pdu, respond) => this.onRequest(conn, pdu, respond));
    conn.once('close', () => this.sessions.delete(conn));
  }

  private onRequest(conn: SmppConnection, pdu: Pdu, respond: Responder): void {
    const kind = BIND_KINDS[pdu.command];
    if (kind) return this.onBind(conn, kind, pdu, respond);
    switch (pdu.command) {
      case 'submit_sm': return this.onSubmit(conn, pdu, respond);
      case 'query_sm': return this.onQuery(pdu, respond);
      default: respond(Status.ESME_RINVCMDID);
    }
  }

  private onBind(conn: SmppConnection, kind: BindKind, pdu: Pdu, respond: Responder): void {
    if (this.sessions.has(conn)) return respond(Status.ESME_RALYBND);
    const systemId = pdu.system_id ?? '';
    const refuse = this.opts.systemId !== undefined && systemId !== this.opts.systemId ? Status.ESME_RINVSYSID
      : this.opts.password !== undefined && pdu.password !== this.opts.password ? Status.ESME_RINVPASWD
        : undefined;
    if (refuse !== undefined) {
      this.counters.bindsRefused++;
      this.log.info('bind refused', { systemId, status: statusName(refuse) });
      return respond(refuse);
    }
    this.sessions.set(conn, { systemId, kind });
    this.counters.binds++;
    this.log.info('bound', { systemId, kind, peer: conn.remoteAddress });
    respond(Status.ESME_ROK, { system_id: 'SIMSMSC' });
  }

  private onSubmit(conn: SmppConnection, pdu: Pdu, respond: Responder): void {
    const session = this.sessions.get(conn);
    if (!session || session.kind === 'receiver') return respond(Status.ESME_RINVBNDSTS);
    this.counters.submits++;
    if (this.opts.neverAnswer) {
      this.counters.ignored++;
      return;
    }
    if (this.overRate()) {
      this.counters.throttled++;
      return respond(Status.ESME_RTHROTTLED);
    }
    const { rejectStatus, rejectEvery } = this.opts;
    const reject = rejectEvery !== undefined
      ? (this.counters.submits % rejectEvery === 0 ? rejectStatus ?? Status.ESME_RSUBMITFAIL : undefined)
      : rejectStatus;
    if (reject !== undefined) {
      this.counters.rejected++;
      return respond(reject);
    }

    const message: SubmittedMessage = { messageId: this.newMessageId(), pdu, at: new Date(), systemId: session.systemId };
    this.submitted.push(message);
    this.counters.accepted++;
    respond(Status.ESME_ROK, { message_id: message.messageId });
    this.emit('submit', message);

    const stat = this.opts.receiptStat;
    const wanted = (pdu.registered_delivery ?? 0) & 0x03;
    if (this.opts.alwaysReceipt || wanted === 1 || (wanted === 2 && FAILURE_STATS.has(stat))) {
      this.later(this.opts.receiptDelayMs, () => this.sendReceipt({ message, stat }));
    }
  }

  private onQuery(pdu: Pdu, respond: Responder): void {
    const found = this.submitted.find((m) => m.messageId === pdu.message_id);
    if (!found) return respond(Status.ESME_RQUERYFAIL);
    const sent = this.receiptsSent.some((r) => r.messageId === found.messageId);
    respond(Status.ESME_ROK, {
      message_id: found.messageId,
      final_date: '',
      message_state: sent ? messageStateFor(this.opts.receiptStat) : messageStateFor('ENROUTE'),
      error_code: 0,
    });
  }

  async sendMo(mo: MobileOriginated): Promise<number> {
    const conn = [...this.sessions].find(([c, s]) => s.kind !== 'transmitter' && !c.closed && (mo.systemId === undefined || s.systemId === mo.systemId))?.[0];
    if (!conn) throw new Error(`no receiver or transceiver bind${mo.systemId === undefined ? '' : ` of ${mo.systemId}`} to send an MO over`);
    const resp = await conn.request('deliver_sm', {
      source_addr_ton: 1, source_addr_npi: 1, source_addr: mo.source,
      dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: mo.destination,
      esm_class: 0, data_coding: mo.dataCoding ?? 0,
      short_message: mo.body ?? Buffer.from(mo.text ?? '', 'latin1'),
    });
    return resp.command_status;
  }

  private overRate(): boolean {
    const max = this.opts.maxSubmitsPerSecond;
    if (max === undefined) return false;
    const now = Date.now();
    if (now - this.rateWindowStart >= 1000) {
      this.rateWindowStart = now;
      this.rateWindowCount = 0;
    }
    return ++this.rateWindowCount > max;
  }

  private newMessageId(): string {
    const n = this.nextId++;
    return this.opts.idFormat === 'hex' ? n.toString(16).padStart(8, '0') : String(n);
  }

  private sendReceipt(job: ReceiptJob): void {
    if (this.closing) return;
    const conn = this.pickReceiver(job.message.systemId);
    if (!conn) return this.retryReceipt(job, 'no receiver bound');

    const { message, stat } = job;
    const submit = message.pdu;
    const failed = FAILURE_STATS.has(stat);
    const octets = submit.short_message?.length ? submit.short_message : submit.message_payload ?? Buffer.alloc(0);
    const text = decodeText(splitUdh(octets, submit.esm_class ?? 0).body, submit.data_coding ?? 0) ?? '';
    const receipt = formatReceiptText({
      id: message.messageId, submitDate: message.at, doneDate: new Date(), stat, err: failed ? 1 : 0, text,
    });
    conn
      .request('deliver_sm', {
        source_addr_ton: submit.dest_addr_ton ?? 0,
        source_addr_npi: submit.dest_addr_npi ?? 0,
        source_addr: submit.destination_addr ?? '',
        dest_addr_ton: submit.source_addr_ton ?? 0,
        dest_addr_npi: submit.source_addr_npi ?? 0,
        destination_addr: submit.source_addr ?? '',
        esm_class: EsmClass.DELIVERY_RECEIPT,
        data_coding: 0,
        // Receipt text is plain ASCII, identical in the GSM default alphabet for these characters.
        short_message: Buffer.from(receipt, 'latin1'),
        receipted_message_id: message.messageId,
        message_state: messageStateFor(stat),
        ...(failed ? { network_error_code: Buffer.from([0x03, 0x00, 0x01]) } : {}),
      })
      .then(
        (resp) => {
          if (resp.command_status !== Status.ESME_ROK) return this.retryReceipt(job, `deliver_sm_resp ${statusName(resp.command_status)}`);
          const sent: SentReceipt = { messageId: message.messageId, stat, at: new Date() };
          this.receiptsSent.push(sent);
          this.counters.receiptsSent++;
          this.emit('receipt', sent);
        },
        (err: unknown) => this.retryReceipt(job, errorMessage(err)),
      );
  }

  private retryReceipt(job: ReceiptJob, why: string): void {
    if (this.closing) return;
    this.counters.receiptRetries++;
    this.log.debug('receipt deferred', { messageId: job.message.messageId, why });
    this.later(this.opts.receiptRetryMs, () => this.sendReceipt(job));
  }

  /** Round-robin over this system_id's receiver and transceiver binds. */
  private pickReceiver(systemId: string): SmppConnection | undefined {
    const candidates = [...this.sessions].filter(([c, s]) => s.systemId === systemId && s.kind !== 'transmitter' && !c.closed);
    if (candidates.length === 0) return undefined;
    const pick = candidates[this.receiverCursor++ % candidates.length];
    return pick?.[0];
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }
}

export async function startProviderSimulator(options: ProviderSimulatorOptions = {}): Promise<ProviderSimulator> {
  const positiveInt = (name: string, v: number | undefined) => {
    if (v !== undefined && (!Number.isInteger(v) || v <= 0)) throw new ConfigError(`simulator.${name}`, 'must be a positive integer', v);
  };
  positiveInt('rejectEvery', options.rejectEvery);
  positiveInt('maxSubmitsPerSecond', options.maxSubmitsPerSecond);
  if (options.receiptStat !== undefined && normalizeStat(options.receiptStat) !== options.receiptStat) {
    throw new ConfigError('simulator.receiptStat', 'must be one of DELIVRD EXPIRED DELETED UNDELIV ACCEPTD UNKNOWN REJECTD ENROUTE', options.receiptStat);
  }
  const sim = new Simulator({
    ...options,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    receiptDelayMs: options.receiptDelayMs ?? 100,
    receiptStat: options.receiptStat ?? 'DELIVRD',
    receiptRetryMs: options.receiptRetryMs ?? 1000,
    idFormat: options.idFormat ?? 'hex',
  });
  await sim.listen();
  return sim;
}

// --- command line ---------------------------------------------------------------------------

const HELP = `Usage: node dist/scripts/provider-simulator.js [options]

A simulated provider SMSC: accepts binds and submit_sm, sends delivery receipts.

  --host <addr>                  listen address (default 127.0.0.1)
  --port <n>                     listen port, 0 for any free port (default 2776)
  --system-id <id>               accept only this system_id (default: any)
  --password <pw>                accept only this password (default: any)
  --receipt-delay-ms <n>         delay before each receipt (default 100)
  --receipt-stat <stat>          DELIVRD, UNDELIV, EXPIRED, REJECTD, ... (default DELIVRD)
  --always-receipt               send receipts even when registered_delivery does not ask
  --reject-status <n>            answer submits with this command_status (decimal or 0x hex)
  --reject-every <n>             reject only every n-th submit
  --max-submits-per-second <n>   answer ESME_RTHROTTLED beyond this rate
  --never-answer                 never answer submit_sm
  --id-format <hex|decimal>      message_id format (default hex)
  --log-level <level>            debug, info, warn, error (default info)
  --help                         show this text
`;

export function parseSimulatorArgs(argv: string[]): { help: true } | { help: false; options: ProviderSimulatorOptions; logLevel: Level } {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'system-id': { type: 'string' },
      password: { type: 'string' },
      'receipt-delay-ms': { type: 'string' },
      'receipt-stat': { type: 'string' },
      'always-receipt': { type: 'boolean' },
      'reject-status': { type: 'string' },
      'reject-every': { type: 'string' },
      'max-submits-per-second': { type: 'string' },
      'never-answer': { type: 'boolean' },
      'id-format': { type: 'string' },
      'log-level': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return { help: true };
  const int = (flag: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = /^0x[0-9a-f]+$/i.test(v) ? Number.parseInt(v, 16) : /^\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n)) throw new ConfigError(`--${flag}`, 'must be a non-negative integer', v);
    return n;
  };
  const idFormat = values['id-format'];
  if (idFormat !== undefined && idFormat !== 'hex' && idFormat !== 'decimal') throw new ConfigError('--id-format', 'must be hex or decimal', idFormat);
  const logLevel = values['log-level'] ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw new ConfigError('--log-level', 'must be debug, info, warn or error', logLevel);
  const stat = values['receipt-stat'];
  const options: ProviderSimulatorOptions = {
    host: values.host ?? '127.0.0.1',
    port: int('port', values.port) ?? 2776,
    systemId: values['system-id'],
    password: values.password,
    receiptDelayMs: int('receipt-delay-ms', values['receipt-delay-ms']),
    receiptStat: stat === undefined ? undefined : (normalizeStat(stat) ?? (stat as ReceiptStat)),
    alwaysReceipt: values['always-receipt'] ?? false,
    rejectStatus: int('reject-status', values['reject-status']),
    rejectEvery: int('reject-every', values['reject-every']),
    maxSubmitsPerSecond: int('max-submits-per-second', values['max-submits-per-second']),
    neverAnswer: values['never-answer'] ?? false,
    idFormat,
  };
  return { help: false, options, logLevel: logLevel as Level };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseSimulatorArgs>;
  try {
    parsed = parseSimulatorArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n\n${HELP}`);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    process.stdout.write(HELP);
    return;
  }
  const log = createLogger({ level: parsed.logLevel, base: { component: 'provider-simulator' } });
  const sim = await startProviderSimulator({ ...parsed.options, logger: log });
  log.info('provider simulator listening', { ...sim.address });
  const shutdown = (signal: string) => {
    log.info('shutting down', { signal, counters: sim.counters });
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('close failed', { err });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`provider simulator failed: ${errorMessage(err)}\n`);
    process.exit(1);
  });
}
