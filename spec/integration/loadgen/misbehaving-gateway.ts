/**
 * A spec fake of the gateway's customer side, built on src/smpp/server.ts, that misbehaves on
 * purpose and deterministically: the n-th submit_sm (counting from 1, over all binds) is
 * treated by `planFor(n)`. It keeps a ledger of what it did, so a spec can demand that the
 * load generator counted each misdeed exactly.
 */
import type { SmppConnection, Responder } from '../../../src/smpp/connection.js';
import type { Pdu } from '../../../src/smpp/pdu.js';
import { formatReceiptText, messageStateFor } from '../../../src/smpp/receipt.js';
import { createSmppServer, type SmppServer } from '../../../src/smpp/server.js';
import { EsmClass, Status, statusName } from '../../../src/smpp/status.js';
import { parseConcatUdh } from '../../../src/smpp/udh.js';

export type Plan =
  | { kind: 'reject'; status: number }
  /** Accept, never send the receipt. */
  | { kind: 'drop' }
  /** Accept, send the receipt twice. */
  | { kind: 'duplicate' }
  /** Accept, send the receipt after `delayMs`. */
  | { kind: 'delay'; delayMs: number }
  /** Write the receipt before the submit_sm_resp that gives its id. */
  | { kind: 'early' }
  /** Receipt with the id only in the text (no receipted_message_id TLV), upper-cased. */
  | { kind: 'text-only' }
  /** The normal receipt, then another one for an id never given. */
  | { kind: 'plus-unknown' }
  | { kind: 'normal' };

/** The default mix: in every 20 submits, one of each misbehaviour (two rejects). */
export function defaultPlan(n: number): Plan {
  switch (n % 20) {
    case 0: return { kind: 'reject', status: Status.ESME_RTHROTTLED };
    case 7: return { kind: 'reject', status: Status.ESME_RINVDSTADR };
    case 3: return { kind: 'drop' };
    case 5: return { kind: 'duplicate' };
    case 9: return { kind: 'delay', delayMs: 600 };
    case 11: return { kind: 'early' };
    case 13: return { kind: 'text-only' };
    case 15: return { kind: 'plus-unknown' };
    default: return { kind: 'normal' };
  }
}

export interface Ledger {
  binds: number;
  submits: number;
  accepted: number;
  rejectedByStatus: Record<string, number>;
  dropped: number;
  duplicated: number;
  delayed: number;
  early: number;
  textOnly: number;
  unknownSent: number;
  /** Every receipt deliver_sm written, duplicates and unknown ids included. */
  receiptsSent: number;
  dataCodings: Record<number, number>;
  /** Per concatenation group (system_id/ref/total), the connections its parts came over. */
  groups: Map<string, Set<SmppConnection>>;
}

interface Session {
  systemId: string;
  kind: 'transmitter' | 'receiver' | 'transceiver';
}

export class MisbehavingGateway {
  readonly ledger: Ledger = {
    binds: 0, submits: 0, accepted: 0, rejectedByStatus: {}, dropped: 0, duplicated: 0, delayed: 0, early: 0,
    textOnly: 0, unknownSent: 0, receiptsSent: 0, dataCodings: {}, groups: new Map(),
  };
  port = 0;
  private readonly server: SmppServer;
  private readonly sessions = new Map<SmppConnection, Session>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextId = 0x5000;
  private cursor = 0;

  constructor(private readonly plan: (n: number) => Plan = defaultPlan, private readonly normalDelayMs = 10) {
    this.server = createSmppServer({ host: '127.0.0.1', port: 0 }, (conn) => {
      conn.on('request', (pdu, respond) => this.onRequest(conn, pdu, respond));
      conn.once('close', () => this.sessions.delete(conn));
    });
  }

  async start(): Promise<this> {
    this.port = (await this.server.listen()).port;
    return this;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    await this.server.close();
  }

