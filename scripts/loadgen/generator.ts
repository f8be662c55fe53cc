/**
 * The load generator's socket side: binds every customer's sessions, paces submit_sm over
 * them within each bind's window, answers deliver_sm and feeds every response and receipt to
 * the Accounting. Everything it counts and reports is decided in accounting.ts and report.ts.
 */
import { performance } from 'node:perf_hooks';
import { GatewayError, SmppStatusError, TimeoutError, UnavailableError } from '../../src/errors.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { SmppClient, type BindType } from '../../src/smpp/client.js';
import type { Responder } from '../../src/smpp/connection.js';
import type { Pdu, PduFields } from '../../src/smpp/pdu.js';
import { parseReceiptText, statForMessageState } from '../../src/smpp/receipt.js';
import { EsmClass, Status, statusName } from '../../src/smpp/status.js';
import { Accounting, type ErrorKind, type LiveCounters } from './accounting.js';
import { describeOptions, type Credentials, type LoadgenOptions } from './options.js';
import { Pacer } from './pacer.js';
import { concatPart, PayloadFactory, seededRandom, type MessageTemplate } from './payloads.js';
import { buildReport, type BindStats, type LoadReport } from './report.js';
import { HttpSubmitter, startWebhookListener } from './http-edge.js';
import { decodeText } from '../../src/smpp/encoding.js';

/** No bind succeeded: there is nothing to measure. */
export class NoBindError extends GatewayError {
  constructor(readonly failures: Record<string, number>) {
    super('LOADGEN_NO_BIND', `no bind succeeded (${Object.entries(failures).map(([k, n]) => `${k}: ${n}`).join(', ') || 'timed out'})`);
  }
}

export interface ProgressSnapshot {
  phase: 'bind' | 'send' | 'drain';
  elapsedMs: number;
  live: LiveCounters;
  /** Since the previous snapshot. */
  sentPerSec: number;
  receiptsPerSec: number;
}

export interface LoadgenHooks {
  logger?: Logger;
  /** Called about every `progressIntervalMs` while the run goes on. */
  onProgress?: (p: ProgressSnapshot) => void;
  progressIntervalMs?: number;
  /**
   * Called when sending starts ('send', right before the first submit) and when the drain has
   * ended ('done', every receipt in and the settle time over, or the drain timed out): the
   * measured window, for whoever watches other processes over the same time.
   */
  onPhase?: (phase: 'send' | 'done') => void;
}

const RECEIPT_TYPE_MASK = 0x3c;

class TxBind {
  inFlight = 0;
  constructor(readonly client: SmppClient | null) {}
  /** An HTTP "bind" (client null) is a share of the keep-alive connections: always there. */
  get bound(): boolean {
    return this.client === null || this.client.state === 'bound';
  }
}

class Customer {
  readonly tx: TxBind[] = [];
  readonly all: SmppClient[] = [];
  private cursor = 0;
  /**
   * The last concatenation reference (8 bits) per destination, as a client allocates them: a
   * per-customer counter would give one destination the same reference again within minutes
   * (the pool of destinations is small), and the gateway would rightly take a message with the
   * same reference, destination and text as a resend of the one before.
   */
  private readonly refs = new Map<string, number>();

  nextRef(destination: string): number {
    // Bounded (unique destinations never repeat): a forgotten destination starts at random.
    if (this.refs.size >= 100_000 && !this.refs.has(destination)) this.refs.clear();
    const ref = ((this.refs.get(destination) ?? Math.floor(Math.random() * 256)) + 1) & 0xff;
    this.refs.set(destination, ref);
    return ref;
  }
  /** --edge http: its Basic authorization header. */
  authorization: string | undefined;
  constructor(readonly creds: Credentials) {}

  /** The next bound bind with a free window slot (round-robin), or undefined. */
  pickFree(window: number): TxBind | undefined {
    const n = this.tx.length;
    for (let i = 0; i < n; i++) {
      const b = this.tx[this.cursor]!;
      this.cursor = this.cursor + 1 === n ? 0 : this.cursor + 1;
      if (b.inFlight < window && b.bound) return b;
    }
    return undefined;
  }

