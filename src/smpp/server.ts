import net from 'node:net';
import tls from 'node:tls';
import { silentLogger, type Logger } from '../log.js';
import { resolveConnectionOptions, SmppConnection, type SmppConnectionOptions } from './connection.js';

export interface SmppServerOptions {
  host?: string;
  /** 0 picks a free port; listen() reports which. */
  port: number;
  /** PEM key and certificate; when set the server speaks SMPP over TLS only. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  connection?: SmppConnectionOptions;
  /**
   * Open connections from one IP address at most; more are closed as they arrive (before a
   * TLS handshake), so one peer cannot take every socket a node has. Unlimited when absent.
   */
  maxConnectionsPerAddress?: number;
  logger?: Logger;
}

export interface SmppServer {
  listen(): Promise<{ host: string; port: number }>;
  /** Stops accepting, closes every connection (flushing what was written) and resolves when all are gone. */
  close(): Promise<void>;
  readonly connections: ReadonlySet<SmppConnection>;
  /** Whether it accepts connections now. */
  readonly listening: boolean;
}

/**
 * Accepts SMPP connections and hands each to `onConnection` as an SmppConnection. The server
 * knows nothing of binds: the owner listens for 'request' on each connection.
 */
export function createSmppServer(
  options: SmppServerOptions,
  onConnection: (conn: SmppConnection) => void,
): SmppServer {
  const log = options.logger ?? options.connection?.logger ?? silentLogger;
  const connectionOptions = { ...options.connection, logger: options.connection?.logger ?? log };
  // Validate once up front so a bad option fails at start-up, not on the first customer.
  resolveConnectionOptions(connectionOptions);
  const connections = new Set<SmppConnection>();
  const perAddress = new Map<string, number>();
  let refusedSinceLog = 0;
  let lastRefusalLog = 0;

  /** Counts the socket against its address; false (and the socket destroyed) when over the limit. */
  const admit = (socket: net.Socket): boolean => {
    const max = options.maxConnectionsPerAddress;
    if (max === undefined) return true;
    const ip = socket.remoteAddress ?? '?';
    const open = perAddress.get(ip) ?? 0;
    if (open >= max) {
      socket.destroy();
      refusedSinceLog++;
      // A flood is one line every 10 s, not one per connection.
      if (Date.now() - lastRefusalLog > 10_000) {
        log.warn('connection refused: too many from one address', { peer: ip, open, limit: max, refused: refusedSinceLog });
        lastRefusalLog = Date.now();
        refusedSinceLog = 0;
      }
      return false;
    }
    perAddress.set(ip, open + 1);
    socket.once('close', () => {
      const left = (perAddress.get(ip) ?? 1) - 1;
      if (left <= 0) perAddress.delete(ip);
      else perAddress.set(ip, left);
    });
    return true;
  };

  const accept = (socket: net.Socket) => {
    if (!options.tls && !admit(socket)) return;
    const conn = new SmppConnection(socket, connectionOptions);
    connections.add(conn);
    conn.once('close', () => connections.delete(conn));
    try {
      onConnection(conn);
    } catch (err) {
      log.error('connection handler threw, dropping the connection', { err, peer: conn.remoteAddress });
      conn.destroy(err instanceof Error ? err : undefined);
    }
  };

  const server: net.Server = options.tls
    ? tls.createServer({ key: options.tls.key, cert: options.tls.cert }, accept)
    : net.createServer(accept);
  server.on('error', (err) => log.error('SMPP server error', { err }));
  if (options.tls) {
    // The raw socket, before its handshake: a refused peer costs no TLS work.
    server.on('connection', (raw: net.Socket) => void admit(raw));
    // A failed handshake never becomes a connection; without a listener it would be lost silently.
    server.on('tlsClientError', (err: Error, socket: tls.TLSSocket) => {
      log.warn('TLS handshake failed', { err, peer: socket.remoteAddress });
    });
  }

  return {
    connections,
    get listening() {
      return server.listening;
    },
    listen: () =>
      new Promise((resolve, reject) => {
        const host = options.host ?? '0.0.0.0';
        const onError = (err: Error) => reject(err);
        server.once('error', onError);
        server.listen(options.port, host, () => {
          server.off('error', onError);
          const addr = server.address();
          const bound = addr !== null && typeof addr === 'object' ? { host: addr.address, port: addr.port } : { host, port: options.port };
          log.info('SMPP server listening', { ...bound, tls: Boolean(options.tls) });
          resolve(bound);
        });
      }),
    close: async () => {
      const stopped = new Promise<void>((resolve) => {
        if (!server.listening) resolve();
        else server.close(() => resolve());
      });
      await Promise.all([...connections].map((c) => c.close()));
      await stopped;
    },
  };
}
