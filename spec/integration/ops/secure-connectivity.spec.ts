/**
 * Issue 16, connectivity: a gateway node started as users start it reaches Kafka over TLS
 * (kafka.ssl) and over SASL/SCRAM (kafka.sasl), and a provider over TLS (providers[].tls), each
 * carrying a message end to end (submit → provider → receipt back to the customer). The secured
 * broker is scripts/kafka-secure.sh's own (SSL 9392, SASL 9393, mTLS 9395), started here when
 * it is not running and stopped after; the shared plain broker is not touched.
 */
import { strict as assert } from 'node:assert';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import { createKafka } from '../../../src/kafka/client.js';
import { topicNames } from '../../../src/kafka/topics.js';
import { silentLogger } from '../../../src/log.js';
import type { KafkaConnection } from '../../../src/kafka/client.js';
import { redisUrl, uniquePrefix } from '../../support/env.js';
import { runNode, startGatewayFile, writeConfig, type RunningGateway } from '../../support/gateway-process.js';
import { bindCustomer, outboundConfig, receiptsFor, submitMany, textOf } from '../supplier/support.js';

/** What `scripts/kafka-secure.sh start` prints on its last line. */
interface SecureBroker {
  ssl: string;
  sasl: string;
  mtls: string;
  ca: string;
  clientCert: string;
  clientKey: string;
  username: string;
  passwordFile: string;
}

const secureScript = (command: string) => execFileSync('bash', ['scripts/kafka-secure.sh', command], { encoding: 'utf8', timeout: 300000 });

