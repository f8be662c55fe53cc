import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmppClient } from '../../../src/smpp/client.js';
import { createSmppServer } from '../../../src/smpp/server.js';
import { Status } from '../../../src/smpp/status.js';
import { RawPeer, startTestServer } from './helpers.js';

/** A throwaway self-signed certificate, or undefined when openssl is not installed. */
function selfSigned(): { key: Buffer; cert: Buffer } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'smpp-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('smpp/server', () => {
  it('tracks connections and closes them all on close()', async () => {
    const srv = await startTestServer();
    const a = await RawPeer.connect(srv.port);
    const b = await RawPeer.connect(srv.port);
    await srv.nextConnection();
    await srv.nextConnection();
    assert.equal(srv.server.connections.size, 2);
    await srv.close();
    assert.equal(srv.server.connections.size, 0);
    assert.ok(await a.closesWithin(1000));
    assert.ok(await b.closesWithin(1000));
  });

  it('closes connections over maxConnectionsPerAddress as they arrive, and admits again once one closed', async () => {
    let accepted = 0;
    const server = createSmppServer({ host: '127.0.0.1', port: 0, maxConnectionsPerAddress: 2 }, () => accepted++);
    const { port } = await server.listen();
    try {
      const a = await RawPeer.connect(port);
      const b = await RawPeer.connect(port);
      const c = await RawPeer.connect(port);
      assert.ok(await c.closesWithin(1000), 'the third is closed');
      assert.equal(await a.closesWithin(200), false);
      assert.equal(await b.closesWithin(200), false);
      assert.equal(accepted, 2, 'the refused one never became a connection');
      a.destroy();
      assert.ok(await a.closesWithin(1000));
      // The server hears the close a moment later.
      for (let i = 0; i < 50 && server.connections.size > 1; i++) await new Promise((r) => setTimeout(r, 20));
      const d = await RawPeer.connect(port);
      assert.equal(await d.closesWithin(300), false, 'room again after a close');
      assert.equal(accepted, 3);
      b.destroy();
      d.destroy();
    } finally {
      await server.close();
    }
  });

  it('serves SMPP over TLS, with the per-address limit applied before the handshake', async function () {
    const pair = selfSigned();
    if (!pair) this.skip();
    // One connection per address: the limit counts raw sockets, before their handshake.
    const server = createSmppServer({ host: '127.0.0.1', port: 0, tls: pair, maxConnectionsPerAddress: 1 }, (conn) => {
      conn.on('request', (_pdu, respond) => respond(Status.ESME_ROK, { system_id: 'TLS' }));
    });
    const { port } = await server.listen();
    const client = new SmppClient({
      host: '127.0.0.1', port, systemId: 'gw', password: 'pw', bindType: 'transmitter',
      tls: { rejectUnauthorized: false }, reconnect: { initialMs: 1000, maxMs: 1000 },
    });
    try {
      const bound = once(client, 'bound');
      client.start();
      const [info] = await bound;
      assert.deepEqual(info, { systemId: 'TLS' });
      const second = await RawPeer.connect(port);
      assert.ok(await second.closesWithin(1000), 'a second connection from the address is closed before any handshake');
    } finally {
      await client.stop();
      await server.close();
    }
  });
});
