import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOptions } from '../../../src/cli/options.js';
import { CliError, Exit } from '../../../src/cli/errors.js';

describe('cli options: --config, a node\'s configuration file', () => {
  let dir: string;
  const write = (name: string, config: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(config));
    return path;
  };
  const gateway = (kafka: Record<string, unknown>) => ({
    listeners: [{ port: 2775 }],
    kafka: { brokers: ['k1:9393', 'k2:9393'], ...kafka },
    redis: { url: 'redis://r.example:6379', keyPrefix: 'gw1:' },
    customers: [{ systemId: 'acme', password: 'secret' }],
    providers: [{ id: 'p1', host: '127.0.0.1', port: 2776, systemId: 'gw', password: 'pw' }],
    routes: [{ provider: 'p1' }],
  });

  before(() => (dir = mkdtempSync(join(tmpdir(), 'smsgw-cli-config-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the brokers with their SASL credentials, the Redis url and the key prefix from the file', () => {
    const sasl = { mechanism: 'scram-sha-512', username: 'ops', password: 'file-secret' };
    const o = parseOptions(['lag', '--config', write('gw.json', gateway({ sasl }))], {});
    assert.deepEqual(o.brokers, ['k1:9393', 'k2:9393']);
    assert.deepEqual(o.kafka, { brokers: ['k1:9393', 'k2:9393'], ssl: undefined, sasl });
    assert.equal(o.redis, 'redis://r.example:6379');
    assert.equal(o.prefix, 'gw1:');
  });

  it('lets flags and the environment win over the file, as they do for a node', () => {
    const path = write('gw2.json', gateway({}));
    const o = parseOptions(['lag', '--config', path, '--brokers', 'b:1', '--prefix', 'p.'], { REDIS_URL: 'redis://env' });
    assert.deepEqual([o.brokers, o.kafka.brokers, o.prefix, o.redis], [['b:1'], ['b:1'], 'p.', 'redis://env']);
    assert.deepEqual(parseOptions(['lag', '--config', path], { SMSGW_KAFKA_BROKERS: 'e:1' }).brokers, ['e:1']);
    assert.deepEqual(parseOptions(['lag'], {}).kafka, { brokers: ['127.0.0.1:9092'], ssl: undefined, sasl: undefined }, 'no file: no TLS, no SASL');
  });

  it('refuses a file the node would refuse, naming the field (exit 2), without showing a secret', () => {
    const bad = (config: unknown, field: RegExp) => {
      assert.throws(() => parseOptions(['lag', '--config', write('bad.json', config)], {}), (e: CliError) => {
        assert.ok(e instanceof CliError);
        assert.equal(e.exitCode, Exit.USAGE);
        assert.match(e.message, field);
        return true;
      });
    };
    bad(gateway({ sasl: { mechanism: 'plain', username: 'ops', password: ['leaky-secret'] } }), /^--config: cannot use .*bad\.json: kafka\.sasl\.password: must be a string \(got <redacted>\)$/);
    bad(gateway({ ssl: { ca: join(dir, 'no-such-ca.pem') } }), /kafka\.ssl\.ca: cannot be read: ENOENT/);
    assert.throws(() => parseOptions(['lag', '--config', join(dir, 'missing.yaml')], {}), /--config: cannot use .*missing\.yaml: ENOENT/);
  });
});
