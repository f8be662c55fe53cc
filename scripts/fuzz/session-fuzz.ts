/**
 * Fuzzes a listening gateway over real sockets: many hostile connections, in sequence and in
 * parallel, each playing a seeded script (binds with good, wrong and borrowed credentials,
 * valid and mutated PDUs, repeats, out-of-order commands, sequence number edges, garbage), cut
 * into random chunks with random pauses, and ended in one of several rude ways. Everything
 * the gateway sends back must decode; an idle connection must be closed by the gateway.
 * Connection i of seed s plays the same script on every run (`--seed s --connection i`).
 *
 * SteadyCustomer is the witness: a well-behaved customer that keeps submitting throughout.
 */
import net from 'node:net';
import { once } from 'node:events';
import { SmppConnection } from '../../src/smpp/connection.js';
import { FrameReader } from '../../src/smpp/framing.js';
import { decodePdu, type PduFields } from '../../src/smpp/pdu.js';
import { isResponseId, statusName } from '../../src/smpp/status.js';
import { errorMessage } from '../../src/errors.js';
import { buildCorpus, withSequence, type CorpusEntry, type Credentials } from './corpus.js';
import { fuzzCase, garbage, mutate, randomFrame } from './mutate.js';
import { Rng } from './rng.js';

export interface SessionFuzzOptions {
  host?: string;
  port: number;
  seed: number;
  /** The customer the hostile connections bind as (some binds use it wrongly on purpose). */
  customer: Credentials;
  /** Another customer's credentials, for binds that mix one's system_id with the other's password. */
  other?: Credentials;
  /** Stop opening connections at this Date.now()... */
  until?: number;
  /** ...or after this many, whichever comes first. */
  connections?: number;
  /** Replay only this connection. */
  only?: number;
  parallel?: number;
  /** The gateway's inactivity timeout: an idle connection must be closed within it plus a grace. */
  inactivityTimeoutMs: number;
  maxPduLength?: number;
}

export interface SessionFailure {
  seed: number;
  connection: number;
  problem: string;
  script: string[];
}

export interface SessionFuzzResult {
  seed: number;
  connections: number;
  octetsSent: number;
  pdusReceived: number;
  /** Responses from the gateway by command_status name. */
  statuses: Record<string, number>;
  /** Requests the gateway itself sent (unbind, enquire_link, deliver_sm) by command. */
  gatewayRequests: Record<string, number>;
  closedByGateway: number;
  failures: SessionFailure[];
}

type Ending = 'destroy' | 'half-close' | 'linger' | 'idle';

interface Script {
  steps: { name: string; bytes: Buffer }[];
  ending: Ending;
}

const BINDS = ['bind_transmitter', 'bind_receiver', 'bind_transceiver'];
const SEQUENCE_EDGES = [0, 0x7fffffff, 0x80000000, 0xffffffff];

