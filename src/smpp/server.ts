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
  logger?: Logger;
}

export interface SmppServer {
  listen(): Promise<{ host: string; port: number }>;
  /** Stops accepting, closes every connection (flushing what was written) and resolves when all are gone. */
  close(): Promise<void>;
  readonly connections: ReadonlySet<SmppConnection>;
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

  const accept = (socket: net.Socket) => {
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
    // A failed handshake never becomes a connection; without a listener it would be lost silently.
    server.on('tlsClientError', (err: Error, socket: tls.TLSSocket) => {
      log.warn('TLS handshake failed', { err, peer: socket.remoteAddress });
    });
  }

  return {
    connections,
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
