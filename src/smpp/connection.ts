import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { ConfigError, GatewayError, SmppStatusError, TimeoutError, UnavailableError, errorMessage } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { FramingError, PduDecodeError } from './errors.js';
import { DEFAULT_MAX_PDU_LENGTH, FrameReader } from './framing.js';
import { decodePdu, encodePdu, HEADER_LENGTH, type OutgoingPdu, type Pdu, type PduFields } from './pdu.js';
import {
  CommandId, commandName, isResponseId, RESPONSE_BIT, responseCommandFor, Status, statusName,
  type RequestCommand,
} from './status.js';

export interface SmppConnectionOptions {
  /** Requests we sent that may await a response at once; more wait in a FIFO. */
  window?: number;
  responseTimeoutMs?: number;
  /** Send enquire_link after this long without receiving a PDU; 0 disables. */
  enquireLinkIntervalMs?: number;
  /** Close after this long without receiving a complete PDU; 0 disables. */
  inactivityTimeoutMs?: number;
  maxPduLength?: number;
  logger?: Logger;
}

interface ResolvedOptions {
  readonly window: number;
  readonly responseTimeoutMs: number;
  readonly enquireLinkIntervalMs: number;
  readonly inactivityTimeoutMs: number;
  readonly maxPduLength: number;
  readonly logger: Logger;
}

export const DEFAULT_CONNECTION_OPTIONS = Object.freeze({
  window: 10,
  responseTimeoutMs: 10_000,
  enquireLinkIntervalMs: 30_000,
  maxPduLength: DEFAULT_MAX_PDU_LENGTH,
});

/** Without enquire_link, how long a silent peer is tolerated. */
const DEFAULT_INACTIVITY_MS = 90_000;

/** After end(), how long a peer may take to close its side before the socket is destroyed. */
const CLOSE_GRACE_MS = 2_000;

const MAX_SEQUENCE = 0x7fffffff;

/**
 * Responses are written whatever the socket's state, one per request read, so a peer that
 * sends without ever reading would have us buffer its answers without bound. Past this many
 * octets waiting for the peer we stop reading its requests until the output drains. Far above
 * what a peer keeping to its window leaves unread, so two of our own ends never both stop.
 */
export const INPUT_PAUSE_OCTETS = 1 << 20;
/** Gathered frames are written at once beyond this, without waiting for the end of the tick. */
const GATHER_MAX_OCTETS = 64 * 1024;

/** Answers one request. Later calls for the same request are ignored. */
export type Responder = (status: number, fields?: PduFields) => void;

export type SmppConnectionEvents = {
  /** Every request not handled here (everything but enquire_link and unbind). */
  request: [pdu: Pdu, respond: Responder];
  /** The peer unbound; unbind_resp is already sent and the socket is closing. */
  unbind: [];
  /** Emitted once. `reason` is set when the close was not asked for by either side. */
  close: [reason: Error | undefined];
};

