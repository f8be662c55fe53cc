/**
 * The load generator's HTTP side (--edge http): each message is one POST /v1/messages over
 * keep-alive connections (HTTP Basic as the customer), and the receipts come back as webhook
 * POSTs to a listener of its own, which the customers' webhooks point at.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Status } from '../../src/smpp/status.js';

export interface HttpAnswer {
  /** 202 as ESME_ROK, 429 as ESME_RTHROTTLED, 503 as ESME_RMSGQFUL, anything else ESME_RSYSERR: the accounting speaks SMPP. */
  status: number;
  messageId?: string;
}

export class HttpSubmitter {
  private readonly agent: Agent;

  constructor(private readonly host: string, private readonly port: number, maxSockets: number, private readonly timeoutMs: number) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  submit(authorization: string, body: string): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const req = request({
        host: this.host, port: this.port, path: '/v1/messages', method: 'POST', agent: this.agent, timeout: this.timeoutMs,
        headers: { authorization, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code === 202) {
            const id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: string }).id;
            resolve({ status: Status.ESME_ROK, ...(id ? { messageId: id } : {}) });
          } else {
            resolve({ status: code === 429 ? Status.ESME_RTHROTTLED : code === 503 ? Status.ESME_RMSGQFUL : Status.ESME_RSYSERR });
          }
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Takes webhook POSTs; `onReceipt` for each receipt event. */
export async function startWebhookListener(port: number, onReceipt: (id: string, stat: string) => void, onOther: () => void): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const e = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type?: string; id?: string; stat?: string };
        if (e.type === 'receipt' && typeof e.id === 'string') onReceipt(e.id, e.stat ?? '');
        else onOther();
        res.writeHead(204).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
