import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { validateConfig } from '../../../src/config/validate.js';
import { parseConfigText } from '../../../src/config/load.js';
import { ConfigError, redactUrl } from '../../../src/errors.js';

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
  it('reads the admin listener: none by default, a token of 16 characters at least', () => {
    assert.equal(validateConfig(base()).admin, null);
    assert.deepEqual(validateConfig({ ...base(), admin: { port: 9775 } }).admin, { host: '127.0.0.1', port: 9775, token: null });
    assert.deepEqual(validateConfig({ ...base(), admin: { host: '0.0.0.0', port: 0, token: 'a-long-enough-token' } }).admin, { host: '0.0.0.0', port: 0, token: 'a-long-enough-token' });
    fails({ ...base(), admin: {} }, 'admin.port');
    const e = fails({ ...base(), admin: { port: 9775, token: 'short' } }, 'admin.token');
    assert.doesNotMatch(e.message, /short"/, 'the token is not echoed');
    fails({ ...base(), admin: { port: 9775, bogus: 1 } }, 'admin.bogus');
  });

  it('never echoes a secret in its error: the value shows as <redacted>', () => {
    const e1 = fails({ ...base(), customers: [{ systemId: 'a', password: 'averyverylongpassword' }] }, 'customers[0].password');
    assert.doesNotMatch(e1.message, /averyverylongpassword/);
    assert.match(e1.message, /^customers\[0\]\.password: must be at most 8 characters \(got <redacted>\)$/);
    assert.equal(e1.value, '<redacted>');
    const e2 = fails({ ...base(), customers: [{ systemId: 'a', passwordHash: 'plaintext-by-mistake' }] }, 'customers[0].passwordHash');
    assert.doesNotMatch(e2.message, /plaintext-by-mistake/);
    const e3 = fails({ ...base(), providers: [{ id: 'p1', host: '127.0.0.1', port: 2776, systemId: 'gw', password: 'muchtoolongforsmpp' }] }, 'providers[0].password');
    assert.doesNotMatch(e3.message, /muchtoolongforsmpp/);
    assert.equal(redactUrl('redis://:s3cret@10.0.0.5:6379/0'), 'redis://:<redacted>@10.0.0.5:6379/0');
    assert.equal(redactUrl('rediss://app:s3cret@r.example:6380'), 'rediss://app:<redacted>@r.example:6380');
    assert.equal(redactUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
    // Other fields still show what was wrong.
    assert.match(fails({ ...base(), customers: [{ systemId: 'a', password: 'x', bindTypes: ['sender'] }] }, 'customers[0].bindTypes[0]').message, /"sender"/);
  });

  it('fills defaults and freezes the result', () => {
    const c = validateConfig(base());
    assert.equal(c.kafka.brokers[0], '127.0.0.1:9092');
    assert.equal(c.kafka.partitions.messages, 12);
    assert.deepEqual(c.customers[0]!.bindTypes, ['transmitter', 'receiver', 'transceiver']);
    assert.equal(c.providers[0]!.bindType, 'transceiver');
    assert.equal(c.delivery.retentionSeconds, 72 * 3600);
    assert.equal(c.delivery.window, 20);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.providers[0]));
  });

  it('accepts the demo configuration shipped with the project', () => {
    const c = parseConfigText(readFileSync('config/demo.yaml', 'utf8'), 'config/demo.yaml');
    assert.equal(c.customers[0]!.systemId, 'demo');
    assert.equal(c.listeners[0]!.port, 2775);
    assert.deepEqual(c.admin, { host: '127.0.0.1', port: 9775, token: null });
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

  it('names a delivery window out of range', () => {
    fails({ ...base(), delivery: { window: 0 } }, 'delivery.window');
    fails({ ...base(), delivery: { window: 1001 } }, 'delivery.window');
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

  it('lets REDIS_URL and SMSGW_KAFKA_BROKERS override a file that also names them', () => {
    const file = { ...base(), kafka: { brokers: ['file:9092'] }, redis: { url: 'redis://file:6379', keyPrefix: 'p:' } };
    const c = validateConfig(file, { kafkaBrokers: 'env:9092', redisUrl: 'redis://env:6380' });
    assert.deepEqual(c.kafka.brokers, ['env:9092']);
    assert.equal(c.redis.url, 'redis://env:6380');
    assert.equal(c.redis.keyPrefix, 'p:');
  });

  it('requires the changelog to be co-partitioned with the parts', () => {
    fails({ ...base(), kafka: { partitions: { messageParts: 6, assemblerChangelog: 3 } } }, 'kafka.partitions.assemblerChangelog');
  });

  it('fills the assembler defaults and names a bad assembler option (issue 5)', () => {
    const c = validateConfig(base());
    assert.deepEqual(c.assembler, { timeoutMs: 300000, onTimeout: 'reject', recentMs: 120000, maxOpenEntries: 100000, maxRecentGroups: 200000, checkIntervalMs: 1000 });
    assert.equal(validateConfig({ ...base(), assembler: { timeoutMs: 5000, onTimeout: 'release' } }).assembler.onTimeout, 'release');
    fails({ ...base(), assembler: { timeoutMs: 0 } }, 'assembler.timeoutMs');
    assert.match(fails({ ...base(), assembler: { onTimeout: 'drop' } }, 'assembler.onTimeout').message, /drop/);
    fails({ ...base(), assembler: { recentMs: -1 } }, 'assembler.recentMs');
    fails({ ...base(), assembler: { maxOpenEntries: 1.5 } }, 'assembler.maxOpenEntries');
    fails({ ...base(), assembler: { checkIntervalMs: 1 } }, 'assembler.checkIntervalMs');
    fails({ ...base(), assembler: { timeoutMS: 1000 } }, 'assembler.timeoutMS');
  });

  it('reports unparseable YAML as a config error', () => {
    assert.throws(() => parseConfigText('listeners: [\n', 'x.yaml'), ConfigError);
  });

  describe('routes, providers, customers (issue 6)', () => {
    const two = () => ({
      ...base(),
      customers: [{ systemId: 'acme', password: 'x' }, { systemId: 'beta', password: 'y' }],
      providers: [
        { id: 'p1', host: 'h', port: 1, systemId: 's', password: 'p' },
        { id: 'p2', host: 'h', port: 2, systemId: 's', password: 'p', concatenation: 'sar', receiptIdForm: 'hexToDecimal' },
      ],
    });

    it('fills routing, provider and customer defaults', () => {
      const c = validateConfig(two());
      assert.deepEqual(c.routing, { mode: 'first', timeZone: 'UTC', atEdge: true });
      assert.deepEqual(c.customerGroups, {});
      assert.deepEqual([c.providers[0]!.concatenation, c.providers[0]!.receiptIdForm], ['udh8', 'auto']);
      assert.deepEqual([c.providers[1]!.concatenation, c.providers[1]!.receiptIdForm], ['sar', 'hexToDecimal']);
      assert.deepEqual(c.customers[0]!.numbers, []);
      const r = c.routes[0]!;
      assert.deepEqual([r.name, r.kind, r.default, r.providers], ['route-0', 'static', false, [{ id: 'p1', weight: 1 }]]);
      assert.equal(r.price, undefined);
    });

    it('reads a full route: groups, filters, windows, kinds and prices', () => {
      const c = validateConfig({
        ...two(),
        customerGroups: { retail: ['acme', 'beta'] },
        routing: { mode: 'cheapest', timeZone: 'Europe/London' },
        routes: [
          {
            name: 'uk-night', kind: 'weighted', providers: ['p1', { id: 'p2', weight: 3, price: 0.02 }], price: 0.03,
            customers: ['acme'], customerGroups: ['retail'], destinationPrefixes: ['+44'], destinationPattern: '^447',
            sourcePrefixes: ['+4420'], sourcePattern: '^[0-9]+$', timeWindows: [{ days: ['fri', 'sat'], from: '22:00', to: '06:00' }, { from: '12:00', to: '13:00' }],
            timeZone: 'Europe/Paris', encodings: ['gsm7', 'ucs2'],
          },
          { name: 'fallback', default: true, providers: ['p1', 'p2'] },
        ],
      });
      const r = c.routes[0]!;
      assert.equal(c.routing.mode, 'cheapest');
      assert.deepEqual(r.providers, [{ id: 'p1', weight: 1 }, { id: 'p2', weight: 3, price: 0.02 }]);
      assert.deepEqual([r.price, r.destinationPrefixes, r.sourcePrefixes, r.timeZone], [0.03, ['44'], ['4420'], 'Europe/Paris']);
      assert.deepEqual(r.timeWindows[1]!.days, ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
      assert.deepEqual([c.routes[1]!.kind, c.routes[1]!.default], ['failover', true]);
    });

    it('names the bad field of a route', () => {
      fails({ ...two(), routes: [{ provider: 'p1', providers: ['p2'] }] }, 'routes[0].provider');
      fails({ ...two(), routes: [{}] }, 'routes[0].provider');
      fails({ ...two(), routes: [{ kind: 'static', providers: ['p1', 'p2'] }] }, 'routes[0].providers');
      fails({ ...two(), routes: [{ kind: 'failover', providers: [{ id: 'p1', weight: 2 }] }] }, 'routes[0].providers[0].weight');
      fails({ ...two(), routes: [{ providers: ['p1', 'ghost'] }] }, 'routes[0].providers[1]');
      fails({ ...two(), routes: [{ provider: 'p1', kind: 'roundrobin' }] }, 'routes[0].kind');
      fails({ ...two(), routes: [{ provider: 'p1', encodings: ['utf8'] }] }, 'routes[0].encodings[0]');
      fails({ ...two(), routes: [{ provider: 'p1', timeWindows: [{ from: '25:00', to: '06:00' }] }] }, 'routes[0].timeWindows[0].from');
      fails({ ...two(), routes: [{ provider: 'p1', timeWindows: [{ days: ['moon'], from: '01:00', to: '06:00' }] }] }, 'routes[0].timeWindows[0].days[0]');
      fails({ ...two(), routes: [{ provider: 'p1', destinationPattern: '(' }] }, 'routes[0].destinationPattern');
      fails({ ...two(), routes: [{ provider: 'p1', timeZone: 'Atlantis/Capital' }] }, 'routes[0].timeZone');
      fails({ ...two(), routes: [{ provider: 'p1', price: -1 }] }, 'routes[0].price');
      fails({ ...two(), routes: [{ provider: 'p1', customerGroups: ['nope'] }] }, 'routes[0].customerGroups[0]');
      fails({ ...two(), routing: { mode: 'cheapest', timeZone: 'Nowhere' } }, 'routing.timeZone');
      fails({ ...two(), routing: { mode: 'priciest' } }, 'routing.mode');
    });

    it('names a bad provider setting', () => {
      const raw = two();
      (raw.providers[0] as Record<string, unknown>).concatenation = 'udh7';
      fails(raw, 'providers[0].concatenation');
      const raw2 = two();
      (raw2.providers[0] as Record<string, unknown>).receiptIdForm = 'octal';
      fails(raw2, 'providers[0].receiptIdForm');
    });

    it('checks customer groups and customer numbers', () => {
      fails({ ...two(), customerGroups: { retail: ['ghost'] } }, 'customerGroups.retail[0]');
      fails({ ...two(), customerGroups: { 'bad name': ['acme'] } }, 'customerGroups.bad name');
      fails({ ...two(), customers: [{ systemId: 'acme', password: 'x', numbers: ['44x'] }] }, 'customers[0].numbers[0]');
      const e = fails({
        ...two(),
        customers: [{ systemId: 'acme', password: 'x', numbers: ['4477*'] }, { systemId: 'beta', password: 'y', numbers: ['447700900001', '+4477*'] }],
      }, 'customers[1].numbers[1]');
      assert.match(e.message, /acme.*beta/);
      const c = validateConfig({ ...two(), customers: [{ systemId: 'acme', password: 'x', numbers: ['+4477*', '447700900001'] }, { systemId: 'beta', password: 'y' }] });
      assert.deepEqual(c.customers[0]!.numbers, ['4477*', '447700900001']);
    });
  });
});
