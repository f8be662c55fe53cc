/**
 * A customer's SMPP client (for the specs and scripts/send-sms.ts), built on the `smpp` npm package's own Session (the
 * common Node SMPP client), so the gateway is checked against a peer it did not write.
 */
import { createRequire } from 'node:module';

interface RawPdu {
  command: string;
  command_status: number;
  sequence_number: number;
  message_id?: string;
  esm_class?: number;
  receipted_message_id?: string;
  message_state?: number;
  source_addr?: string;
  destination_addr?: string;
  short_message?: { message?: string | Buffer } | Buffer | string;
  response(options?: Record<string, unknown>): RawPdu;
}

interface RawSession {
  on(event: string, listener: (...args: never[]) => void): void;
  once(event: string, listener: (...args: never[]) => void): void;
  send(pdu: RawPdu): boolean;
  close(): void;
  destroy(): void;
  [command: string]: unknown;
}

interface SmppModule {
  connect(options: { url: string; auto_enquire_link_period?: number }): RawSession;
}

const smpp = createRequire(import.meta.url)('smpp') as SmppModule;

export interface ReceivedDeliver {
  esmClass: number;
  receiptedMessageId: string | undefined;
  messageState: number | undefined;
  text: string;
  source: string | undefined;
  destination: string | undefined;
}

export class Esme {
  readonly delivers: ReceivedDeliver[] = [];
  /** The smpp package never fails a callback when the socket closes; this does. */
  private readonly pending = new Set<(err: Error) => void>();
  unbindReceived = false;
  closed = false;
  /** How long each deliver_sm waits for its answer (a slow customer keeps several open). */
  deliverAnswerDelayMs = 0;
  unansweredDelivers = 0;
  maxUnansweredDelivers = 0;
  private constructor(private readonly session: RawSession) {
    session.on('deliver_sm', ((pdu: RawPdu) => {
      const sm = pdu.short_message;
      const raw = Buffer.isBuffer(sm) ? sm.toString('latin1') : typeof sm === 'string' ? sm : sm?.message instanceof Buffer ? sm.message.toString('latin1') : String(sm?.message ?? '');
      this.delivers.push({
        esmClass: pdu.esm_class ?? 0, receiptedMessageId: pdu.receipted_message_id, messageState: pdu.message_state,
        text: raw, source: pdu.source_addr, destination: pdu.destination_addr,
      });
      this.unansweredDelivers++;
      this.maxUnansweredDelivers = Math.max(this.maxUnansweredDelivers, this.unansweredDelivers);
      const answer = () => {
        this.unansweredDelivers--;
        session.send(pdu.response());
      };
      if (this.deliverAnswerDelayMs > 0) setTimeout(answer, this.deliverAnswerDelayMs);
      else answer();
    }) as never);
    session.on('unbind', ((pdu: RawPdu) => {
      this.unbindReceived = true;
      session.send(pdu.response());
    }) as never);
    session.on('enquire_link', ((pdu: RawPdu) => session.send(pdu.response())) as never);
    session.on('error', (() => undefined) as never);
    session.on('close', (() => {
      this.closed = true;
      for (const reject of this.pending) reject(new Error('connection closed'));
      this.pending.clear();
    }) as never);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<Esme> {
    return new Promise((resolve, reject) => {
      const s = smpp.connect({ url: `smpp://${host}:${port}` });
      s.once('connect', (() => resolve(new Esme(s))) as never);
      s.once('error', ((err: Error) => reject(err)) as never);
    });
  }

  /** Sends a request and resolves with its response PDU. */
  call(command: string, fields: Record<string, unknown> = {}, timeoutMs = 15000): Promise<RawPdu> {
    if (this.closed) return Promise.reject(new Error(`${command}: connection closed`));
    return new Promise((resolve, reject) => {
      const fail = (err: Error) => {
        clearTimeout(timer);
        this.pending.delete(fail);
        reject(err);
      };
      const timer = setTimeout(() => fail(new Error(`${command}: no response in ${timeoutMs} ms`)), timeoutMs);
      this.pending.add(fail);
      const fn = this.session[command] as (f: Record<string, unknown>, cb: (pdu: RawPdu) => void) => boolean;
      const ok = fn.call(this.session, fields, (pdu: RawPdu) => {
        clearTimeout(timer);
        this.pending.delete(fail);
        resolve(pdu);
      });
      if (!ok) fail(new Error(`${command}: socket not writable`));
    });
  }

  bind(systemId: string, password: string, as: 'transceiver' | 'transmitter' | 'receiver' = 'transceiver'): Promise<RawPdu> {
    return this.call(`bind_${as}`, { system_id: systemId, password });
  }

  submit(destination: string, text: string, fields: Record<string, unknown> = {}): Promise<RawPdu> {
    return this.call('submit_sm', {
      source_addr: 'GW-SPEC', destination_addr: destination, registered_delivery: 1,
      data_coding: 0, short_message: Buffer.from(text, 'latin1'), ...fields,
    });
  }

  close(): void {
    this.session.destroy();
  }
}
