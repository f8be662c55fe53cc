import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { validateConfig } from '../../../src/config/validate.js';
import { parseConfigText } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';

const base = () => ({
  listeners: [{ host: '127.0.0.1', port: 2775 }],
  customers: [{ systemId: 'acme', password: 'secret' }],
  providers: [{ id: 'p1', host: '127.0.0.1', port: 2776, systemId: 'gw', password: 'pw' }],
  routes: [{ provider: 'p1' }],
});

function fails(raw: unknown, field: string, env = {}): ConfigError {
  try {
    validateConfig(raw, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.equal(err.field, field, err.message);
    assert.ok(err.message.startsWith(field), err.message);
    return err;
  }
  assert.fail(`expected a ConfigError naming ${field}`);
}

describe('config validation', () => {
  it('fills defaults and freezes the result', () => {
    const c = validateConfig(base());
    assert.equal(c.kafka.brokers[0], '127.0.0.1:9092');
    assert.equal(c.kafka.partitions.messages, 12);
    assert.deepEqual(c.customers[0]!.bindTypes, ['transmitter', 'receiver', 'transceiver']);
    assert.equal(c.providers[0]!.bindType, 'transceiver');
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.providers[0]));
  });

  it('accepts the demo configuration shipped with the project', () => {
    const c = parseConfigText(readFileSync('config/demo.yaml', 'utf8'), 'config/demo.yaml');
    assert.equal(c.customers[0]!.systemId, 'demo');
    assert.equal(c.listeners[0]!.port, 2775);
  });

  it('names a missing field', () => {
    const raw = base();
    delete (raw.providers[0] as Partial<(typeof raw.providers)[0]>).host;
    fails(raw, 'providers[0].host');
  });

  it('names a route to an unknown provider, with the value', () => {
    const raw = { ...base(), routes: [{ provider: 'p1' }, { provider: 'nope' }] };
    const e = fails(raw, 'routes[1].provider');
    assert.match(e.message, /"nope"/);
  });

  it('names a field of the wrong type, with the value', () => {
    const raw = base();
    (raw.listeners[0] as Record<string, unknown>).port = 'twenty';
    const e = fails(raw, 'listeners[0].port');
    assert.match(e.message, /integer.*"twenty"/);
  });

  it('rejects unknown settings so a typo does not fall back to a default', () => {
    const raw = { ...base(), kafka: { brokerz: ['x:1'] } };
    fails(raw, 'kafka.brokerz');
  });

  it('rejects SMPP-impossible credentials and duplicates', () => {
    fails({ ...base(), customers: [{ systemId: 'a', password: 'ninechars' }] }, 'customers[0].password');
    fails({ ...base(), customers: [{ systemId: 'a', password: 'x' }, { systemId: 'a', password: 'y' }] }, 'customers[1].systemId');
    fails({ ...base(), customers: [{ systemId: 'a', password: 'x', bindTypes: ['sender'] }] }, 'customers[0].bindTypes[0]');
  });

  it('takes brokers and Redis from the environment, validated', () => {
    const c = validateConfig(base(), { kafkaBrokers: '10.0.0.1:9092, 10.0.0.2:9092', redisUrl: 'redis://r:6380' });
    assert.deepEqual(c.kafka.brokers, ['10.0.0.1:9092', '10.0.0.2:9092']);
    assert.equal(c.redis.url, 'redis://r:6380');
    fails(base(), 'SMSGW_KAFKA_BROKERS', { kafkaBrokers: 'nohostport' });
    fails(base(), 'REDIS_URL', { redisUrl: 'http://x' });
  });

  it('requires the changelog to be co-partitioned with the parts', () => {
    fails({ ...base(), kafka: { partitions: { messageParts: 6, assemblerChangelog: 3 } } }, 'kafka.partitions.assemblerChangelog');
  });

  it('reports unparseable YAML as a config error', () => {
    assert.throws(() => parseConfigText('listeners: [\n', 'x.yaml'), ConfigError);
  });
});