/** The script of connection `index`: pure, so a failing connection replays alone. */
export function connectionScript(seed: number, index: number, opts: Pick<SessionFuzzOptions, 'customer' | 'other' | 'maxPduLength'>): Script {
  const rng = Rng.forCase(seed, index);
  const maxPdu = opts.maxPduLength ?? 16384;
  const good = buildCorpus(opts.customer);
  const wrongPassword = buildCorpus({ systemId: opts.customer.systemId, password: `${opts.customer.password}x`.slice(-8) });
  const borrowed = opts.other ? buildCorpus({ systemId: opts.customer.systemId, password: opts.other.password }) : wrongPassword;
  const binds = (c: CorpusEntry[]) => c.filter((e) => BINDS.includes(e.command));
  const steps: Script['steps'] = [];
  let seq = 1;
  const add = (name: string, frame: Buffer) => steps.push({ name, bytes: frame });
  const valid = (e: CorpusEntry) => {
    const s = rng.chance(0.1) ? rng.pick(SEQUENCE_EDGES) : seq++;
    add(`${e.name} #${s}`, withSequence(e.frame, s));
  };

  const opening = rng.int(100);
  if (opening < 65) valid(rng.pick(binds(good)));
  else if (opening < 75) valid(rng.pick(binds(wrongPassword)));
  else if (opening < 80) valid(rng.pick(binds(borrowed)));
  else if (opening < 88) {
    const m = mutate(rng.pick(binds(good)), rng, maxPdu, good);
    add(m.name, m.bytes);
  }
  for (let n = rng.range(1, 25); n > 0; n--) {
    const roll = rng.int(100);
    if (roll < 35) valid(rng.pick(good));
    else if (roll < 70) {
      const m = fuzzCase(rng, good, maxPdu);
      add(m.name, m.bytes);
    } else if (roll < 75 && steps.length > 0) {
      const last = steps[steps.length - 1]!;
      for (let r = rng.range(2, 20); r > 0; r--) add(`repeat ${last.name}`, last.bytes);
    } else if (roll < 80) valid(rng.pick(binds(good)));
    else if (roll < 85) valid(good.find((e) => e.command === 'unbind')!);
    else if (roll < 90) {
      const m = randomFrame(rng);
      add(m.name, m.bytes);
    } else if (roll < 93) {
      const m = garbage(rng);
      add(m.name, m.bytes);
    } else {
      const link = good.find((e) => e.command === 'enquire_link')!;
      for (let r = rng.range(10, 50); r > 0; r--) valid(link);
    }
  }
  const end = rng.int(100);
  const ending: Ending = end < 35 ? 'destroy' : end < 60 ? 'half-close' : end < 88 ? 'linger' : 'idle';
  return { steps, ending };
}

export async function fuzzSessions(opts: SessionFuzzOptions): Promise<SessionFuzzResult> {
  const result: SessionFuzzResult = {
    seed: opts.seed, connections: 0, octetsSent: 0, pdusReceived: 0, statuses: {}, gatewayRequests: {}, closedByGateway: 0, failures: [],
  };
  let next = opts.only ?? 0;
  const last = opts.only ?? (opts.connections ?? Number.MAX_SAFE_INTEGER) - 1;
  const worker = async () => {
    for (;;) {
      if (next > last || (opts.until !== undefined && Date.now() >= opts.until)) return;
      const index = next++;
      await runConnection(index, opts, result);
      result.connections++;
    }
  };
  await Promise.all(Array.from({ length: opts.only === undefined ? opts.parallel ?? 4 : 1 }, worker));
  return result;
}