interface Pending {
  readonly command: RequestCommand;
  readonly resolve: (pdu: Pdu) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
  /** enquire_link and unbind bypass the window so a full window cannot starve them. */
  readonly windowed: boolean;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export function resolveConnectionOptions(options: SmppConnectionOptions = {}): ResolvedOptions {
  const window = options.window ?? DEFAULT_CONNECTION_OPTIONS.window;
  const responseTimeoutMs = options.responseTimeoutMs ?? DEFAULT_CONNECTION_OPTIONS.responseTimeoutMs;
  const enquireLinkIntervalMs = options.enquireLinkIntervalMs ?? DEFAULT_CONNECTION_OPTIONS.enquireLinkIntervalMs;
  const inactivityTimeoutMs = options.inactivityTimeoutMs
    ?? (enquireLinkIntervalMs > 0 ? 3 * enquireLinkIntervalMs : DEFAULT_INACTIVITY_MS);
  const maxPduLength = options.maxPduLength ?? DEFAULT_CONNECTION_OPTIONS.maxPduLength;
  const positive = (name: string, value: number, allowZero: boolean) => {
    if (!Number.isInteger(value) || value < 0 || (!allowZero && value === 0)) {
      throw new ConfigError(`smpp.connection.${name}`, `must be a ${allowZero ? 'non-negative' : 'positive'} integer`, value);
    }
  };
  positive('window', window, false);
  positive('responseTimeoutMs', responseTimeoutMs, false);
  positive('enquireLinkIntervalMs', enquireLinkIntervalMs, true);
  positive('inactivityTimeoutMs', inactivityTimeoutMs, true);
  positive('maxPduLength', maxPduLength, false);
  if (maxPduLength < HEADER_LENGTH) {
    throw new ConfigError('smpp.connection.maxPduLength', `must be at least ${HEADER_LENGTH}`, maxPduLength);
  }
  return Object.freeze({
    window, responseTimeoutMs, enquireLinkIntervalMs, inactivityTimeoutMs, maxPduLength,
    logger: options.logger ?? silentLogger,
  });
}

/**
 * One SMPP session's transport over a connected socket, for either end: framing, sequence
 * numbers, the request window, response timeouts, enquire_link and unbind. Bind state and
 * what a request means are the owner's business, via the 'request' event.
 */
export class SmppConnection extends EventEmitter<SmppConnectionEvents> {
  private readonly opts: ResolvedOptions;
  private readonly log: Logger;
  private readonly reader: FrameReader;
  private readonly pending = new Map<number, Pending>();
  private readonly windowWaiters: Waiter[] = [];
  private drainWaiters: Waiter[] = [];
  private windowUsed = 0;
  private nextSequence = 1;
  private writeBlocked = false;
  /** Frames written in this run of callbacks, not yet handed to the socket (see write). */
  private gathered: Buffer[] = [];
  private gatheredOctets = 0;
  /** Reading stopped because the peer leaves our output unread (see INPUT_PAUSE_OCTETS). */
  private inputPaused = false;
  /** No new requests: close(), unbind or a fatal fault started. */
  private closing = false;
  private finished = false;
  private closeReason: Error | undefined;
  private enquireOutstanding = false;
  private enquireTimer: NodeJS.Timeout | undefined;
  private inactivityTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private readonly closedPromise: Promise<void>;
  private readonly peer: string;
  private readonly peerIp: string;

  constructor(private readonly socket: Socket, options: SmppConnectionOptions = {}) {
    super();
    this.opts = resolveConnectionOptions(options);
    this.peerIp = socket.remoteAddress ?? '';
    this.peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.log = this.opts.logger.child({ peer: this.peer });
    this.reader = new FrameReader(this.opts.maxPduLength);
    this.closedPromise = new Promise((resolve) => this.once('close', () => resolve()));

    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('error', (err) => {
      this.log.debug('socket error', { err });
      this.closeReason ??= err;
    });
    socket.on('close', () => this.finish());

    if (this.opts.enquireLinkIntervalMs > 0) {
      this.enquireTimer = setTimeout(() => this.onIdle(), this.opts.enquireLinkIntervalMs).unref();
    }
    if (this.opts.inactivityTimeoutMs > 0) {
      this.inactivityTimer = setTimeout(() => this.onInactive(), this.opts.inactivityTimeoutMs).unref();
    }
    if (socket.destroyed) queueMicrotask(() => this.finish());
  }

  /** Requests we sent that still await a response (enquire_link and unbind included). */
  get inFlight(): number {
    return this.pending.size;
  }

  get remoteAddress(): string {
    return this.peer;
  }

  /** Octets written and not yet taken by the kernel: what the peer has not read. */
  get outputBuffered(): number {
    return this.socket.writableLength + this.gatheredOctets;
  }

  /** The peer's IP address alone ('' when the socket never had one). */
  get remoteIp(): string {
    return this.peerIp;
  }

  /** True once no more requests are accepted, before the socket has necessarily closed. */
  get closed(): boolean {
    return this.closing || this.finished;
  }

