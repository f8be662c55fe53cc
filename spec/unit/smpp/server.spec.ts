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

  it('serves SMPP over TLS', async function () {
    const pair = selfSigned();
    if (!pair) this.skip();
    const server = createSmppServer({ host: '127.0.0.1', port: 0, tls: pair }, (conn) => {
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
    } finally {
      await client.stop();
      await server.close();
    }
  });
});
