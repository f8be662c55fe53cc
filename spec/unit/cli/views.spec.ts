import { strict as assert } from 'node:assert';
import { renderTable, duration } from '../../../src/cli/table.js';
import { lagView, outboxView, sessionsView } from '../../../src/cli/views.js';
import { parseOptions, expectArgs } from '../../../src/cli/options.js';
import { actionOf } from '../../../src/cli/commands.js';
import { CliError } from '../../../src/cli/errors.js';
import { validateConfig } from '../../../src/config/validate.js';
import { lagOf, type PartitionLag } from '../../../src/kafka/lag.js';
import type { NodeStatus } from '../../../src/control/status.js';

const node = (over: Partial<NodeStatus>): NodeStatus => ({
  nodeId: 'n1', version: '0.1.0', pid: 1, host: 'h', startedAt: 0, publishedAt: 0, rss: 0, heapUsed: 0, cpuPercent: 0,
  threads: [], sessions: [], providers: [], listeners: [], ...over,
});

describe('cli views', () => {
  it('renders tables with aligned columns, numbers right-aligned, empty cells as -', () => {
    assert.equal(renderTable(['A', 'NUM'], [['x', 5], ['long', 123], ['', null]]), 'A     NUM\nx       5\nlong  123\n-       -');
  });

  it('formats durations', () => {
    assert.deepEqual([duration(42_000), duration(125_000), duration(3_723_000), duration(50 * 3600_000)], ['42s', '2m05s', '1h02m', '2d02h']);
  });

  it('computes lag from committed offsets, from the log start when nothing was committed', () => {
    assert.deepEqual(lagOf('7', '10', '0'), { committed: '7', end: '10', start: '0', lag: 3 });
    assert.deepEqual(lagOf('-1', '10', '4'), { committed: null, end: '10', start: '4', lag: 6 });
    assert.equal(lagOf('2', '10', '5').lag, 5, 'a commit below the log start counts from the start');
  });

  it('names the owner of each partition from the nodes\' stage assignment', () => {
    const lag: PartitionLag[] = [0, 1].map((p) => ({ stage: 'router', groupId: 'g', topic: 't', partition: p, committed: null, end: '0', start: '0', lag: 0 }));
    const nodes = [node({ threads: [{ thread: 1, threadId: 2, heapUsed: 0, actors: [], stages: [{ stage: 'router', groupId: 'g', assignment: [1], handled: 0, failures: 0, deadLettered: 0, actorDeaths: 0, lastError: null, lag: {} }] }] })];
    assert.deepEqual(lagView(lag, nodes).data.map((r) => (r as { owner: string | null }).owner), [null, 'n1/w1']);
  });

  it('outbox: the partition\'s lag per customer, and what is held for it with the oldest age', () => {
    const lag: PartitionLag[] = [{ stage: 'delivery', groupId: 'g', topic: 't', partition: 1, committed: '3', end: '5', start: '0', lag: 2 }];
    const held = new Map([['b', { count: 3, oldestCreatedAt: 1000 }]]);
    const v = outboxView(['a', 'b'], (c) => (c === 'a' ? 0 : 1), lag, held, 6000);
    assert.deepEqual(v.data.map((r) => [r.customer, r.partition, r.waiting, r.held, r.oldestAgeMs]), [['a', 0, 0, 0, null], ['b', 1, 2, 3, 5000]]);
    assert.match(v.text, /\nb\s+1\s+2\s+3\s+5s/);
  });

  it('sessions from every node, by customer', () => {
    const s = (id: string, customer: string) => ({ id, node: 'n1', customer, bindType: 'transceiver', remote: 'r', windowInUse: 0, rateIn: 0, rateOut: 0, submits: 0, delivers: 0, since: 0 });
    const v = sessionsView([node({ sessions: [s('2', 'b'), s('1', 'a')] }), node({ nodeId: 'n2', sessions: [s('3', 'a')] })], 0);
    assert.deepEqual(v.data.map((r) => (r as { id: string }).id), ['1', '3', '2']);
  });
});

describe('cli options', () => {
  it('reads the environment and lets options win', () => {
    const o = parseOptions(['lag', '--brokers', 'b:1,b:2'], { REDIS_URL: 'redis://r', SMSGW_KAFKA_BROKERS: 'x:9', SMSGW_REDIS_PREFIX: 'p.' });
    assert.deepEqual([o.command, o.redis, o.brokers, o.prefix], ['lag', 'redis://r', ['b:1', 'b:2'], 'p.']);
  });

  it("without flags or environment, looks where a gateway of the default configuration writes", () => {
    const o = parseOptions(['nodes'], {});
    const gateway = validateConfig({
      listeners: [{ host: '127.0.0.1', port: 2775 }],
      customers: [{ systemId: 'acme', password: 'secret' }],
      providers: [{ id: 'p1', host: '127.0.0.1', port: 2776, systemId: 'gw', password: 'pw' }],
      routes: [{ provider: 'p1' }],
    });
    assert.deepEqual([o.prefix, o.redis, o.brokers], [gateway.redis.keyPrefix, gateway.redis.url, [...gateway.kafka.brokers]]);
    assert.equal(o.prefix, 'smsgw:');
  });

  it('refuses unknown commands and options, and bad numbers, naming them', () => {
    assert.throws(() => parseOptions(['nope'], {}), (e: CliError) => e.exitCode === 2 && /unknown command "nope"/.test(e.message));
    assert.throws(() => parseOptions(['nodes', '--bogus'], {}), (e: CliError) => e.exitCode === 2);
    assert.throws(() => parseOptions(['top', '--interval', '0'], {}), /--interval: must be a whole number > 0 \(got "0"\)/);
  });

  it('turns commands into control actions', () => {
    const a = (...argv: string[]) => actionOf(parseOptions(argv, {}));
    assert.deepEqual(a('rate', 'customer', 'acme', '2.5'), { action: 'customer-rate', customer: 'acme', rate: 2.5 });
    assert.deepEqual(a('pause', 'p1'), { action: 'pause', provider: 'p1' });
    assert.throws(() => a('rate', 'bind', 'x', '1'), /first argument must be provider or customer/);
    assert.throws(() => a('block'), /block needs <customer> \(got nothing\)/);
    assert.throws(() => expectArgs(parseOptions(['reload-routes', 'x'], {}), []), /reload-routes needs/);
  });
});
