import { strict as assert } from 'node:assert';
import { validateConfig } from '../../../src/config/validate.js';
import { mergeReload } from '../../../src/config/reload.js';

const base = (over: Record<string, unknown> = {}) => validateConfig({
  listeners: [{ port: 0 }],
  customers: [{ systemId: 'acme', password: 'pw' }],
  providers: [{ id: 'a', host: '127.0.0.1', port: 1, systemId: 'a', password: 'a', rate: 10 }, { id: 'b', host: '127.0.0.1', port: 2, systemId: 'b', password: 'b' }],
  routes: [{ provider: 'a' }],
  ...over,
});

describe('mergeReload', () => {
  it('takes routes, routing, customer groups, customers and providers from the new file', () => {
    const running = base();
    const next = base({
      customers: [{ systemId: 'acme', password: 'pw' }, { systemId: 'new', password: 'pw2' }],
      providers: [{ id: 'a', host: '10.0.0.9', port: 9, systemId: 'a', password: 'a', rate: 25 }],
      routes: [{ kind: 'failover', providers: ['a'], customers: ['new'] }],
      routing: { mode: 'cheapest' },
    });
    const merged = mergeReload(running, next);
    assert.deepEqual(merged.routes.map((r) => r.providers.map((p) => p.id)), [['a']]);
    assert.equal(merged.routing.mode, 'cheapest');
    assert.deepEqual(merged.customers.map((c) => c.systemId), ['acme', 'new']);
    assert.deepEqual(merged.providers.map((p) => [p.id, p.host, p.rate]), [['a', '10.0.0.9', 25]]);
  });

  it('keeps what needs a restart: listeners, Kafka, Redis, threads, the node id', () => {
    const running = base();
    const next = base({ listeners: [{ port: 2776 }], node: { id: 'other', threads: 7 }, kafka: { topicPrefix: 'x.' }, redis: { keyPrefix: 'y:' } });
    const merged = mergeReload(running, next);
    for (const k of ['listeners', 'kafka', 'redis', 'threads', 'nodeId'] as const) assert.deepEqual(merged[k], running[k], k);
  });
});
