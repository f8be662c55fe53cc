/**
 * A provider SMSC for tests and local runs, built on the gateway's own SMPP server. Each
 * failure mode is a named behaviour (happy, slow, throttling, rejecting, never-answering,
 * dropping) with its own options, switchable at runtime (`setBehaviour`), so a test names the
 * behaviour it needs instead of scripting PDUs; `sendMo` sends a mobile-originated message.
 *
 *   node dist/scripts/provider-simulator.js --port 2776 --behaviour throttling --max-submits-per-second 50
 *   node dist/scripts/provider-simulator.js --port 2777 --tls-cert cert.pem --tls-key key.pem   (SMPP over TLS)
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, UnavailableError, errorMessage } from '../src/errors.js';
import { createLogger, silentLogger, type Level, type Logger } from '../src/log.js';
import type { SmppConnection, SmppConnectionOptions, Responder } from '../src/smpp/connection.js';
import { chooseDataCoding, decodeText, encodeText } from '../src/smpp/encoding.js';
import type { Pdu } from '../src/smpp/pdu.js';
import { formatReceiptText, messageStateFor, normalizeStat, type ReceiptStat } from '../src/smpp/receipt.js';
import { createSmppServer, type SmppServer } from '../src/smpp/server.js';
import { EsmClass, Status, statusName } from '../src/smpp/status.js';
import { splitUdh } from '../src/smpp/udh.js';

/**
 * - happy: answers every submit at once with ESME_ROK.
 * - slow: answers each submit after `responseDelayMs` (default 500).
 * - throttling: answers ESME_RTHROTTLED to submits beyond `maxSubmitsPerSecond` (default 10)
 *   in a one-second window, and to every `throttleEvery`th submit when that is set (a provider
 *   whose own counting disagrees with the client's now and then).
 * - rejecting: answers `rejectStatus` (default ESME_RSUBMITFAIL, a permanent refusal) to every
 *   submit, or to every `rejectEvery`th.
 * - never-answering: takes submits and never answers them.
 * - dropping: takes the `dropAfterSubmits`th submit of each connection (default 5), keeps it
 *   as accepted, and drops the connection before answering: the client cannot know it was
 *   accepted, so its retry is a duplicate.
 */
export type SimulatorBehaviour = 'happy' | 'slow' | 'throttling' | 'rejecting' | 'never-answering' | 'dropping';
export const SIMULATOR_BEHAVIOURS: readonly SimulatorBehaviour[] = ['happy', 'slow', 'throttling', 'rejecting', 'never-answering', 'dropping'];

/** The options a behaviour reads; `setBehaviour` replaces them all. */
export interface BehaviourOptions {
  responseDelayMs?: number;
  maxSubmitsPerSecond?: number;
  throttleEvery?: number;
  rejectStatus?: number;
  rejectEvery?: number;
  dropAfterSubmits?: number;
}

export interface MobileOriginated {
  from: string;
  to: string;
  text: string;
  /** Default: 0 (GSM) when the text fits the GSM alphabet, else 8 (UCS-2). */
  dataCoding?: number;
  /** The bound system_id to send over; default any receiving bind. */
  systemId?: string;
}

export interface SentMo extends MobileOriginated {
  status: number;
  at: Date;
}

export interface ProviderSimulatorOptions extends BehaviourOptions {
  behaviour?: SimulatorBehaviour;
  host?: string;
  /** 0 picks a free port; see `address`. */
  port?: number;
  /** PEM certificate chain and key: the simulator then speaks SMPP over TLS only. */
  tls?: { cert: string | Buffer; key: string | Buffer };
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
  /**
   * Before behaviours had names: answer with `rejectStatus` / throttle beyond
   * `maxSubmitsPerSecond` / never answer, whatever `behaviour` says.
   */
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
  /** Connections dropped by the dropping behaviour or dropConnections(). */
  drops: number;
  receiptsSent: number;
  receiptRetries: number;
  moSent: number;
}

export type ProviderSimulatorEvents = {
  submit: [message: SubmittedMessage];
  receipt: [receipt: SentReceipt];
  mo: [mo: SentMo];
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
  readonly mosSent: readonly SentMo[];
  readonly counters: Readonly<SimulatorCounters>;
  /** Connections currently bound, any kind. */
  readonly boundSessions: number;
  readonly behaviour: SimulatorBehaviour;
  /** Switches behaviour from the next submit on; options not given fall back to defaults. */
  setBehaviour(behaviour: SimulatorBehaviour, options?: BehaviourOptions): void;
  /**
   * From now on every bind is answered with `status` (an SMSC refusing binds for a while, say
   * ESME_RBINDFAIL); null accepts them again. Binds already made stay (dropConnections ends them).
   */
  refuseBinds(status: number | null): void;
  /**
   * Sends a mobile-originated deliver_sm over a receiving bind and resolves with the status
   * the client answered. Rejects with UnavailableError (code NO_RECEIVER) when none is bound.
   */
  sendMo(mo: MobileOriginated): Promise<number>;
  /** Drops every connection at once, without unbind (a network failure). */
  dropConnections(): void;
  close(): Promise<void>;
}

