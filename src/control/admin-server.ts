/**
 * The node's operator HTTP listener (`admin: { host, port, token }`): what a load balancer or
 * an orchestrator asks.
 *
 *   GET /metrics  the node's Prometheus metrics: its main thread and every stage worker, merged
 *   GET /healthz  200 while the process answers (liveness)
 *   GET /readyz   200 when its SMPP listeners are up, Kafka and Redis answer and its stage
 *                 threads run their stages; 503 otherwise. Either way a JSON body names each
 *                 check and why it fails.
 *
 * With a token, every request must carry `Authorization: Bearer <token>` (401 otherwise).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { AdminConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { errorMessage } from '../errors.js';
import { readiness, type ReadinessFacts } from './readiness.js';

export interface AdminServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface AdminServerOptions {
  config: AdminConfig;
  /** Gathers the facts of one /readyz (each of its checks bounded in time by the caller). */
  facts: () => Promise<ReadinessFacts>;
  /** One scrape of the node, in the Prometheus text format. */
  metrics: () => Promise<{ contentType: string; text: string }>;
  log: Logger;
}

export async function startAdminServer(o: AdminServerOptions): Promise<AdminServer> {
  const expected = o.config.token === null ? null : digest(o.config.token);
  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      o.log.error('admin request failed', { path: req.url, error: errorMessage(err) });
      if (!res.headersSent) json(res, 500, { error: { code: 'INTERNAL', message: 'the request failed; see the node log' } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (expected !== null && !authorized(req.headers.authorization, expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="smsgw admin"');
      return json(res, 401, { error: { code: 'UNAUTHORIZED', message: 'needs Authorization: Bearer <admin.token>' } });
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/healthz' && path !== '/readyz' && path !== '/metrics') return json(res, 404, { error: { code: 'NOT_FOUND', message: `no ${path} here; try /metrics, /healthz or /readyz` } });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return json(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: `${path} answers GET` } });
    }
    if (path === '/healthz') return json(res, 200, { status: 'ok' });
    if (path === '/metrics') {
      const m = await o.metrics();
      res.writeHead(200, { 'Content-Type': m.contentType, 'Content-Length': Buffer.byteLength(m.text), 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : m.text);
      return;
    }
    const r = readiness(await o.facts());
    return json(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', checks: r.checks });
  }

  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.config.port, o.config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  o.log.info('admin listener up', { host: address.address, port: address.port, token: expected !== null });
  return {
    host: address.address,
    port: address.port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Compares digests, so neither the length nor the bytes of the token leak through timing. */
function authorized(header: string | undefined, expected: Buffer): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m !== null && timingSafeEqual(digest(m[1]!), expected);
}

/** Runs a check with a deadline: a broker or Redis that hangs is as not-ready as one that refuses. */
export async function timedCheck(what: string, timeoutMs: number, check: () => Promise<unknown>): Promise<{ ok: true } | { ok: false; error: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs); }),
    ]);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  } finally {
    clearTimeout(timer);
  }
}