describe('secure connectivity: Kafka over TLS and SASL/SCRAM, a provider over TLS (issue 16)', function () {
  this.timeout(300000);
  let broker: SecureBroker;
  let password: string;
  let startedHere = false;
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  /** Topic prefixes this spec made on the secured broker, deleted after. */
  const madeOn: { connection: KafkaConnection; prefix: string }[] = [];

  before(() => {
    startedHere = secureScript('status').trim() === 'down';
    broker = JSON.parse(secureScript('start').trim().split('\n').at(-1)!) as SecureBroker;
    password = readFileSync(broker.passwordFile, 'utf8').trim();
  });

  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  after(async () => {
    // The broker keeps its data for the next start: leave no topics of this run behind.
    for (const { connection, prefix } of madeOn) {
      const admin = createKafka(connection, 'spec-cleanup', silentLogger, 2).admin();
      try {
        await admin.connect();
        const names = new Set(Object.values(topicNames(prefix)));
        const mine = (await admin.listTopics()).filter((t) => names.has(t));
        if (mine.length > 0) await admin.deleteTopics({ topics: mine });
      } catch {
        // Best effort: the broker is stopped next anyway.
      } finally {
        await admin.disconnect();
      }
    }
    if (startedHere) secureScript('stop');
  });

  const sasl = () => ({ mechanism: 'scram-sha-256' as const, username: broker.username, password });

  /** A simulator, and a node on `kafka` (and `provider` settings), both stopped after the test. */
  async function gatewayOn(label: string, kafka: Record<string, unknown> & { brokers: string[] }, provider: { tls?: unknown; simTls?: { cert: Buffer; key: Buffer } } = {}) {
    const sim: ProviderSimulator = await startProviderSimulator({ systemId: 'gw', password: 'gwpass', receiptDelayMs: 20, ...(provider.simTls ? { tls: provider.simTls } : {}) });
    cleanups.push(() => sim.close());
    const prefix = uniquePrefix(label);
    const config = outboundConfig(prefix, [{ id: 'p', port: sim.address.port, ...(provider.tls ? { tls: provider.tls } : {}) }], [{ provider: 'p' }],
      { kafka: { topicPrefix: prefix, partitions: 3, ...kafka } });
    const configPath = writeConfig(config);
    // It holds the broker's SASL password: not left in the temp folder.
    cleanups.push(() => rmSync(dirname(configPath), { recursive: true, force: true }));
    // The node takes its brokers from the file: the environment's (the shared broker) would win.
    const gw: RunningGateway = await startGatewayFile(configPath, 120000, { SMSGW_KAFKA_BROKERS: kafka.brokers.join(',') });
    cleanups.push(() => gw.stop());
    return { sim, gw, prefix, configPath };
  }

  async function endToEnd(gw: RunningGateway, sim: ProviderSimulator, label: string): Promise<void> {
    const esme = await bindCustomer(gw.port);
    cleanups.push(() => esme.close());
    const sent = await submitMany(esme, label, 3);
    const stats = await receiptsFor(esme, sent, 90000);
    assert.deepEqual(sent.map((s) => stats.get(s.id)), ['DELIVRD', 'DELIVRD', 'DELIVRD']);
    assert.deepEqual(sim.submitted.map((m) => textOf(m.pdu)).sort(), sent.map((s) => s.text).sort(), 'the provider got each message once');
  }

  it('carries a message end to end with Kafka over TLS (kafka.ssl with the broker\'s CA)', async () => {
    const kafka = { brokers: [broker.ssl], ssl: { ca: broker.ca } };
    const { gw, sim, prefix } = await gatewayOn('ssl', kafka);
    madeOn.push({ connection: { brokers: kafka.brokers, ssl: { ca: broker.ca, cert: undefined, key: undefined, rejectUnauthorized: true, servername: undefined } }, prefix });
    await endToEnd(gw, sim, 'over-tls');
  });

  it('carries a message end to end with Kafka over SASL/SCRAM-SHA-256, and the password shows nowhere', async () => {
    const kafka = { brokers: [broker.sasl], sasl: sasl() };
    const { gw, sim, prefix, configPath } = await gatewayOn('sasl', kafka);
    madeOn.push({ connection: kafka, prefix });
    await endToEnd(gw, sim, 'over-sasl');

    // The operator's CLI reaches the same broker with the node's file (--config)...
    const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: redisUrl };
    delete env.SMSGW_KAFKA_BROKERS;
    const lag = await cli(['lag', '--config', configPath], env);
    assert.equal(lag.code, 0, lag.stderr);
    assert.match(lag.stdout, new RegExp(`${prefix.replace(/\./g, '\\.')}provider-outgoing-messages`));
    // ...and without the credentials is told it cannot.
    const refused = await cli(['lag', '--prefix', prefix, '--brokers', broker.sasl], env);
    assert.equal(refused.code, 4, `${refused.stdout}${refused.stderr}`);

    await gw.stop();
    for (const line of [...gw.logs, lag.stdout, lag.stderr, refused.stdout, refused.stderr]) assert.ok(!line.includes(password), `the SASL password leaked: ${line}`);
  });

  it('reaches the broker with PLAIN and SCRAM-SHA-512, and with a client certificate where one is required', async () => {
    const ssl = { ca: broker.ca, cert: undefined, key: undefined, rejectUnauthorized: true, servername: undefined };
    const ok: [string, KafkaConnection][] = [
      ['plain', { brokers: [broker.sasl], sasl: { ...sasl(), mechanism: 'plain' } }],
      ['scram-sha-512', { brokers: [broker.sasl], sasl: { ...sasl(), mechanism: 'scram-sha-512' } }],
      ['mTLS', { brokers: [broker.mtls], ssl: { ...ssl, cert: broker.clientCert, key: broker.clientKey } }],
    ];
    for (const [what, connection] of ok) {
      const admin = createKafka(connection, 'spec-secure', silentLogger, 1).admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        assert.equal(cluster.brokers.length, 1, what);
      } finally {
        await admin.disconnect();
      }
    }
    // The listener that requires a certificate refuses a client without one.
    const bare = createKafka({ brokers: [broker.mtls], ssl }, 'spec-secure', silentLogger, 0).admin();
    await assert.rejects(bare.connect(), /certificate/);
    await bare.disconnect();
  });

  it('carries a message end to end to a provider over TLS (providers[].tls with the simulator\'s certificate as CA)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smsgw-provider-tls-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const cert = join(dir, 'smsc.pem');
    const key = join(dir, 'smsc.key');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const { gw, sim } = await gatewayOn('provider-tls', { brokers: (process.env.SMSGW_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',') },
      { tls: { ca: cert }, simTls: { cert: readFileSync(cert), key: readFileSync(key) } });
    await endToEnd(gw, sim, 'provider-tls');
    assert.ok(sim.counters.submits >= 3);
  });

  it('stops the start-up when Kafka refuses the SASL password, saying so without showing it', async () => {
    const wrong = `not-${password}-wrong`;
    const prefix = uniquePrefix('sasl-refused');
    const path = writeConfig(outboundConfig(prefix, [{ id: 'p', port: 1 }], [{ provider: 'p' }],
      { kafka: { brokers: [broker.sasl], topicPrefix: prefix, partitions: 3, sasl: { ...sasl(), password: wrong } } }));
    const node = runNode(path, { SMSGW_KAFKA_BROKERS: broker.sasl });
    const code = await node.exited;
    rmSync(dirname(path), { recursive: true, force: true });
    assert.equal(code, 1, node.logs.join('\n'));
    const failed = node.logs.find((l) => l.includes('"start-up failed"'));
    assert.ok(failed, node.logs.join('\n'));
    const rec = JSON.parse(failed) as { code: string; error: string };
    assert.equal(rec.code, 'KAFKA_AUTH_FAILED');
    assert.match(rec.error, /^Kafka at 127\.0\.0\.1:9393 refused the credentials of kafka\.sasl \(scram-sha-256\): SASL SCRAM SHA256 authentication failed/);
    for (const line of node.logs) {
      assert.ok(!line.includes(wrong), `the wrong password leaked: ${line}`);
      assert.ok(!line.includes(password), `the password leaked: ${line}`);
    }
  });
});

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['dist/src/cli/main.js', ...args], { env, timeout: 90000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
}
