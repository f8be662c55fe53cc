import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../../src/config/validate.js';
import { checkTlsFiles, tlsClientOptions } from '../../../src/config/pem-files.js';
import { ConfigError, isSecretField } from '../../../src/errors.js';

const base = (extra: { kafka?: unknown; tls?: unknown } = {}) => ({
  listeners: [{ host: '127.0.0.1', port: 2775 }],
  kafka: extra.kafka,
  customers: [{ systemId: 'acme', password: 'secret' }],
  providers: [{ id: 'p1', host: '127.0.0.1', port: 2776, systemId: 'gw', password: 'pw', tls: extra.tls }],
  routes: [{ provider: 'p1' }],
});

function fails(raw: unknown, field: string): ConfigError {
  try {
    validateConfig(raw);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.equal(err.field, field, err.message);
    assert.ok(err.message.startsWith(`${field}: `), err.message);
    return err;
  }
  assert.fail(`expected a ConfigError naming ${field}`);
}

const PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';

describe('config: kafka.ssl, kafka.sasl, providers[].tls (issue 16)', () => {
  it('has no TLS or SASL unless asked; true means TLS with the system CAs', () => {
    const plain = validateConfig(base());
    assert.equal(plain.kafka.ssl, undefined);
    assert.equal(plain.kafka.sasl, undefined);
    assert.equal(plain.providers[0]!.tls, undefined);
    assert.equal(validateConfig(base({ kafka: { ssl: false }, tls: false })).kafka.ssl, undefined);
    const on = validateConfig(base({ kafka: { ssl: true }, tls: true }));
    const defaults = { ca: undefined, cert: undefined, key: undefined, rejectUnauthorized: true, servername: undefined };
    assert.deepEqual(on.kafka.ssl, defaults);
    assert.deepEqual(on.providers[0]!.tls, defaults);
    assert.deepEqual(validateConfig(base({ kafka: { ssl: {} } })).kafka.ssl, defaults);
  });

  it('reads every TLS field, as paths, and keeps the result frozen plain data', () => {
    const tls = { ca: '/etc/smsgw/ca.pem', cert: 'c.pem', key: 'k.pem', rejectUnauthorized: false, servername: 'smsc.example.net' };
    const c = validateConfig(base({ kafka: { ssl: tls }, tls }));
    assert.deepEqual(c.kafka.ssl, tls);
    assert.deepEqual(c.providers[0]!.tls, tls);
    assert.ok(Object.isFrozen(c.kafka.ssl) && Object.isFrozen(c.providers[0]!.tls));
    assert.deepEqual(structuredClone(c.kafka), c.kafka, 'what worker threads get by structured clone');
  });

  it('names each bad TLS field', () => {
    assert.match(fails(base({ kafka: { ssl: 'yes' } }), 'kafka.ssl').message, /must be true, false or a mapping .* \(got "yes"\)$/);
    fails(base({ tls: 1 }), 'providers[0].tls');
    assert.match(fails(base({ kafka: { ssl: { cert: 'c.pem' } } }), 'kafka.ssl.key').message, /is required with cert/);
    assert.match(fails(base({ tls: { key: 'k.pem' } }), 'providers[0].tls.cert').message, /is required with key/);
    fails(base({ kafka: { ssl: { ca: 42 } } }), 'kafka.ssl.ca');
    fails(base({ kafka: { ssl: { ca: ' ' } } }), 'kafka.ssl.ca');
    fails(base({ kafka: { ssl: { rejectUnauthorized: 'no' } } }), 'kafka.ssl.rejectUnauthorized');
    fails(base({ tls: { servername: 'not a host' } }), 'providers[0].tls.servername');
    fails(base({ tls: { certFile: 'c.pem' } }), 'providers[0].tls.certFile');
  });

  it('refuses PEM text where a file path belongs, without echoing it', () => {
    const e = fails(base({ kafka: { ssl: { cert: 'c.pem', key: PEM_KEY } } }), 'kafka.ssl.key');
    assert.match(e.message, /must be the path of a PEM file, not the PEM text itself$/);
    assert.doesNotMatch(e.message, /MIIE|BEGIN/);
    const e2 = fails(base({ tls: { ca: PEM_KEY } }), 'providers[0].tls.ca');
    assert.doesNotMatch(e2.message, /MIIE/);
    // A key field never shows its value, whatever is wrong with it.
    assert.doesNotMatch(fails(base({ tls: { cert: 'c.pem', key: ['-----x'] } }), 'providers[0].tls.key').message, /-----x/);
  });

  it('reads kafka.sasl: mechanism, username, password', () => {
    for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
      const c = validateConfig(base({ kafka: { sasl: { mechanism, username: 'gw', password: 'pw-1' } } }));
      assert.deepEqual(c.kafka.sasl, { mechanism, username: 'gw', password: 'pw-1' });
    }
    const both = validateConfig(base({ kafka: { ssl: { ca: 'ca.pem' }, sasl: { mechanism: 'scram-sha-512', username: 'gw', password: 'pw-1' } } }));
    assert.equal(both.kafka.ssl?.ca, 'ca.pem');
    assert.equal(both.kafka.sasl?.mechanism, 'scram-sha-512');
  });

  it('names each bad SASL field and never echoes the credentials', () => {
    const secret = 'hunter2-sasl-secret';
    assert.match(fails(base({ kafka: { sasl: { username: 'gw', password: secret } } }), 'kafka.sasl.mechanism').message, /is required \(one of plain, scram-sha-256, scram-sha-512\)/);
    // The mechanism is no secret: a wrong one is shown.
    assert.match(fails(base({ kafka: { sasl: { mechanism: 'SCRAM-SHA-1', username: 'gw', password: secret } } }), 'kafka.sasl.mechanism').message, /\(got "SCRAM-SHA-1"\)$/);
    fails(base({ kafka: { sasl: { mechanism: 'plain', password: secret } } }), 'kafka.sasl.username');
    fails(base({ kafka: { sasl: { mechanism: 'plain', username: 'gw' } } }), 'kafka.sasl.password');
    fails(base({ kafka: { sasl: { mechanism: 'plain', username: 'gw', password: '' } } }), 'kafka.sasl.password');
    const wrongType = fails(base({ kafka: { sasl: { mechanism: 'plain', username: 'gw', password: [secret] } } }), 'kafka.sasl.password');
    assert.match(wrongType.message, /must be a string \(got <redacted>\)$/);
    assert.doesNotMatch(wrongType.message, /hunter2/);
    assert.doesNotMatch(fails(base({ kafka: { sasl: { mechanism: 'plain', username: 7, password: secret } } }), 'kafka.sasl.username').message, /7/);
    fails(base({ kafka: { sasl: { mechanism: 'plain', username: 'gw', password: secret, pasword: 'typo' } } }), 'kafka.sasl.pasword');
    assert.match(fails(base({ kafka: { sasl: 'gw:pw' } }), 'kafka.sasl').message, /<redacted>/);
  });

  it('counts SASL credentials and TLS keys as secrets, file paths and the mechanism not', () => {
    for (const f of ['kafka.sasl.password', 'kafka.sasl.username', 'kafka.sasl', 'kafka.ssl.key', 'providers[3].tls.key', 'providers[id=p1].tls.key']) assert.ok(isSecretField(f), f);
    for (const f of ['kafka.sasl.mechanism', 'kafka.ssl.ca', 'kafka.ssl.cert', 'providers[0].tls.ca', 'kafka.brokers[0]']) assert.ok(!isSecretField(f), f);
  });
});

