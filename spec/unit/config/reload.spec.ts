import { strict as assert } from 'node:assert';
import { validateConfig } from '../../../src/config/validate.js';
import { mergeReload } from '../../../src/config/reload.js';
import { ConfigError } from '../../../src/errors.js';

const base = (over: Record<string, unknown> = {}) => validateConfig({
  listeners: [{ port: 0 }],
  customers: [{ systemId: 'acme', password: 'pw' }],
  providers: [{ id: 'a', host: '127.0.0.1', port: 1, systemId: 'a', password: 'a', rate: 10 }, { id: 'b', host: '127.0.0.1', port: 2, systemId: 'b', password: 'b' }],
  routes: [{ provider: 'a' }],
  ...over,
});

describe('mergeReload', () => {
  it('takes routes, routing and provider rates from the new file and keeps everything else', () => {
    const running = base();
    const next = base({
      providers: [{ id: 'a', host: '10.0.0.9', port: 9, systemId: 'a', password: 'a', rate: 25 }, { id: 'b', host: '127.0.0.1', port: 2, systemId: 'b', password: 'b' }],
      routes: [{ kind: 'failover', providers: ['b', 'a'] }],
      routing: { mode: 'cheapest' },
    });
    const merged = mergeReload(running, next);
    assert.deepEqual(merged.routes.map((r) => r.providers.map((p) => p.id)), [['b', 'a']]);
    assert.equal(merged.routing.mode, 'cheapest');
    assert.equal(merged.providers[0]!.rate, 25);
    assert.equal(merged.providers[0]!.host, '127.0.0.1', 'connections need a restart');
    assert.equal(merged.listeners, running.listeners);
  });

  it('refuses a changed provider list, naming the field', () => {
    const next = base({ providers: [{ id: 'a', host: 'h', port: 1, systemId: 'a', password: 'a' }], routes: [{ provider: 'a' }] });
    assert.throws(() => mergeReload(base(), next), (e: unknown) => e instanceof ConfigError && e.field === 'providers');
  });

  it('refuses routes naming a customer the running node does not serve', () => {
    const next = base({ customers: [{ systemId: 'acme', password: 'pw' }, { systemId: 'new', password: 'pw' }], routes: [{ provider: 'a', customers: ['new'] }] });
    assert.throws(() => mergeReload(base(), next), (e: unknown) => e instanceof ConfigError && e.field.startsWith('routes[0]'));
  });
});