  /**
   * Sends a request and resolves with its response, whatever its command_status, or with a
   * generic_nack answering it. Waits for a window slot and for the socket to drain first.
   * Rejects with TimeoutError when no response comes in time and with UnavailableError when
   * the connection closes first.
   */
  async request(command: RequestCommand, fields: PduFields = {}): Promise<Pdu> {
    await this.acquireSlot();
    try {
      // Checked synchronously right before sending: a burst of callers all resume in one
      // microtask run, and each must see the write that filled the socket before it.
      while (this.writeBlocked) await this.whenWritable();
    } catch (err) {
      this.releaseSlot();
      throw err;
    }
    return this.send(command, fields, true, this.opts.responseTimeoutMs);
  }

  /** Sends unbind, waits for unbind_resp or `timeoutMs`, then closes. Never rejects. */
  async unbind(timeoutMs = this.opts.responseTimeoutMs): Promise<void> {
    if (this.closed) return this.closedPromise;
    this.stopAccepting();
    try {
      const resp = await this.send('unbind', {}, false, timeoutMs);
      if (resp.command_status !== Status.ESME_ROK) {
        this.log.debug('unbind answered with an error', { status: statusName(resp.command_status) });
      }
    } catch (err) {
      this.log.debug('no unbind_resp', { err });
    }
    return this.close();
  }

  /** Flushes what was written and closes; outstanding requests are rejected now. */
  close(reason?: Error): Promise<void> {
    if (this.finished) return this.closedPromise;
    if (reason) this.closeReason ??= reason;
    this.stopAccepting();
    this.failOutstanding();
    this.stopTimers();
    if (!this.graceTimer) {
      this.flush();
      this.socket.end();
      this.graceTimer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
    }
    return this.closedPromise;
  }

  /** Drops the connection at once, without flushing. */
  destroy(reason?: Error): void {
    if (reason) this.closeReason ??= reason;
    this.stopAccepting();
    // What was written before stays written, as when every PDU was its own socket write: the
    // frames gathered in this tick go to the kernel, only the socket's own backlog is dropped.
    this.flush();
    this.socket.destroy();
  }

  // --- sending ---------------------------------------------------------------------------

  private acquireSlot(): Promise<void> {
    if (this.closing) return Promise.reject(this.unavailable());
    if (this.windowUsed < this.opts.window && this.windowWaiters.length === 0) {
      this.windowUsed++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.windowWaiters.push({ resolve, reject }));
  }

  private releaseSlot(): void {
    this.windowUsed--;
    // Hand the slot straight to the longest waiter so a newcomer cannot overtake it.
    const next = this.windowWaiters.shift();
    if (next) {
      this.windowUsed++;
      next.resolve();
    }
  }

  private whenWritable(): Promise<void> {
    if (this.closing) return Promise.reject(this.unavailable());
    if (!this.writeBlocked) return Promise.resolve();
    return new Promise((resolve, reject) => this.drainWaiters.push({ resolve, reject }));
  }

  private onDrain(): void {
    this.writeBlocked = false;
    if (this.inputPaused) {
      this.inputPaused = false;
      this.socket.resume();
    }
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w.resolve();
  }

  private send(command: RequestCommand, fields: PduFields, windowed: boolean, timeoutMs: number): Promise<Pdu> {
    if (this.finished) {
      if (windowed) this.releaseSlot();
      return Promise.reject(this.unavailable());
    }
    const seq = this.allocateSequence();
    let frame: Buffer;
    try {
      frame = encodePdu({ ...fields, command, sequence_number: seq, command_status: 0 });
    } catch (err) {
      if (windowed) this.releaseSlot();
      return Promise.reject(err);
    }
    return new Promise<Pdu>((resolve, reject) => {
      // After a stall (SIGSTOP, a blocked loop) the timers run before the socket is read, so
      // answers that came in meanwhile would count as missing: give the input one turn first.
      const timer = setTimeout(() => setImmediate(() => {
        if (this.settle(seq)) reject(new TimeoutError(`no response to ${command} #${seq} within ${timeoutMs}ms`));
      }), timeoutMs).unref();
      this.pending.set(seq, { command, resolve, reject, timer, windowed });
      this.write(frame);
    });
  }

  private allocateSequence(): number {
    for (;;) {
      const seq = this.nextSequence;
      this.nextSequence = seq >= MAX_SEQUENCE ? 1 : seq + 1;
      if (!this.pending.has(seq)) return seq;
    }
  }