describe('config: the PEM files of kafka.ssl and providers[].tls', function () {
  this.timeout(20000);
  let dir: string;
  const file = (name: string) => join(dir, name);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'smsgw-pem-'));
    const selfSigned = (name: string) => execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-keyout', file(`${name}.key`), '-out', file(`${name}.pem`)], { stdio: 'ignore' });
    selfSigned('a');
    selfSigned('b');
    writeFileSync(file('not-pem.txt'), 'just text\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const configWith = (kafkaSsl: unknown, tls?: unknown) => validateConfig(base({ kafka: { ssl: kafkaSsl }, tls }));

  it('gives node:tls options with the files read', () => {
    const c = configWith({ ca: file('a.pem'), cert: file('a.pem'), key: file('a.key'), servername: 'localhost' });
    const options = tlsClientOptions(c.kafka.ssl!, 'kafka.ssl');
    assert.equal(options.rejectUnauthorized, true);
    assert.equal(options.servername, 'localhost');
    assert.match(String((options.ca as string[])[0]), /^-----BEGIN CERTIFICATE-----/);
    assert.match(String(options.key), /-----BEGIN PRIVATE KEY-----/);
    assert.deepEqual(tlsClientOptions(configWith(true).kafka.ssl!, 'kafka.ssl'), { rejectUnauthorized: true }, 'the system CAs');
    checkTlsFiles(c);
  });

  it('names the field of a file that cannot be read or is not PEM', () => {
    const missing = configWith({ ca: file('nope.pem') });
    assert.throws(() => tlsClientOptions(missing.kafka.ssl!, 'kafka.ssl'), (e: ConfigError) => e.field === 'kafka.ssl.ca' && /cannot be read: ENOENT/.test(e.message));
    assert.throws(() => checkTlsFiles(missing), (e: ConfigError) => e.field === 'kafka.ssl.ca');
    assert.throws(() => checkTlsFiles(configWith(undefined, { ca: file('not-pem.txt') })),
      (e: ConfigError) => e.field === 'providers[0].tls.ca' && /is not a PEM file/.test(e.message));
    assert.throws(() => checkTlsFiles(configWith(undefined, { cert: file('a.pem'), key: file('missing.key') })),
      (e: ConfigError) => e.field === 'providers[0].tls.key' && e.message.includes('missing.key'));
  });

  it('refuses a private key that does not belong to its certificate', () => {
    assert.throws(() => checkTlsFiles(configWith({ cert: file('a.pem'), key: file('b.key') })),
      (e: ConfigError) => e.field === 'kafka.ssl' && /its files do not make a TLS context: .*key values mismatch/.test(e.message), 'OpenSSL says why');
  });
});
