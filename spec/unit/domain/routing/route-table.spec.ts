import { strict as assert } from 'node:assert';
import { chooseRoute, compileRoutes, type RoutableMessage, type RouteContext, type RouteDecision, type RoutingInput } from '../../../../src/domain/routing/route-table.js';
import type { RouteConfig } from '../../../../src/config/types.js';
import { ConfigError } from '../../../../src/errors.js';
import { validateConfig } from '../../../../src/config/validate.js';

/** A route with every filter empty; `over` sets what a test is about. */
function route(over: Partial<RouteConfig> & { provider?: string }): RouteConfig {
  const { provider, ...rest } = over;
  return {
    name: `r-${Math.random().toString(36).slice(2, 8)}`, default: false, kind: 'static',
    providers: provider ? [{ id: provider, weight: 1 }] : [{ id: 'p1', weight: 1 }],
    customers: [], customerGroups: [], destinationPrefixes: [], sourcePrefixes: [], timeWindows: [], encodings: [],
    ...rest,
  };
}

function input(routes: RouteConfig[], over: Partial<RoutingInput> = {}): RoutingInput {
  return {
    routes,
    routing: { mode: 'first', timeZone: 'UTC' },
    customerGroups: { wholesale: ['beta', 'gamma'] },
    providers: ['p1', 'p2', 'p3', 'p4'].map((id) => ({ id })),
    customers: ['acme', 'beta', 'gamma', 'other'].map((systemId) => ({ systemId })),
    ...over,
  };
}

const msg = (over: Partial<RoutableMessage> = {}): RoutableMessage => ({
  id: '0190a1b2c3d4e5f6a7b8c9d0', customer: 'acme', source: 'ACME', destination: '447700900001', dataCoding: 0, ...over,
});

// Wednesday 2025-01-15 12:00 UTC.
const NOON_WED = Date.UTC(2025, 0, 15, 12, 0);
const ctx = (over: Partial<RouteContext> = {}): RouteContext => ({ now: NOON_WED, ...over });

function provider(d: RouteDecision): string {
  return d.ok ? d.provider : `unroutable(${d.code})`;
}

function compileFails(i: RoutingInput, field: string): ConfigError {
  try {
    compileRoutes(i);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.field, field, err.message);
    return err;
  }
  assert.fail(`expected a ConfigError naming ${field}`);
}