  /** Forgets a pending request and frees its slot; undefined if it was already settled. */
  private settle(seq: number): Pending | undefined {
    const p = this.pending.get(seq);
    if (!p) return undefined;
    this.pending.delete(seq);
    clearTimeout(p.timer);
    if (p.windowed) this.releaseSlot();
    return p;
  }

  private writePdu(pdu: OutgoingPdu): void {
    let frame: Buffer;
    try {
      frame = encodePdu(pdu);
    } catch (err) {
      // A handler gave fields we cannot encode: still answer, so the peer's window moves on.
      this.log.error('cannot encode outgoing PDU', { command: pdu.command, err });
      if (pdu.command_status === Status.ESME_RSYSERR) return;
      this.writePdu({ command: pdu.command, sequence_number: pdu.sequence_number, command_status: Status.ESME_RSYSERR });
      return;
    }
    this.write(frame);
  }

  private write(frame: Buffer): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    // The PDUs written in one run of callbacks (the submit_sm_resps one produce acknowledged,
    // the receipts of one fetched batch) leave in one socket write: on loopback each write
    // carries the whole TCP path, and writes were a fifth of the node's CPU (issue 15). A
    // copy into one buffer is cheaper than a writev of many small chunks.
    if (this.gathered.length === 0) process.nextTick(this.flush);
    this.gathered.push(frame);
    this.gatheredOctets += frame.length;
    if (this.gatheredOctets >= GATHER_MAX_OCTETS) this.flush();
  }