  /** The next bound bind whatever its window (its connection queues the excess). */
  pickAny(): TxBind | undefined {
    const n = this.tx.length;
    for (let i = 0; i < n; i++) {
      const b = this.tx[this.cursor]!;
      this.cursor = this.cursor + 1 === n ? 0 : this.cursor + 1;
      if (b.bound) return b;
    }
    return undefined;
  }
}

function errorKind(err: unknown): ErrorKind {
  if (err instanceof TimeoutError) return 'timeout';
  if (err instanceof UnavailableError) return 'connection';
  return 'other';
}

function bindFailureName(err: Error): string {
  if (err instanceof SmppStatusError) return statusName(err.commandStatus);
  if (err instanceof GatewayError) return err.code;
  return (err as { code?: string }).code ?? err.name;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runLoadgen(o: LoadgenOptions, hooks: LoadgenHooks = {}): Promise<LoadReport> {
  return new Run(o, hooks).run();
}

class Run {
  private readonly log: Logger;
  private readonly customers: Customer[];
  private readonly clients: SmppClient[] = [];
  private readonly failures: Record<string, number> = {};
  private drops = 0;
  /** Sessions bound when sending started. */
  private boundAtStart = 0;
  private stopping = false;
  private acc: Accounting | undefined;
  private readonly payloads: PayloadFactory;
  private readonly destinations: string[];
  private destCursor = 0;
  private customerCursor = 0;
  private readonly sourceTon: number;
  private readonly sourceNpi: number;
  private phase: ProgressSnapshot['phase'] = 'bind';
  private pumpTimer: NodeJS.Timeout | undefined;
  private pumpImmediate: NodeJS.Immediate | undefined;
  private sendingDone = false;
  private onSendingDone: (() => void) | undefined;
  private messagesSent = 0;
  private sendStart = 0;
  private pacer: Pacer | undefined;
  private http: HttpSubmitter | undefined;
  private webhooks: { close: () => Promise<void> } | undefined;

  constructor(private readonly o: LoadgenOptions, private readonly hooks: LoadgenHooks) {
    this.log = hooks.logger ?? silentLogger;
    this.customers = o.customers.map((c) => new Customer(c));
    const random = seededRandom(o.seed);
    this.payloads = new PayloadFactory(
      { multipartRatio: o.multipartRatio, ucs2Ratio: o.ucs2Ratio, minParts: o.minParts, maxParts: o.maxParts }, random);
    // A fixed pool, so a destination costs no string building per message.
    this.destinations = Array.from({ length: 1000 }, () => o.destPrefix + String(Math.floor(random() * 100_000)).padStart(5, '0'));
    const numeric = /^\+?\d+$/.test(o.sourceAddr);
    this.sourceTon = numeric ? 1 : 5;
    this.sourceNpi = numeric ? 1 : 0;
  }

  async run(): Promise<LoadReport> {
    const startedAt = new Date();
    const t0 = performance.now();
    const progress = this.startProgress(t0);
    try {
      await this.bindAll();
      const bindMs = performance.now() - t0;
      const usable = this.customers.reduce((n, c) => n + c.tx.filter((b) => b.bound).length, 0);
      if (usable === 0) throw new NoBindError(this.failures);

      this.phase = 'send';
      this.sendStart = performance.now();
      const acc = new Accounting({
        startMs: this.sendStart,
        receiptUnit: this.o.receiptUnit,
        expectReceipts: (this.o.registeredDelivery & 0x03) === 1,
        initialCapacity: Math.min(1 << 20, Math.max(1024, Math.ceil(
          (this.o.count ?? (Number.isFinite(this.o.rate) ? this.o.rate * ((this.o.durationMs ?? 10_000) / 1000) : 100_000)) * 1.5))),
      });
      this.acc = acc;
      this.pacer = new Pacer(this.o.rate, this.sendStart);
      this.hooks.onPhase?.('send');
      await new Promise<void>((resolve) => {
        this.onSendingDone = resolve;
        this.pump();
      });
      await this.waitForResponses();
      const sendMs = performance.now() - this.sendStart;

      this.phase = 'drain';
      const drainStart = performance.now();
      await this.drain();
      const drainMs = performance.now() - drainStart;
      this.hooks.onPhase?.('done');

      const summary = acc.summary(performance.now());
      const binds: BindStats = {
        wanted: this.clients.length,
        bound: this.boundAtStart,
        failures: { ...this.failures },
        drops: this.drops,
      };
      const report = buildReport(summary, {
        label: this.o.label,
        target: { host: this.o.host, port: this.o.port },
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        options: describeOptions(this.o),
        phases: { bindMs: Math.round(bindMs), sendMs: Math.round(sendMs), drainMs: Math.round(drainMs), totalMs: Math.round(performance.now() - t0) },
        binds,
      }, this.o.failOn);
      return report;
    } finally {
      clearInterval(progress);
      this.stopPump();
      this.stopping = true;
      await Promise.all(this.clients.map((c) => c.stop()));
      this.http?.close();
      await this.webhooks?.close();
    }
  }

  // --- binding -----------------------------------------------------------------------------

  private async bindAll(): Promise<void> {
    if (this.o.edge === 'http') return this.startHttp();
    const kinds: BindType[] = this.o.bindMode === 'pair' ? ['transmitter', 'receiver'] : ['transceiver'];
    const waits: Promise<void>[] = [];
    const ports = this.o.ports && this.o.ports.length > 0 ? this.o.ports : [this.o.port];
    let n = 0;
    for (const customer of this.customers) {
      for (let i = 0; i < this.o.binds; i++) {
        // A transmitter+receiver pair stays on one port; the next bind goes to the next port.
        const port = ports[n++ % ports.length]!;
        for (const kind of kinds) {
          const client = new SmppClient({
            host: this.o.host, port,
            systemId: customer.creds.systemId, password: customer.creds.password, systemType: this.o.systemType,
            bindType: kind,
            reconnect: { initialMs: 500, maxMs: 5_000 },
            connectTimeoutMs: this.o.bindTimeoutMs,
            connection: { window: this.o.window, responseTimeoutMs: this.o.responseTimeoutMs },
            logger: this.log.child({ customer: customer.creds.systemId, bind: `${kind}#${i + 1}` }),
          });
          this.clients.push(client);
          customer.all.push(client);
          if (kind !== 'receiver') customer.tx.push(new TxBind(client));
          client.on('request', (pdu, respond) => this.onRequest(pdu, respond));
          client.on('bindFailed', (err) => {
            const k = bindFailureName(err);
            this.failures[k] = (this.failures[k] ?? 0) + 1;
          });
          client.on('unbound', () => {
            if (!this.stopping) this.drops++;
          });
          waits.push(new Promise<void>((resolve) => {
            if (client.state === 'bound') resolve();
            else client.once('bound', () => resolve());
          }));
          client.start();
        }
      }
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(waits), new Promise<void>((r) => { timer = setTimeout(r, this.o.bindTimeoutMs); })]);
    clearTimeout(timer);
    this.boundAtStart = this.clients.filter((c) => c.state === 'bound').length;
    if (this.boundAtStart < this.clients.length) {
      this.log.warn('not every bind succeeded; sending over those that did', { bound: this.boundAtStart, wanted: this.clients.length, failures: this.failures });
    }
  }

  /** --edge http: no binds; `binds` × `window` requests in flight per customer, and a webhook listener. */
  private async startHttp(): Promise<void> {
    const o = this.o;
    this.http = new HttpSubmitter(o.host, o.port, Math.max(1, o.customers.length * o.binds * o.window), o.responseTimeoutMs);
    for (const customer of this.customers) {
      customer.authorization = `Basic ${Buffer.from(`${customer.creds.systemId}:${customer.creds.password}`).toString('base64')}`;
      for (let i = 0; i < o.binds; i++) customer.tx.push(new TxBind(null));
    }
    this.webhooks = await startWebhookListener(o.webhookPort ?? 0, (id, stat) => this.acc?.receipt(performance.now(), id, stat), () => this.acc?.otherDeliver());
  }

  // --- sending -----------------------------------------------------------------------------

  private pump = (): void => {
    this.pumpTimer = undefined;
    this.pumpImmediate = undefined;
    if (this.sendingDone) return;
    const acc = this.acc!;
    const pacer = this.pacer!;
    const now = performance.now();
    if (this.finishedSending(now)) return this.endSending();
    let allowance = pacer.allowance(now);
    const window = this.o.window;
    while (allowance > 0) {
      const customer = this.nextCustomer(window);
      if (!customer) break;
      const tmpl = this.payloads.next();
      this.sendMessage(acc, customer, tmpl, now);
      allowance -= tmpl.parts.length;
      pacer.consume(tmpl.parts.length);
      if (this.o.count !== undefined && this.messagesSent >= this.o.count) return this.endSending();
    }
    // Wake for the next due submit or the end of the run; a freed window slot wakes us sooner.
    let delay = Number.isFinite(this.o.rate) ? Math.min(50, Math.max(1, pacer.delayUntilNext(performance.now()))) : 50;
    if (this.o.durationMs !== undefined) delay = Math.min(delay, Math.max(1, this.sendStart + this.o.durationMs - now));
    this.pumpTimer = setTimeout(this.pump, delay);
  };

  /** A window slot came free: send at once when the pacer allows. */
  private nudge(): void {
    if (this.sendingDone || this.pumpImmediate) return;
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    this.pumpImmediate = setImmediate(this.pump);
  }

  private stopPump(): void {
    clearTimeout(this.pumpTimer);
    if (this.pumpImmediate) clearImmediate(this.pumpImmediate);
    this.pumpTimer = undefined;
    this.pumpImmediate = undefined;
  }

  private finishedSending(now: number): boolean {
    return (this.o.durationMs !== undefined && now - this.sendStart >= this.o.durationMs)
      || (this.o.count !== undefined && this.messagesSent >= this.o.count);
  }

  private endSending(): void {
    if (this.sendingDone) return;
    this.sendingDone = true;
    this.stopPump();
    this.onSendingDone?.();
  }

  private nextCustomer(window: number): Customer | undefined {
    const n = this.customers.length;
    for (let i = 0; i < n; i++) {
      const c = this.customers[this.customerCursor]!;
      this.customerCursor = this.customerCursor + 1 === n ? 0 : this.customerCursor + 1;
      // Cheap check first: any bind of this customer with a free slot.
      for (const b of c.tx) if (b.inFlight < window && b.bound) return c;
    }
    return undefined;
  }

  private sendMessage(acc: Accounting, customer: Customer, tmpl: MessageTemplate, now: number): void {
    if (this.http) return this.postMessage(acc, customer, tmpl, now);
    const total = tmpl.parts.length;
    const first = acc.newMessage(total, tmpl.encoding);
    this.messagesSent++;
    let dest: string;
    if (this.o.uniqueDestinations) {
      dest = this.o.destPrefix + String(this.messagesSent % 100_000_000).padStart(8, '0');
    } else {
      dest = this.destinations[this.destCursor]!;
      this.destCursor = this.destCursor + 1 === this.destinations.length ? 0 : this.destCursor + 1;
    }
    const ref = total > 1 ? customer.nextRef(dest) : 0;
    for (let i = 0; i < total; i++) {
      // Parts go round-robin over the customer's binds, so one message may use several.
      const bind = customer.pickFree(this.o.window) ?? customer.pickAny();
      const slot = first + i;
      acc.submitted(slot, now);
      if (!bind) {
        acc.failed(slot, now, 'connection');
        continue;
      }
      const fields: PduFields = {
        source_addr_ton: this.sourceTon,
        source_addr_npi: this.sourceNpi,
        source_addr: this.o.sourceAddr,
        dest_addr_ton: 1,
        dest_addr_npi: 1,
        destination_addr: dest,
        esm_class: total > 1 ? EsmClass.UDH_INDICATOR : 0,
        registered_delivery: this.o.registeredDelivery,
        data_coding: tmpl.dataCoding,
        short_message: total > 1 ? concatPart(tmpl.parts[i]!, ref, total, i + 1) : tmpl.parts[0]!,
      };
      bind.inFlight++;
      bind.client!.request('submit_sm', fields).then(
        (resp) => {
          bind.inFlight--;
          acc.responded(slot, performance.now(), resp.command_status, resp.message_id);
          this.nudge();
        },
        (err: unknown) => {
          bind.inFlight--;
          acc.failed(slot, performance.now(), errorKind(err));
          this.nudge();
        },
      );
    }
  }

  /** One POST per message, whatever its length (the gateway splits it): one id and one receipt. */
  private postMessage(acc: Accounting, customer: Customer, tmpl: MessageTemplate, now: number): void {
    const slot = acc.newMessage(1, tmpl.encoding);
    this.messagesSent++;
    const dest = this.o.uniqueDestinations
      ? this.o.destPrefix + String(this.messagesSent % 100_000_000).padStart(8, '0')
      : this.destinations[this.destCursor = (this.destCursor + 1) % this.destinations.length]!;
    acc.submitted(slot, now);
    const bind = customer.pickFree(this.o.window) ?? customer.pickAny()!;
    const text = decodeText(Buffer.concat(tmpl.parts), tmpl.dataCoding) ?? '';
    const body = JSON.stringify({ to: dest, from: this.o.sourceAddr, text, receipt: (this.o.registeredDelivery & 0x03) === 1 });
    bind.inFlight++;
    this.http!.submit(customer.authorization!, body).then(
      (a) => {
        bind.inFlight--;
        acc.responded(slot, performance.now(), a.status, a.messageId);
        this.nudge();
      },
      () => {
        bind.inFlight--;
        acc.failed(slot, performance.now(), 'connection');
        this.nudge();
      },
    );
  }

  private async waitForResponses(): Promise<void> {
    const acc = this.acc!;
    // Every request ends by response, timeout or close; the bound is only a safety net.
    const deadline = performance.now() + this.o.responseTimeoutMs + 5_000;
    while (acc.live.inFlight > 0 && performance.now() < deadline) await sleep(10);
  }

  private async drain(): Promise<void> {
    const acc = this.acc!;
    const deadline = performance.now() + this.o.drainMs;
    while (acc.live.missing > 0 && performance.now() < deadline) await sleep(20);
    if (acc.live.missing === 0 && this.o.settleMs > 0) await sleep(this.o.settleMs);
  }

  // --- receiving ---------------------------------------------------------------------------

  private onRequest(pdu: Pdu, respond: Responder): void {
    if (pdu.command !== 'deliver_sm') {
      respond(pdu.command === 'data_sm' ? Status.ESME_ROK : Status.ESME_RINVCMDID);
      return;
    }
    respond(Status.ESME_ROK);
    const acc = this.acc;
    if (!acc) return; // before sending started: nothing of ours can be receipted
    if (((pdu.esm_class ?? 0) & RECEIPT_TYPE_MASK) !== EsmClass.DELIVERY_RECEIPT) {
      acc.otherDeliver();
      return;
    }
    let id = pdu.receipted_message_id;
    let stat: string | undefined = pdu.message_state === undefined ? undefined : statForMessageState(pdu.message_state);
    if (!id || stat === undefined) {
      const text = pdu.short_message?.length ? pdu.short_message : pdu.message_payload;
      const parsed = text ? parseReceiptText(text.toString('latin1')) : null;
      id ||= parsed?.id;
      stat ??= parsed?.stat;
    }
    acc.receipt(performance.now(), id ?? '', stat);
  }

  // --- progress ----------------------------------------------------------------------------

  private startProgress(t0: number): NodeJS.Timeout | undefined {
    const onProgress = this.hooks.onProgress;
    if (!onProgress) return undefined;
    let prevAt = t0;
    let prevSent = 0;
    let prevReceipts = 0;
    return setInterval(() => {
      const now = performance.now();
      const live: LiveCounters = this.acc?.live ?? {
        messages: 0, sent: 0, accepted: 0, rejected: 0, errors: 0, inFlight: 0, receipts: 0, matched: 0,
        duplicates: 0, pendingUnknown: 0, expected: 0, missing: 0,
      };
      const dt = Math.max(1, now - prevAt) / 1000;
      onProgress({
        phase: this.phase,
        elapsedMs: now - t0,
        live,
        sentPerSec: Math.round((live.sent - prevSent) / dt),
        receiptsPerSec: Math.round((live.matched - prevReceipts) / dt),
      });
      prevAt = now;
      prevSent = live.sent;
      prevReceipts = live.matched;
    }, this.hooks.progressIntervalMs ?? 1000).unref();
  }
}
