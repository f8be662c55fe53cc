import { strict as assert } from 'node:assert';
import { chooseRoute } from '../../../src/actors/router/route-table.js';

describe('route table', () => {
  const routes = [
    { provider: 'uk', customers: [], destinationPrefixes: ['44'] },
    { provider: 'vip', customers: ['acme'], destinationPrefixes: [] },
    { provider: 'default', customers: [], destinationPrefixes: [] },
  ];

  it('takes the first route whose filters all match', () => {
    assert.deepEqual(chooseRoute(routes, { customer: 'acme', destination: '447700900001' }), { ok: true, provider: 'uk', routeIndex: 0 });
    assert.deepEqual(chooseRoute(routes, { customer: 'acme', destination: '33612345678' }), { ok: true, provider: 'vip', routeIndex: 1 });
    assert.deepEqual(chooseRoute(routes, { customer: 'other', destination: '33612345678' }), { ok: true, provider: 'default', routeIndex: 2 });
  });

  it('ignores a leading + on the destination', () => {
    assert.equal(chooseRoute(routes, { customer: 'x', destination: '+447700900001' }).ok && 'uk', 'uk');
  });

  it('says why when nothing matches', () => {
    const d = chooseRoute(routes.slice(0, 2), { customer: 'x', destination: '33' });
    assert.equal(d.ok, false);
    assert.match(!d.ok ? d.reason : '', /no route for customer x/);
  });
});