  /** Hands the gathered frames to the socket as one write. */
  private readonly flush = (): void => {
    if (this.gathered.length === 0) return;
    const frames = this.gathered;
    const octets = this.gatheredOctets;
    this.gathered = [];
    this.gatheredOctets = 0;
    if (this.socket.destroyed || !this.socket.writable) return;
    if (!this.socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames, octets))) this.writeBlocked = true;
    if (!this.inputPaused && this.socket.writableLength > INPUT_PAUSE_OCTETS) {
      this.inputPaused = true;
      this.socket.pause();
      this.log.warn('peer is not reading its responses; reading paused until they drain', { buffered: this.socket.writableLength });
    }
  };

  // --- receiving -------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    if (this.finished) return;
    for (const frame of this.reader.push(chunk)) {
      if (this.finished) return;
      this.onFrame(frame);
    }
    const lost = this.reader.error;
    if (lost && !this.graceTimer) this.onFramingLost(lost);
  }

  private onFramingLost(err: FramingError): void {
    this.log.warn('framing lost, closing', { err, commandLength: err.commandLength });
    this.writePdu({ command: 'generic_nack', sequence_number: err.sequenceNumber, command_status: err.commandStatus });
    void this.close(err);
  }

  private onFrame(frame: Buffer): void {
    // Only complete PDUs count as activity, so a peer dribbling bytes cannot stay alive.
    this.inactivityTimer?.refresh();
    this.enquireTimer?.refresh();
    let pdu: Pdu;
    try {
      pdu = decodePdu(frame);
    } catch (err) {
      this.onUndecodable(err);
      return;
    }
    if (isResponseId(pdu.command_id)) this.onResponse(pdu);
    else this.onRequest(pdu);
  }

  private onUndecodable(err: unknown): void {
    if (!(err instanceof PduDecodeError)) {
      // decodePdu promises PduDecodeError only; anything else is our bug, not the peer's.
      this.log.error('PDU decoder failed unexpectedly', { err });
      return;
    }
    const { commandId, sequenceNumber } = err;
    this.log.warn('undecodable PDU', { err, commandId, sequenceNumber, status: statusName(err.commandStatus) });
    if (isResponseId(commandId)) {
      // Never answer a response; fail the request it was meant for instead.
      this.settle(sequenceNumber)?.reject(err);
    } else {
      const command = commandName(commandId);
      const resp = command === undefined ? undefined : responseCommandFor(command);
      this.writePdu({ command: resp ?? 'generic_nack', sequence_number: sequenceNumber, command_status: err.commandStatus });
    }
    if (err.closeSession) void this.close(err);
  }

  private onResponse(pdu: Pdu): void {
    const p = this.settle(pdu.sequence_number);
    if (!p) {
      this.log.warn('response to no outstanding request', { command: pdu.command, sequenceNumber: pdu.sequence_number });
      return;
    }
    const expected = (CommandId[p.command] | RESPONSE_BIT) >>> 0;
    if (pdu.command_id !== expected && pdu.command !== 'generic_nack') {
      p.reject(new GatewayError('SMPP_RESPONSE_MISMATCH', `${p.command} #${pdu.sequence_number} answered with ${pdu.command}`));
      return;
    }
    p.resolve(pdu);
  }

  private onRequest(pdu: Pdu): void {
    const seq = pdu.sequence_number;
    if (pdu.command === 'enquire_link') {
      this.writePdu({ command: 'enquire_link_resp', sequence_number: seq });
      return;
    }
    if (pdu.command === 'unbind') {
      this.writePdu({ command: 'unbind_resp', sequence_number: seq });
      this.stopAccepting();
      this.emit('unbind');
      void this.close();
      return;
    }
    // Once we are closing, a peer's new work would be answered into a closing socket.
    if (this.closing) return;

    const respCommand = responseCommandFor(pdu.command);
    let answered = false;
    const respond: Responder = (status, fields = {}) => {
      if (answered || respCommand === undefined) return;
      answered = true;
      this.writePdu({ ...fields, command: respCommand, sequence_number: seq, command_status: status });
    };
    if (this.listenerCount('request') === 0) {
      // Temporary application error: the peer may retry once someone is listening.
      respond(Status.ESME_RX_T_APPN);
      return;
    }
    try {
      this.emit('request', pdu, respond);
    } catch (err) {
      this.log.error('request handler threw', { command: pdu.command, err });
      respond(err instanceof SmppStatusError ? err.commandStatus : Status.ESME_RSYSERR);
      if (err instanceof SmppStatusError && err.closeSession) void this.close(err);
    }
  }

  // --- liveness --------------------------------------------------------------------------

  private onIdle(): void {
    if (this.closing || this.enquireOutstanding) {
      this.enquireTimer?.refresh();
      return;
    }
    this.enquireOutstanding = true;
    this.send('enquire_link', {}, false, this.opts.responseTimeoutMs).then(
      () => { this.enquireOutstanding = false; },
      (err: unknown) => {
        this.enquireOutstanding = false;
        if (err instanceof TimeoutError) {
          this.log.warn('enquire_link unanswered, closing', { err });
          void this.close(err);
        }
      },
    );
    this.enquireTimer?.refresh();
  }

  private onInactive(): void {
    const err = new TimeoutError(`no PDU received for ${this.opts.inactivityTimeoutMs}ms`);
    this.log.warn('peer inactive, closing', { err, bufferedOctets: this.reader.buffered });
    void this.close(err);
  }

  // --- shutdown --------------------------------------------------------------------------

  private stopAccepting(): void {
    if (this.closing) return;
    this.closing = true;
    const err = this.unavailable();
    for (const w of this.windowWaiters.splice(0)) w.reject(err);
    for (const w of this.drainWaiters.splice(0)) w.reject(err);
  }

  private failOutstanding(): void {
    const err = this.unavailable();
    for (const seq of [...this.pending.keys()]) this.settle(seq)?.reject(err);
  }

  private stopTimers(): void {
    clearTimeout(this.enquireTimer);
    clearTimeout(this.inactivityTimer);
    this.enquireTimer = undefined;
    this.inactivityTimer = undefined;
  }

  private finish(): void {
    if (this.finished) return;
    if (!this.closing) this.closeReason ??= new UnavailableError('SMPP_PEER_CLOSED', `${this.peer} closed the connection without unbind`);
    this.stopAccepting();
    this.finished = true;
    this.failOutstanding();
    this.stopTimers();
    clearTimeout(this.graceTimer);
    this.log.debug('connection closed', { reason: this.closeReason ? errorMessage(this.closeReason) : undefined });
    this.emit('close', this.closeReason);
  }

  private unavailable(): UnavailableError {
    return new UnavailableError('SMPP_CONNECTION_CLOSED', `SMPP connection to ${this.peer} is closed`, this.closeReason);
  }
}
