/**
 * Test peers over real sockets on 127.0.0.1. RawPeer speaks bytes so a test can send what a
 * broken or hostile peer would; pairs of SmppConnection exercise both ends of our own code.
 */
import net from 'node:net';
import { once } from 'node:events';
import type { SmppConnection, SmppConnectionOptions } from '../../../src/smpp/connection.js';
import { FrameReader } from '../../../src/smpp/framing.js';
import { decodePdu, encodePdu, type OutgoingPdu, type Pdu } from '../../../src/smpp/pdu.js';
import { createSmppServer, type SmppServer } from '../../../src/smpp/server.js';

export class RawPeer {
  private readonly reader = new FrameReader(1 << 24);
  private readonly queue: Pdu[] = [];
  private waiter: ((pdu: Pdu) => void) | undefined;
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.reader.push(chunk)) {
        const pdu = decodePdu(frame);
        const w = this.waiter;
        if (w) {
          this.waiter = undefined;
          w(pdu);
        } else this.queue.push(pdu);
      }
    });
    socket.on('error', () => undefined);
    this.closed = once(socket, 'close').then(() => undefined);
  }

  static async connect(port: number): Promise<RawPeer> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    return new RawPeer(socket);
  }

  send(bytes: Buffer | number[]): void {
    this.socket.write(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes));
  }

  sendPdu(pdu: OutgoingPdu): void {
    this.send(encodePdu(pdu));
  }

  /** The next PDU received, failing after `timeoutMs`. */
  next(timeoutMs = 2000): Promise<Pdu> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no PDU within ${timeoutMs}ms`));
      }, timeoutMs);
      this.waiter = (pdu) => {
        clearTimeout(timer);
        resolve(pdu);
      };
    });
  }

  /** Resolves true if the socket closes within `timeoutMs`, false otherwise. */
  async closesWithin(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
    const result = await Promise.race([this.closed.then(() => true), timeout]);
    clearTimeout(timer);
    return result;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export interface TestServer {
  server: SmppServer;
  port: number;
  /** Resolves with the server side of the next accepted connection. */
  nextConnection(): Promise<SmppConnection>;
  close(): Promise<void>;
}

export async function startTestServer(
  connection: SmppConnectionOptions = {},
  onConnection: (conn: SmppConnection) => void = () => undefined,
): Promise<TestServer> {
  const accepted: SmppConnection[] = [];
  const waiters: ((c: SmppConnection) => void)[] = [];
  const server = createSmppServer({ host: '127.0.0.1', port: 0, connection }, (conn) => {
    onConnection(conn);
    const w = waiters.shift();
    if (w) w(conn);
    else accepted.push(conn);
  });
  const { port } = await server.listen();
  return {
    server,
    port,
    nextConnection: () => {
      const c = accepted.shift();
      return c ? Promise.resolve(c) : new Promise((resolve) => waiters.push(resolve));
    },
    close: () => server.close(),
  };
}

/** A raw header with an arbitrary command_length, for framing faults. */
export function header(commandLength: number, commandId: number, status: number, seq: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(commandLength >>> 0, 0);
  b.writeUInt32BE(commandId >>> 0, 4);
  b.writeUInt32BE(status >>> 0, 8);
  b.writeUInt32BE(seq >>> 0, 12);
  return b;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects if `p` settles within `ms`; used to show that something is still waiting. */
export async function stillPending(p: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  p.then(() => { settled = true; }, () => { settled = true; });
  await delay(ms);
  return !settled;
}
