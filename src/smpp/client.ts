import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { backoffDelay } from '../backoff.js';
import { ConfigError, SmppStatusError, TimeoutError, UnavailableError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { resolveConnectionOptions, SmppConnection, type Responder, type SmppConnectionOptions } from './connection.js';
import type { Pdu, PduFields } from './pdu.js';
import { Status, statusName, type RequestCommand } from './status.js';

export type BindType = 'transmitter' | 'receiver' | 'transceiver';

/** idle → connecting → binding → bound; any drop goes to backoff then connecting again. */
export type SmppClientState = 'idle' | 'connecting' | 'binding' | 'bound' | 'backoff' | 'stopping' | 'stopped';

export interface SmppClientOptions {
  host: string;
  port: number;
  systemId: string;
  password: string;
  systemType?: string;
  bindType: BindType;
  /** 0x34 announces SMPP 3.4, which tells the SMSC we understand TLVs. */
  interfaceVersion?: number;
  addrTon?: number;
  addrNpi?: number;
  addressRange?: string;
  /**
   * true or TLS options to bind over TLS; or a function giving them, called at every connect
   * (a renewed certificate file is read on the next reconnect). When it throws, that connect
   * fails like a refused one ('bindFailed', then backoff).
   */
  tls?: boolean | tls.ConnectionOptions | (() => tls.ConnectionOptions);
  connectTimeoutMs?: number;
  reconnect?: { initialMs?: number; maxMs?: number };
  connection?: SmppConnectionOptions;
  logger?: Logger;
}

export type SmppClientEvents = {
  bound: [info: { systemId: string | undefined }];
  /** The bound session ended; `reason` says why (peer unbind, drop, stop()). */
  unbound: [reason: Error];
  /** A bind attempt failed (refused with a status, timed out, or the connection dropped). */
  bindFailed: [err: Error];
  /** Requests from the SMSC, e.g. deliver_sm; same contract as SmppConnection's. */
  request: [pdu: Pdu, respond: Responder];
};

export const DEFAULT_RECONNECT = Object.freeze({ initialMs: 1_000, maxMs: 30_000 });
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * A bind to a remote SMSC that keeps itself bound: connects, binds, and on any drop or refusal
 * reconnects with backoff until stop().
 */
export class SmppClient extends EventEmitter<SmppClientEvents> {
  private readonly opts: SmppClientOptions;
  private readonly log: Logger;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private currentState: SmppClientState = 'idle';
  private conn: SmppConnection | undefined;
  private socket: net.Socket | undefined;
  private attempt = 0;
  /** Whether the current connection got as far as a successful bind. */
  private sessionBound = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private stopPromise: Promise<void> | undefined;

  constructor(options: SmppClientOptions) {
    super();
    this.initialMs = options.reconnect?.initialMs ?? DEFAULT_RECONNECT.initialMs;
    this.maxMs = options.reconnect?.maxMs ?? DEFAULT_RECONNECT.maxMs;
    if (!(this.initialMs > 0)) throw new ConfigError('smpp.client.reconnect.initialMs', 'must be positive', this.initialMs);
    if (!(this.maxMs >= this.initialMs)) throw new ConfigError('smpp.client.reconnect.maxMs', 'must be at least initialMs', this.maxMs);
    if (options.systemId.length > 15) throw new ConfigError('smpp.client.systemId', 'at most 15 characters', options.systemId);
    if (options.password.length > 8) throw new ConfigError('smpp.client.password', 'at most 8 characters', '********');
    this.log = (options.logger ?? silentLogger).child({ smsc: `${options.host}:${options.port}`, systemId: options.systemId });
    this.opts = { ...options, connection: { ...options.connection, logger: options.connection?.logger ?? this.log } };
    resolveConnectionOptions(this.opts.connection);
  }

  get state(): SmppClientState {
    return this.currentState;
  }

  /** Our requests awaiting the SMSC's response. */
  get inFlight(): number {
    return this.conn?.inFlight ?? 0;
  }

  start(): void {
    if (this.currentState !== 'idle') return;
    this.connect();
  }

  /**
   * Sends a request over the bound session. Rejects with UnavailableError when not bound, so
   * the caller can retry elsewhere or later rather than queue behind a reconnect.
   */
  request(command: RequestCommand, fields: PduFields = {}): Promise<Pdu> {
    if (this.currentState !== 'bound' || !this.conn) {
      return Promise.reject(new UnavailableError('SMPP_NOT_BOUND', `not bound to ${this.opts.host}:${this.opts.port} (${this.currentState})`));
    }
    return this.conn.request(command, fields);
  }

  /** Unbinds cleanly (bounded by the response timeout), then stays stopped. */
  stop(): Promise<void> {
    this.stopPromise ??= this.shutdown();
    return this.stopPromise;
  }

  private async shutdown(): Promise<void> {
    const wasBound = this.currentState === 'bound';
    this.setState('stopping');
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const conn = this.conn;
    if (conn) {
      if (wasBound) await conn.unbind();
      else {
        conn.destroy();
        await conn.close();
      }
    } else {
      this.socket?.destroy();
    }
    this.setState('stopped');
  }

  private setState(next: SmppClientState): void {
    if (this.currentState === next) return;
    this.log.debug('state', { from: this.currentState, to: next });
    this.currentState = next;
  }

  private connect(): void {
    this.setState('connecting');
    const { host, port } = this.opts;
    let tlsOptions: tls.ConnectionOptions | undefined;
    try {
      const given = this.opts.tls;
      tlsOptions = typeof given === 'function' ? given() : given ? (given === true ? {} : given) : undefined;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.log.warn('connect failed', { err: error });
      this.emit('bindFailed', error);
      this.scheduleReconnect();
      return;
    }
    const socket = tlsOptions
      ? tls.connect({ ...tlsOptions, host, port })
      : net.connect({ host, port });
    this.socket = socket;
    const connectTimeoutMs = this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const timer = setTimeout(() => socket.destroy(new TimeoutError(`connect to ${host}:${port} took over ${connectTimeoutMs}ms`)), connectTimeoutMs);
    const onEarlyError = (err: Error) => {
      clearTimeout(timer);
      this.socket = undefined;
      this.log.warn('connect failed', { err });
      this.emit('bindFailed', err);
      this.scheduleReconnect();
    };
    socket.once('error', onEarlyError);
    socket.once(tlsOptions ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', onEarlyError);
      this.socket = undefined;
      if (this.currentState !== 'connecting') {
        socket.destroy();
        return;
      }
      this.bind(new SmppConnection(socket, this.opts.connection));
    });
  }

  private bind(conn: SmppConnection): void {
    this.conn = conn;
    let unbindReason: Error | undefined;
    conn.on('request', (pdu, respond) => {
      // Answer rather than leave the SMSC waiting: it will redeliver after a temporary error.
      if (this.listenerCount('request') === 0) respond(Status.ESME_RX_T_APPN);
      else this.emit('request', pdu, respond);
    });
    conn.once('unbind', () => {
      unbindReason = new UnavailableError('SMPP_PEER_UNBOUND', `${this.opts.host}:${this.opts.port} unbound us`);
    });
    conn.once('close', (reason) => this.onClosed(conn, unbindReason ?? reason));
    this.setState('binding');

    const { systemId, password, systemType = '', interfaceVersion = 0x34, addrTon = 0, addrNpi = 0, addressRange = '' } = this.opts;
    conn
      .request(`bind_${this.opts.bindType}`, {
        system_id: systemId,
        password,
        system_type: systemType,
        interface_version: interfaceVersion,
        addr_ton: addrTon,
        addr_npi: addrNpi,
        address_range: addressRange,
      })
      .then(
        (resp) => {
          if (this.conn !== conn || this.currentState !== 'binding') return;
          if (resp.command_status === Status.ESME_ROK) {
            this.attempt = 0;
            this.sessionBound = true;
            this.setState('bound');
            this.log.info('bound', { bindType: this.opts.bindType, smscSystemId: resp.system_id });
            this.emit('bound', { systemId: resp.system_id });
            return;
          }
          const err = new SmppStatusError('SMPP_BIND_REFUSED', resp.command_status,
            `bind_${this.opts.bindType} refused with ${statusName(resp.command_status)}`, { retriable: true });
          this.log.warn('bind refused', { err, status: statusName(resp.command_status) });
          this.emit('bindFailed', err);
          void conn.close(err);
        },
        (err: unknown) => {
          if (this.conn !== conn) return;
          const error = err instanceof Error ? err : new Error(String(err));
          this.log.warn('bind failed', { err: error });
          this.emit('bindFailed', error);
          conn.destroy(error);
        },
      );
  }

  private onClosed(conn: SmppConnection, reason: Error | undefined): void {
    if (this.conn !== conn) return;
    this.conn = undefined;
    if (this.sessionBound) {
      this.sessionBound = false;
      const why = reason ?? (this.stopPromise
        ? new UnavailableError('SMPP_CLIENT_STOPPED', 'client stopped')
        : new UnavailableError('SMPP_CONNECTION_CLOSED', 'connection closed'));
      this.log.info('unbound', { reason: why.message });
      this.emit('unbound', why);
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.currentState === 'stopping' || this.currentState === 'stopped') return;
    // Jittered, so a fleet of clients dropped together does not return together.
    const delay = backoffDelay(this.attempt++, { initialMs: this.initialMs, maxMs: this.maxMs, jitter: 'equal' });
    this.setState('backoff');
    this.log.debug('reconnecting', { delayMs: delay, attempt: this.attempt });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.currentState === 'backoff') this.connect();
    }, delay);
  }
}