  private onRequest(conn: SmppConnection, pdu: Pdu, respond: Responder): void {
    const kind = pdu.command === 'bind_transceiver' ? 'transceiver' : pdu.command === 'bind_transmitter' ? 'transmitter'
      : pdu.command === 'bind_receiver' ? 'receiver' : undefined;
    if (kind) {
      this.sessions.set(conn, { systemId: pdu.system_id ?? '', kind });
      this.ledger.binds++;
      respond(Status.ESME_ROK, { system_id: 'FAKEGW' });
      return;
    }
    if (pdu.command !== 'submit_sm') return respond(Status.ESME_RINVCMDID);
    const session = this.sessions.get(conn);
    if (!session || session.kind === 'receiver') return respond(Status.ESME_RINVBNDSTS);

    const l = this.ledger;
    const n = ++l.submits;
    l.dataCodings[pdu.data_coding ?? 0] = (l.dataCodings[pdu.data_coding ?? 0] ?? 0) + 1;
    if ((pdu.esm_class ?? 0) & EsmClass.UDH_INDICATOR && pdu.short_message) {
      const c = parseConcatUdh(pdu.short_message);
      if (c) {
        const key = `${session.systemId}/${pdu.destination_addr}/${c.ref}/${c.total}`;
        let set = l.groups.get(key);
        if (!set) l.groups.set(key, (set = new Set()));
        set.add(conn);
      }
    }
    const plan = this.plan(n);
    if (plan.kind === 'reject') {
      const name = statusName(plan.status);
      l.rejectedByStatus[name] = (l.rejectedByStatus[name] ?? 0) + 1;
      return respond(plan.status);
    }
    const id = (this.nextId++).toString(16).padStart(10, '0');
    l.accepted++;
    const receipt = (opts: { id?: string; textOnly?: boolean; via?: SmppConnection } = {}) =>
      this.sendReceipt(session.systemId, opts.id ?? id, opts.textOnly ?? false, opts.via);
    switch (plan.kind) {
      case 'drop':
        l.dropped++;
        respond(Status.ESME_ROK, { message_id: id });
        return;
      case 'early':
        // Over the same transceiver, and the response only once the receipt is on the wire
        // (SmppConnection.request writes after a microtask), so the receipt surely comes first.
        l.early++;
        receipt({ via: session.kind === 'transceiver' ? conn : undefined });
        this.later(20, () => respond(Status.ESME_ROK, { message_id: id }));
        return;
      default:
        respond(Status.ESME_ROK, { message_id: id });
    }
    switch (plan.kind) {
      case 'duplicate':
        l.duplicated++;
        this.later(this.normalDelayMs, () => { receipt(); receipt(); });
        return;
      case 'delay':
        l.delayed++;
        this.later(plan.delayMs, () => receipt());
        return;
      case 'text-only':
        l.textOnly++;
        this.later(this.normalDelayMs, () => receipt({ textOnly: true }));
        return;
      case 'plus-unknown':
        l.unknownSent++;
        this.later(this.normalDelayMs, () => { receipt(); receipt({ id: `ffff${id}` }); });
        return;
      default:
        this.later(this.normalDelayMs, () => receipt());
    }
  }

  private sendReceipt(systemId: string, id: string, textOnly: boolean, via?: SmppConnection): void {
    const receivers = [...this.sessions].filter(([c, s]) => s.systemId === systemId && s.kind !== 'transmitter' && !c.closed);
    const target = via ?? receivers[this.cursor++ % Math.max(1, receivers.length)]?.[0];
    if (!target) throw new Error(`fake gateway: no receiver bound for ${systemId}`);
    this.ledger.receiptsSent++;
    const now = new Date();
    const text = formatReceiptText({ id: textOnly ? id.toUpperCase() : id, submitDate: now, doneDate: now, stat: 'DELIVRD' });
    void target.request('deliver_sm', {
      source_addr: '447700900000', destination_addr: 'LOADGEN', esm_class: EsmClass.DELIVERY_RECEIPT, data_coding: 0,
      short_message: Buffer.from(text, 'latin1'),
      ...(textOnly ? {} : { receipted_message_id: id, message_state: messageStateFor('DELIVRD') }),
    }).catch(() => undefined);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }
}
