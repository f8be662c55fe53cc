import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../src/errors.js';
import { SmppClient } from '../../../src/smpp/client.js';
import { createSmppServer, type SmppServer } from '../../../src/smpp/server.js';
import { Status } from '../../../src/smpp/status.js';

/** SMPP over TLS to a provider, its options given by a function read at every connect (providers[].tls). */
describe('smpp/client over TLS with options read at each connect', function () {
  this.timeout(20000);
  let dir: string;
  let server: SmppServer;
  let port: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smpp-client-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    server = createSmppServer({ host: '127.0.0.1', port: 0, tls: { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) } }, (conn) => {
      conn.on('request', (_pdu, respond) => respond(Status.ESME_ROK, { system_id: 'SMSC' }));
    });
    ({ port } = await server.listen());
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const client = (tls: () => object) => new SmppClient({
    host: '127.0.0.1', port, systemId: 'gw', password: 'pw', bindType: 'transmitter', tls, reconnect: { initialMs: 50, maxMs: 50 },
  });

  it('binds when the server\'s certificate chains to the CA given, calling for the options at each connect', async () => {
    let calls = 0;
    const c = client(() => {
      calls++;
      return { ca: [readFileSync(join(dir, 'cert.pem'), 'utf8')] };
    });
    try {
      const bound = once(c, 'bound');
      c.start();
      assert.deepEqual((await bound)[0], { systemId: 'SMSC' });
      assert.equal(calls, 1);
    } finally {
      await c.stop();
    }
  });

  it('refuses a server whose certificate it cannot verify, and keeps trying', async () => {
    const c = client(() => ({}));
    try {
      const failed = once(c, 'bindFailed');
      c.start();
      const [err] = (await failed) as [Error];
      assert.match(err.message, /self[- ]signed certificate/);
      assert.notEqual(c.state, 'bound');
    } finally {
      await c.stop();
    }
  });

  it('takes options that cannot be made as a failed connect: reported, then tried again', async () => {
    let calls = 0;
    const c = client(() => {
      calls++;
      throw new ConfigError('providers[id=p].tls.ca', 'cannot be read: ENOENT', '/gone/ca.pem');
    });
    const errors: Error[] = [];
    c.on('bindFailed', (e) => errors.push(e));
    try {
      c.start();
      const deadline = Date.now() + 5000;
      while (errors.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(errors.length >= 2, 'tried again after the backoff');
      assert.ok(errors[0] instanceof ConfigError);
      assert.equal((errors[0] as ConfigError).field, 'providers[id=p].tls.ca');
      assert.ok(calls >= 2);
      assert.equal(server.connections.size, 0, 'no connection was opened');
    } finally {
      await c.stop();
    }
  });
});