interface ActiveBehaviour {
  name: SimulatorBehaviour;
  options: BehaviourOptions;
}

function validateBehaviour(name: SimulatorBehaviour, options: BehaviourOptions): void {
  if (!SIMULATOR_BEHAVIOURS.includes(name)) throw new ConfigError('simulator.behaviour', `must be one of ${SIMULATOR_BEHAVIOURS.join(', ')}`, name);
  const positiveInt = (field: keyof BehaviourOptions, allowZero = false) => {
    const v = options[field];
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || (!allowZero && v === 0))) {
      throw new ConfigError(`simulator.${field}`, `must be a ${allowZero ? 'non-negative' : 'positive'} integer`, v);
    }
  };
  positiveInt('rejectEvery');
  positiveInt('maxSubmitsPerSecond');
  positiveInt('throttleEvery');
  positiveInt('dropAfterSubmits');
  positiveInt('responseDelayMs', true);
  positiveInt('rejectStatus', true);
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
  readonly mosSent: SentMo[] = [];
  readonly counters: SimulatorCounters = {
    binds: 0, bindsRefused: 0, submits: 0, accepted: 0, rejected: 0, throttled: 0, ignored: 0, drops: 0, receiptsSent: 0, receiptRetries: 0, moSent: 0,
  };
  address = { host: '', port: 0 };

  private readonly sessions = new Map<SmppConnection, Session>();
  /** Submits per connection, for the dropping behaviour. */
  private readonly submitsOn = new WeakMap<SmppConnection, number>();
  private readonly connections = new Set<SmppConnection>();
  private active: ActiveBehaviour;
  /** A bind status every bind gets while set (refuseBinds). */
  private refusing: number | null = null;
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
    this.active = { name: opts.behaviour ?? 'happy', options: opts };
    // Ids differ between runs so a test cannot pass by matching a previous run's receipt.
    this.nextId = opts.idFormat === 'hex' ? Math.floor(Math.random() * 0x0fffffff) : 1_000_000_000 + Math.floor(Math.random() * 1e8);
    this.server = createSmppServer(
      { host: opts.host, port: opts.port, ...(opts.tls ? { tls: opts.tls } : {}), connection: { ...opts.connection, logger: opts.connection?.logger ?? this.log }, logger: this.log },
      (conn) => this.onConnection(conn),
    );
  }

  get boundSessions(): number {
    return this.sessions.size;
  }

  get behaviour(): SimulatorBehaviour {
    return this.active.name;
  }

  refuseBinds(status: number | null): void {
    this.refusing = status;
    this.log.info(status === null ? 'binds accepted again' : 'refusing binds', { status: status === null ? null : statusName(status) });
  }

  setBehaviour(behaviour: SimulatorBehaviour, options: BehaviourOptions = {}): void {
    validateBehaviour(behaviour, options);
    this.active = { name: behaviour, options };
    this.rateWindowStart = 0;
    this.log.info('behaviour changed', { behaviour, ...options });
  }

  dropConnections(): void {
    for (const conn of this.connections) {
      this.counters.drops++;
      conn.destroy();
    }
  }

  async sendMo(mo: MobileOriginated): Promise<number> {
    const candidates = [...this.sessions].filter(([c, s]) => (mo.systemId === undefined || s.systemId === mo.systemId) && s.kind !== 'transmitter' && !c.closed);
    const pick = candidates[this.receiverCursor++ % Math.max(1, candidates.length)];
    if (!pick) throw new UnavailableError('NO_RECEIVER', `no receiving bind${mo.systemId === undefined ? '' : ` of ${mo.systemId}`} to send the MO over`);
    const dataCoding = mo.dataCoding ?? chooseDataCoding(mo.text);
    const resp = await pick[0].request('deliver_sm', {
      source_addr_ton: 1, source_addr_npi: 1, source_addr: mo.from,
      dest_addr_ton: 0, dest_addr_npi: 1, destination_addr: mo.to,
      esm_class: 0, data_coding: dataCoding, short_message: encodeText(mo.text, dataCoding),
    });
    const sent: SentMo = { ...mo, dataCoding, status: resp.command_status, at: new Date() };
    this.mosSent.push(sent);
    this.counters.moSent++;
    this.emit('mo', sent);
    return resp.command_status;
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
    this.connections.add(conn);
    conn.on('request', (pdu, respond) => this.onRequest(conn, pdu, respond));
    conn.once('close', () => {
      this.sessions.delete(conn);
      this.connections.delete(conn);
    });
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
    const refuse = this.refusing !== null ? this.refusing
      : this.opts.systemId !== undefined && systemId !== this.opts.systemId ? Status.ESME_RINVSYSID
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
    const { name, options } = this.active;
    const onConnection = (this.submitsOn.get(conn) ?? 0) + 1;
    this.submitsOn.set(conn, onConnection);
    if (name === 'never-answering' || this.opts.neverAnswer) {
      this.counters.ignored++;
      return;
    }
    const sporadic = name === 'throttling' && options.throttleEvery !== undefined && this.counters.submits % options.throttleEvery === 0;
    if (sporadic || ((name === 'throttling' || options.maxSubmitsPerSecond !== undefined) && this.overRate(options.maxSubmitsPerSecond ?? 10))) {
      this.counters.throttled++;
      return respond(Status.ESME_RTHROTTLED);
    }
    const { rejectStatus, rejectEvery } = options;
    const reject = rejectEvery !== undefined
      ? (this.counters.submits % rejectEvery === 0 ? rejectStatus ?? Status.ESME_RSUBMITFAIL : undefined)
      : name === 'rejecting' ? rejectStatus ?? Status.ESME_RSUBMITFAIL : rejectStatus;
    if (reject !== undefined) {
      this.counters.rejected++;
      return respond(reject);
    }

    const message: SubmittedMessage = { messageId: this.newMessageId(), pdu, at: new Date(), systemId: session.systemId };
    this.submitted.push(message);
    this.counters.accepted++;
    this.emit('submit', message);
    if (name === 'dropping' && onConnection >= (options.dropAfterSubmits ?? 5)) {
      this.counters.drops++;
      this.log.info('dropping the connection with a submit unanswered', { messageId: message.messageId });
      conn.destroy();
    } else if (name === 'slow') {
      this.later(options.responseDelayMs ?? 500, () => respond(Status.ESME_ROK, { message_id: message.messageId }));
    } else {
      respond(Status.ESME_ROK, { message_id: message.messageId });
    }

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

  private overRate(max: number): boolean {
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
  validateBehaviour(options.behaviour ?? 'happy', options);
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
  --tls-cert <file>              PEM certificate chain: speak SMPP over TLS only (with --tls-key)
  --tls-key <file>               PEM private key of --tls-cert
  --system-id <id>               accept only this system_id (default: any)
  --password <pw>                accept only this password (default: any)
  --receipt-delay-ms <n>         delay before each receipt (default 100)
  --receipt-stat <stat>          DELIVRD, UNDELIV, EXPIRED, REJECTD, ... (default DELIVRD)
  --always-receipt               send receipts even when registered_delivery does not ask
  --behaviour <name>             happy, slow, throttling, rejecting, never-answering, dropping
                                 (default happy)
  --response-delay-ms <n>        slow: delay before each submit_sm_resp (default 500)
  --max-submits-per-second <n>   answer ESME_RTHROTTLED beyond this rate (throttling: default 10)
  --throttle-every <n>           throttling: also throttle every n-th submit
  --reject-status <n>            answer submits with this command_status (decimal or 0x hex;
                                 rejecting: default ESME_RSUBMITFAIL)
  --reject-every <n>             reject only every n-th submit
  --drop-after <n>               dropping: drop each connection at its n-th submit (default 5)
  --never-answer                 same as --behaviour never-answering
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
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'system-id': { type: 'string' },
      password: { type: 'string' },
      'receipt-delay-ms': { type: 'string' },
      'receipt-stat': { type: 'string' },
      'always-receipt': { type: 'boolean' },
      'reject-status': { type: 'string' },
      'reject-every': { type: 'string' },
      'max-submits-per-second': { type: 'string' },
      'never-answer': { type: 'boolean' },
      behaviour: { type: 'string' },
      'response-delay-ms': { type: 'string' },
      'drop-after': { type: 'string' },
      'throttle-every': { type: 'string' },
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
  const behaviour = values.behaviour ?? (values['never-answer'] ? 'never-answering' : 'happy');
  if (!(SIMULATOR_BEHAVIOURS as readonly string[]).includes(behaviour)) throw new ConfigError('--behaviour', `must be one of ${SIMULATOR_BEHAVIOURS.join(', ')}`, behaviour);
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined))
    throw new ConfigError(values['tls-cert'] === undefined ? '--tls-cert' : '--tls-key', 'is required with the other: TLS needs a certificate and its key');
  const pem = (flag: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new ConfigError(`--${flag}`, `cannot be read: ${errorMessage(err)}`, path);
    }
  };
  const options: ProviderSimulatorOptions = {
    host: values.host ?? '127.0.0.1',
    ...(values['tls-cert'] !== undefined && values['tls-key'] !== undefined
      ? { tls: { cert: pem('tls-cert', values['tls-cert']), key: pem('tls-key', values['tls-key']) } } : {}),
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
    behaviour: behaviour as SimulatorBehaviour,
    responseDelayMs: int('response-delay-ms', values['response-delay-ms']),
    dropAfterSubmits: int('drop-after', values['drop-after']),
    throttleEvery: int('throttle-every', values['throttle-every']),
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
  // Announced only once a signal would be handled: a supervisor may stop us as soon as it reads this.
  log.info('provider simulator listening', { ...sim.address, behaviour: sim.behaviour, tls: Boolean(parsed.options.tls) });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`provider simulator failed: ${errorMessage(err)}\n`);
    process.exit(1);
  });
}