describe('route table', () => {
  describe('filters', () => {
    it('takes the first route whose filters all match, in order', () => {
      const t = compileRoutes(input([
        route({ name: 'uk', provider: 'p1', destinationPrefixes: ['44'] }),
        route({ name: 'vip', provider: 'p2', customers: ['acme'] }),
        route({ name: 'rest', provider: 'p3' }),
      ]));
      assert.deepEqual(chooseRoute(t, msg(), ctx()), { ok: true, provider: 'p1', route: 'uk', routeIndex: 0, kind: 'static', price: undefined });
      assert.equal(provider(chooseRoute(t, msg({ destination: '33612345678' }), ctx())), 'p2');
      assert.equal(provider(chooseRoute(t, msg({ customer: 'other', destination: '33612345678' }), ctx())), 'p3');
    });

    it('filters on customer groups as well as customers', () => {
      const t = compileRoutes(input([
        route({ provider: 'p1', customerGroups: ['wholesale'] }),
        route({ provider: 'p2', customers: ['acme'], customerGroups: ['wholesale'] }),
        route({ provider: 'p3' }),
      ]));
      assert.equal(provider(chooseRoute(t, msg({ customer: 'gamma' }), ctx())), 'p1');
      assert.equal(provider(chooseRoute(t, msg({ customer: 'acme' }), ctx())), 'p2');
      assert.equal(provider(chooseRoute(t, msg({ customer: 'other' }), ctx())), 'p3');
    });

    it('filters on destination prefix, ignoring a leading +', () => {
      const t = compileRoutes(input([route({ provider: 'p1', destinationPrefixes: ['4477', '33'] }), route({ provider: 'p2' })]));
      assert.equal(provider(chooseRoute(t, msg({ destination: '+447700900001' }), ctx())), 'p1');
      assert.equal(provider(chooseRoute(t, msg({ destination: '33612345678' }), ctx())), 'p1');
      assert.equal(provider(chooseRoute(t, msg({ destination: '447800900001' }), ctx())), 'p2');
    });

    it('filters on a destination pattern, and needs prefix and pattern both to match', () => {
      const t = compileRoutes(input([
        route({ provider: 'p1', destinationPrefixes: ['44'], destinationPattern: '^447[0-9]{9}$' }),
        route({ provider: 'p2' }),
      ]));
      assert.equal(provider(chooseRoute(t, msg({ destination: '447700900001' }), ctx())), 'p1');
      assert.equal(provider(chooseRoute(t, msg({ destination: '4477009000011' }), ctx())), 'p2', 'pattern fails');
      assert.equal(provider(chooseRoute(t, msg({ destination: '337700900001' }), ctx())), 'p2', 'prefix fails');
    });

    it('filters on source prefix and source pattern (alphanumeric senders too)', () => {
      const t = compileRoutes(input([
        route({ provider: 'p1', sourcePrefixes: ['4420'] }),
        route({ provider: 'p2', sourcePattern: '^[A-Za-z]+$' }),
        route({ provider: 'p3' }),
      ]));
      assert.equal(provider(chooseRoute(t, msg({ source: '+442071234567' }), ctx())), 'p1');
      assert.equal(provider(chooseRoute(t, msg({ source: 'ACME' }), ctx())), 'p2');
      assert.equal(provider(chooseRoute(t, msg({ source: 'ACME2' }), ctx())), 'p3');
    });

    it('filters on the data_coding class', () => {
      const t = compileRoutes(input([
        route({ provider: 'p1', encodings: ['ucs2'] }),
        route({ provider: 'p2', encodings: ['binary', 'latin1'] }),
        route({ provider: 'p3', encodings: ['gsm7'] }),
      ]));
      assert.equal(provider(chooseRoute(t, msg({ dataCoding: 8 }), ctx())), 'p1');
      assert.equal(provider(chooseRoute(t, msg({ dataCoding: 0x18 }), ctx())), 'p1', 'message-class UCS-2');
      assert.equal(provider(chooseRoute(t, msg({ dataCoding: 4 }), ctx())), 'p2');
      assert.equal(provider(chooseRoute(t, msg({ dataCoding: 3 }), ctx())), 'p2');
      assert.equal(provider(chooseRoute(t, msg({ dataCoding: 0 }), ctx())), 'p3');
      assert.equal(provider(chooseRoute(t, msg({ dataCoding: 1 }), ctx())), 'p3', 'IA5 is 7-bit');
    });
  });

  describe('time windows', () => {
    const at = (day: number, hh: number, mm = 0) => Date.UTC(2025, 0, 13 + day, hh, mm); // 2025-01-13 is a Monday

    it('matches from inclusive to exclusive on the listed days', () => {
      const t = compileRoutes(input([
        route({ provider: 'p1', timeWindows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '18:00' }] }),
        route({ provider: 'p2' }),
      ]));
      assert.equal(provider(chooseRoute(t, msg(), { now: at(0, 8, 0) })), 'p1');
      assert.equal(provider(chooseRoute(t, msg(), { now: at(0, 17, 59) })), 'p1');
      assert.equal(provider(chooseRoute(t, msg(), { now: at(0, 18, 0) })), 'p2');
      assert.equal(provider(chooseRoute(t, msg(), { now: at(0, 7, 59) })), 'p2');
      assert.equal(provider(chooseRoute(t, msg(), { now: at(5, 12) })), 'p2', 'Saturday');
    });

    it('crosses midnight, belonging to the day the window starts on', () => {
      const t = compileRoutes(input([
        route({ provider: 'p1', timeWindows: [{ days: ['fri'], from: '22:00', to: '06:00' }] }),
        route({ provider: 'p2' }),
      ]));
      assert.equal(provider(chooseRoute(t, msg(), { now: at(4, 23, 30) })), 'p1', 'Friday 23:30');
      assert.equal(provider(chooseRoute(t, msg(), { now: at(5, 3) })), 'p1', 'Saturday 03:00');
      assert.equal(provider(chooseRoute(t, msg(), { now: at(5, 6) })), 'p2', 'Saturday 06:00 is the end');
      assert.equal(provider(chooseRoute(t, msg(), { now: at(4, 3) })), 'p2', 'Friday 03:00 belongs to Thursday');
      assert.equal(provider(chooseRoute(t, msg(), { now: at(5, 23) })), 'p2', 'Saturday 23:00');
    });

    it('reads the clock in the route zone, else the routing zone', () => {
      const window = [{ days: ['mon' as const], from: '09:00', to: '10:00' }];
      // Monday 2025-07-14 08:30 UTC is 09:30 in London (BST) and 17:30 in Tokyo.
      const now = Date.UTC(2025, 6, 14, 8, 30);
      const london = compileRoutes(input([route({ provider: 'p1', timeWindows: window, timeZone: 'Europe/London' }), route({ provider: 'p2' })]));
      assert.equal(provider(chooseRoute(london, msg(), { now })), 'p1');
      const utc = compileRoutes(input([route({ provider: 'p1', timeWindows: window }), route({ provider: 'p2' })]));
      assert.equal(provider(chooseRoute(utc, msg(), { now })), 'p2');
      const tokyo = compileRoutes(input([route({ provider: 'p1', timeWindows: [{ days: ['mon'], from: '17:00', to: '18:00' }] }), route({ provider: 'p2' })],
        { routing: { mode: 'first', timeZone: 'Asia/Tokyo' } }));
      assert.equal(provider(chooseRoute(tokyo, msg(), { now })), 'p1');
    });

    it('takes 24:00 as the end of the day and any of several windows', () => {
      const t = compileRoutes(input([
        route({ provider: 'p1', timeWindows: [{ days: ['sun'], from: '20:00', to: '24:00' }, { days: ['mon'], from: '00:00', to: '01:00' }] }),
        route({ provider: 'p2' }),
      ]));
      assert.equal(provider(chooseRoute(t, msg(), { now: at(6, 23, 59) })), 'p1');
      assert.equal(provider(chooseRoute(t, msg(), { now: at(0, 0, 30) })), 'p1');
      assert.equal(provider(chooseRoute(t, msg(), { now: at(0, 1, 0) })), 'p2');
    });
  });

  describe('route kinds', () => {
    it('failover takes the first available provider in order', () => {
      const t = compileRoutes(input([route({ kind: 'failover', providers: ['p1', 'p2', 'p3'].map((id) => ({ id, weight: 1 })) })]));
      assert.equal(provider(chooseRoute(t, msg(), ctx())), 'p1');
      assert.equal(provider(chooseRoute(t, msg(), ctx({ unavailable: new Set(['p1']) }))), 'p2');
      assert.equal(provider(chooseRoute(t, msg(), ctx({ unavailable: new Set(['p1', 'p2']) }))), 'p3');
      assert.equal(provider(chooseRoute(t, msg(), ctx({ unavailable: new Set(['p2']) }))), 'p1');
    });

    it('skips a route whose providers are all unavailable, and says so when none is left', () => {
      const t = compileRoutes(input([
        route({ name: 'main', kind: 'failover', providers: [{ id: 'p1', weight: 1 }, { id: 'p2', weight: 1 }] }),
        route({ name: 'backup', provider: 'p3' }),
      ]));
      assert.equal(provider(chooseRoute(t, msg(), ctx({ unavailable: new Set(['p1', 'p2']) }))), 'p3');
      const d = chooseRoute(t, msg(), ctx({ unavailable: new Set(['p1', 'p2', 'p3']) }));
      assert.equal(d.ok, false);
      assert.equal(!d.ok && d.code, 'providers_unavailable');
      assert.match(!d.ok ? d.reason : '', /main, backup .* p1, p2, p3 are unavailable/);
    });

    it('weighted gives one message the same provider every time', () => {
      const t = compileRoutes(input([route({ kind: 'weighted', providers: [{ id: 'p1', weight: 1 }, { id: 'p2', weight: 1 }, { id: 'p3', weight: 1 }] })]));
      for (let i = 0; i < 50; i++) {
        const m = msg({ id: `id-${i}` });
        assert.equal(provider(chooseRoute(t, m, ctx())), provider(chooseRoute(t, m, ctx({ now: NOON_WED + 3_600_000 }))));
      }
    });

    it('weighted uses the injected random number across the weight ranges', () => {
      const t = compileRoutes(input([route({ kind: 'weighted', providers: [{ id: 'p1', weight: 1 }, { id: 'p2', weight: 3 }] })]));
      assert.equal(provider(chooseRoute(t, msg(), ctx({ random: 0 }))), 'p1');
      assert.equal(provider(chooseRoute(t, msg(), ctx({ random: 0.2499 }))), 'p1');
      assert.equal(provider(chooseRoute(t, msg(), ctx({ random: 0.25 }))), 'p2');
      assert.equal(provider(chooseRoute(t, msg(), ctx({ random: 0.9999 }))), 'p2');
    });

    it('weighted spreads many message ids by weight within 2%', () => {
      const t = compileRoutes(input([route({ kind: 'weighted', providers: [{ id: 'p1', weight: 1 }, { id: 'p2', weight: 2 }, { id: 'p3', weight: 7 }] })]));
      const counts: Record<string, number> = { p1: 0, p2: 0, p3: 0 };
      const n = 20000;
      // Gateway-style ids: a shared time prefix, then a counter in the random part.
      for (let i = 0; i < n; i++) counts[provider(chooseRoute(t, msg({ id: `0190a1b2c3d4${i.toString(16).padStart(12, '0')}` }), ctx()))]! += 1;
      assert.ok(Math.abs(counts.p1! / n - 0.1) < 0.02, JSON.stringify(counts));
      assert.ok(Math.abs(counts.p2! / n - 0.2) < 0.02, JSON.stringify(counts));
      assert.ok(Math.abs(counts.p3! / n - 0.7) < 0.02, JSON.stringify(counts));
    });

    it('weighted shares an unavailable provider among the others and never picks a zero weight', () => {
      const t = compileRoutes(input([route({ kind: 'weighted', providers: [{ id: 'p1', weight: 1 }, { id: 'p2', weight: 1 }, { id: 'p3', weight: 0 }] })]));
      for (let i = 0; i < 200; i++) {
        assert.equal(provider(chooseRoute(t, msg({ id: `m${i}` }), ctx({ unavailable: new Set(['p1']) }))), 'p2');
        assert.notEqual(provider(chooseRoute(t, msg({ id: `m${i}` }), ctx())), 'p3');
      }
      assert.equal(provider(chooseRoute(t, msg(), ctx({ unavailable: new Set(['p1', 'p2']) }))), 'unroutable(providers_unavailable)');
    });
  });

  describe('price', () => {
    const priced = () => [
      route({ name: 'a', provider: 'p1', price: 0.05 }),
      route({ name: 'b', provider: 'p2', price: 0.03, destinationPrefixes: ['44'] }),
      route({ name: 'c', kind: 'failover', price: 0.04, providers: [{ id: 'p3', weight: 1, price: 0.02 }, { id: 'p4', weight: 1 }] }),
      route({ name: 'd', provider: 'p4' }),
    ];

    it('cheapest mode takes the eligible route with the lowest price of the provider it would use', () => {
      const t = compileRoutes(input(priced(), { routing: { mode: 'cheapest', timeZone: 'UTC' } }));
      const d = chooseRoute(t, msg(), ctx());
      assert.deepEqual(d.ok && [d.route, d.provider, d.price], ['c', 'p3', 0.02]);
      // p3 down: route c falls back to p4 at the route price 0.04; b at 0.03 is cheaper.
      const d2 = chooseRoute(t, msg(), ctx({ unavailable: new Set(['p3']) }));
      assert.deepEqual(d2.ok && [d2.route, d2.provider, d2.price], ['b', 'p2', 0.03]);
      // Not to 44: b is not eligible, c via p4 (0.04) beats a (0.05).
      const d3 = chooseRoute(t, msg({ destination: '33612345678' }), ctx({ unavailable: new Set(['p3']) }));
      assert.deepEqual(d3.ok && [d3.route, d3.price], ['c', 0.04]);
    });

    it('first mode ignores price', () => {
      const t = compileRoutes(input(priced()));
      const d = chooseRoute(t, msg(), ctx());
      assert.deepEqual(d.ok && [d.route, d.price], ['a', 0.05]);
    });

    it('ranks unpriced routes after priced ones, and ties by order', () => {
      const t = compileRoutes(input([
        route({ name: 'free', provider: 'p1' }),
        route({ name: 'x', provider: 'p2', price: 0.01 }),
        route({ name: 'y', provider: 'p3', price: 0.01 }),
      ], { routing: { mode: 'cheapest', timeZone: 'UTC' } }));
      const d = chooseRoute(t, msg(), ctx());
      assert.equal(d.ok && d.route, 'x');
    });
  });

  describe('default route and unroutable messages', () => {
    it('takes the default route only when no other route is eligible, wherever it stands', () => {
      const t = compileRoutes(input([
        route({ name: 'fallback', provider: 'p3', default: true }),
        route({ name: 'uk', provider: 'p1', destinationPrefixes: ['44'] }),
      ]));
      assert.equal(provider(chooseRoute(t, msg(), ctx())), 'p1');
      const d = chooseRoute(t, msg({ destination: '33612345678' }), ctx());
      assert.deepEqual(d.ok && [d.route, d.provider, d.routeIndex], ['fallback', 'p3', 0]);
    });

    it('takes the default route in cheapest mode even when a priced route exists only for others', () => {
      const t = compileRoutes(input([
        route({ name: 'uk', provider: 'p1', price: 0.01, destinationPrefixes: ['44'] }),
        route({ name: 'fallback', provider: 'p3', default: true, price: 0.5 }),
      ], { routing: { mode: 'cheapest', timeZone: 'UTC' } }));
      assert.equal(provider(chooseRoute(t, msg(), ctx())), 'p1');
      assert.equal(provider(chooseRoute(t, msg({ destination: '1555' }), ctx())), 'p3');
    });

    it('says why when nothing matches', () => {
      const t = compileRoutes(input([route({ provider: 'p1', destinationPrefixes: ['44'] })]));
      const d = chooseRoute(t, msg({ customer: 'beta', destination: '33612345678', dataCoding: 8 }), ctx());
      assert.equal(d.ok, false);
      assert.equal(!d.ok && d.code, 'no_route');
      assert.equal(!d.ok && d.reason, 'no route for customer beta from ACME to 33612345678 (ucs2)');
    });
  });

  describe('compileRoutes', () => {
    it('names the field of every bad reference', () => {
      compileFails(input([route({ provider: 'ghost' })]), 'routes[0].provider');
      compileFails(input([route({ kind: 'failover', providers: [{ id: 'p1', weight: 1 }, { id: 'ghost', weight: 1 }] })]), 'routes[0].providers[1]');
      compileFails(input([route({ customers: ['nobody'] })]), 'routes[0].customers[0]');
      compileFails(input([route({}), route({ customerGroups: ['nogroup'] })]), 'routes[1].customerGroups[0]');
    });

    it('names bad patterns, zones and windows', () => {
      const e = compileFails(input([route({ destinationPattern: '^44(' })]), 'routes[0].destinationPattern');
      assert.match(e.message, /regular expression/);
      compileFails(input([route({ sourcePattern: '[' })]), 'routes[0].sourcePattern');
      compileFails(input([route({ timeZone: 'Mars/Olympus' })]), 'routes[0].timeZone');
      compileFails(input([route({})], { routing: { mode: 'first', timeZone: 'Nowhere/City' } }), 'routing.timeZone');
      compileFails(input([route({ timeWindows: [{ days: ['mon'], from: '10:00', to: '10:00' }] })]), 'routes[0].timeWindows[0].to');
    });

    it('refuses two default routes, a default route with filters, duplicate names and duplicate providers', () => {
      compileFails(input([route({ default: true }), route({ default: true })]), 'routes[1].default');
      compileFails(input([route({ default: true, destinationPrefixes: ['44'] })]), 'routes[0].default');
      compileFails(input([route({ name: 'x' }), route({ name: 'x' })]), 'routes[1].name');
      compileFails(input([route({ kind: 'failover', providers: [{ id: 'p1', weight: 1 }, { id: 'p1', weight: 1 }] })]), 'routes[0].providers[1]');
      compileFails(input([route({ kind: 'weighted', providers: [{ id: 'p1', weight: 0 }] })]), 'routes[0].providers');
    });

    it('compiles what validateConfig produced, so a reload can swap tables', () => {
      const config = validateConfig({
        listeners: [{ port: 2775 }],
        customers: [{ systemId: 'acme', password: 'x' }, { systemId: 'beta', password: 'x' }],
        customerGroups: { retail: ['acme'] },
        providers: [{ id: 'p1', host: 'h', port: 1, systemId: 's', password: 'p' }, { id: 'p2', host: 'h', port: 2, systemId: 's', password: 'p' }],
        routing: { mode: 'cheapest' },
        routes: [
          { name: 'retail', customerGroups: ['retail'], kind: 'weighted', providers: [{ id: 'p1', weight: 3, price: 0.02 }, { id: 'p2', weight: 1 }], price: 0.03 },
          { name: 'rest', default: true, provider: 'p2', price: 0.04 },
        ],
      });
      const t = compileRoutes(config);
      assert.equal(provider(chooseRoute(t, msg({ customer: 'beta' }), ctx())), 'p2');
      const d = chooseRoute(t, msg({ customer: 'acme' }), ctx({ random: 0.1 }));
      assert.deepEqual(d.ok && [d.route, d.provider, d.price, d.kind], ['retail', 'p1', 0.02, 'weighted']);
      const d2 = chooseRoute(t, msg({ customer: 'acme' }), ctx({ random: 0.9 }));
      assert.deepEqual(d2.ok && [d2.provider, d2.price], ['p2', 0.03]);
    });
  });
});