async function runConnection(index: number, opts: SessionFuzzOptions, result: SessionFuzzResult): Promise<void> {
  const script = connectionScript(opts.seed, index, opts);
  const rng = Rng.forCase(opts.seed ^ 0x5eed, index);
  const fail = (problem: string) => result.failures.push({ seed: opts.seed, connection: index, problem, script: script.steps.map((s) => s.name) });
  const socket = net.connect({ host: opts.host ?? '127.0.0.1', port: opts.port });
  socket.on('error', () => undefined);
  const closed = once(socket, 'close').then(() => true);
  try {
    await once(socket, 'connect');
  } catch (err) {
    fail(`cannot connect: ${errorMessage(err)}`);
    return;
  }
  const reader = new FrameReader(1 << 24);
  let gatewayClosed = false;
  let framingReported = false;
  socket.on('end', () => { gatewayClosed = true; });
  socket.on('data', (chunk: Buffer) => {
    for (const frame of reader.push(chunk)) {
      result.pdusReceived++;
      try {
        const pdu = decodePdu(frame);
        if (isResponseId(pdu.command_id)) {
          const name = statusName(pdu.command_status);
          result.statuses[name] = (result.statuses[name] ?? 0) + 1;
        } else result.gatewayRequests[pdu.command] = (result.gatewayRequests[pdu.command] ?? 0) + 1;
      } catch (err) {
        fail(`the gateway sent an undecodable PDU (${errorMessage(err)}): ${frame.toString('hex').slice(0, 200)}`);
      }
    }
    if (reader.error && !framingReported) {
      framingReported = true;
      fail(`the gateway's byte stream lost its framing: ${reader.error.message}`);
    }
  });

  const stream = Buffer.concat(script.steps.map((s) => s.bytes));
  for (let at = 0; at < stream.length && !socket.destroyed && !gatewayClosed;) {
    const n = rng.chance(0.2) ? rng.range(1, 16) : rng.range(17, 2048);
    const piece = stream.subarray(at, at + n);
    at += piece.length;
    result.octetsSent += piece.length;
    if (!socket.write(piece)) await Promise.race([once(socket, 'drain'), closed]);
    if (rng.chance(0.15)) await sleep(rng.range(1, 25));
  }

  switch (script.ending) {
    case 'destroy':
      socket.destroy();
      break;
    case 'half-close':
      socket.end();
      await Promise.race([closed, sleep(1000)]);
      socket.destroy();
      break;
    case 'linger':
      await Promise.race([closed, sleep(rng.range(50, 400))]);
      socket.destroy();
      break;
    case 'idle': {
      // Left open and silent: the gateway must close it by its inactivity timeout.
      const limit = opts.inactivityTimeoutMs + 5000;
      const byGateway = await Promise.race([closed, sleep(limit).then(() => false)]);
      if (!byGateway) fail(`an idle connection was still open after ${limit} ms`);
      socket.destroy();
      break;
    }
  }
  await closed;
  if (gatewayClosed) result.closedByGateway++;
}

export interface SteadySummary {
  submits: number;
  ok: number;
  /** Non-OK statuses and transport errors, each with its count. */
  problems: Record<string, number>;
}

/** A well-behaved customer: binds once and keeps submitting, one at a time, until stopped. */
export class SteadyCustomer {
  private running = true;
  private readonly summary: SteadySummary = { submits: 0, ok: 0, problems: {} };
  private loop: Promise<void> | undefined;

  private constructor(private readonly conn: SmppConnection) {}

  static async start(port: number, creds: Credentials, opts: { host?: string; pauseMs?: number; responseTimeoutMs?: number } = {}): Promise<SteadyCustomer> {
    const socket = net.connect({ host: opts.host ?? '127.0.0.1', port });
    await once(socket, 'connect');
    const conn = new SmppConnection(socket, { enquireLinkIntervalMs: 0, inactivityTimeoutMs: 0, responseTimeoutMs: opts.responseTimeoutMs ?? 10000 });
    const bind = await conn.request('bind_transmitter', { system_id: creds.systemId, password: creds.password });
    if (bind.command_status !== 0) {
      conn.destroy();
      throw new Error(`steady customer could not bind: ${statusName(bind.command_status)}`);
    }
    const c = new SteadyCustomer(conn);
    c.loop = c.run(opts.pauseMs ?? 20);
    return c;
  }

  private async run(pauseMs: number): Promise<void> {
    const sm: PduFields = { source_addr: 'STEADY', source_addr_ton: 5, dest_addr_ton: 1, dest_addr_npi: 1, data_coding: 0 };
    for (let i = 0; this.running; i++) {
      this.summary.submits++;
      try {
        const r = await this.conn.request('submit_sm', { ...sm, destination_addr: `4477009${String(i % 100000).padStart(5, '0')}`, short_message: Buffer.from(`steady ${i}`) });
        if (r.command_status === 0) this.summary.ok++;
        else this.count(statusName(r.command_status));
      } catch (err) {
        this.count(errorMessage(err));
        if (this.conn.closed) return;
      }
      await sleep(pauseMs);
    }
  }

  private count(problem: string): void {
    this.summary.problems[problem] = (this.summary.problems[problem] ?? 0) + 1;
  }

  async stop(): Promise<SteadySummary> {
    this.running = false;
    await this.loop;
    await this.conn.unbind(2000);
    return this.summary;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
