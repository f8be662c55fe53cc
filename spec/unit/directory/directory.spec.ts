import { strict as assert } from 'node:assert';
import { validateConfig } from '../../../src/config/validate.js';
import { DirectoryState, decodeDirectoryRecord, encodeDirectoryRecord, type DirectoryRecord } from '../../../src/directory/records.js';
import { seedRecords } from '../../../src/directory/seed.js';
import { checkReferences, liveConfig } from '../../../src/directory/live-config.js';
import { verifyPassword } from '../../../src/actors/session/password.js';
import { ConfigError } from '../../../src/errors.js';

const file = (over: Record<string, unknown> = {}) => validateConfig({
  listeners: [{ port: 0 }],
  customers: [{ systemId: 'acme', password: 'acmepw' }, { systemId: 'beta', password: 'betapw', numbers: ['4479*'] }],
  providers: [{ id: 'p', host: 'h', port: 1, systemId: 's', password: 'x' }, { id: 'q', host: 'h', port: 2, systemId: 's', password: 'x' }],
  routes: [{ kind: 'failover', providers: ['q', 'p'] }, { provider: 'q', customers: ['beta'], destinationPrefixes: ['33'] }],
  ...over,
}, {}, { references: 'directory' });

async function seeded(f = file()): Promise<DirectoryState> {
  const state = new DirectoryState();
  for (const r of await seedRecords(f, state, 'file:n1', 1000)) state.apply(r);
  return state;
}

describe('live directory', () => {
  it('seeds every entry of a new file, customers\' passwords hashed, providers in their file slots', async () => {
    const state = new DirectoryState();
    const records = await seedRecords(file(), state, 'file:n1', 1000);
    assert.deepEqual(records.map((r) => `${r.kind}/${r.id}`), ['customer/acme', 'customer/beta', 'provider/p', 'provider/q']);
    const acme = records[0]!.entry!;
    assert.equal(acme.password, undefined);
    assert.ok(await verifyPassword(String(acme.passwordHash), 'acmepw'));
    assert.deepEqual(records.filter((r) => r.kind === 'provider').map((r) => r.slot), [0, 1]);
    assert.ok(!JSON.stringify(records).includes('acmepw'), 'no plain customer password anywhere in the records');
  });

  it('writes nothing for an unchanged file, and only what the file changed', async () => {
    const state = await seeded();
    assert.deepEqual(await seedRecords(file(), state, 'file:n2', 2000), []);
    const changed = file({ customers: [{ systemId: 'acme', password: 'newpw' }, { systemId: 'beta', password: 'betapw', numbers: ['4479*'] }] });
    const again = await seedRecords(changed, state, 'file:n2', 2000);
    assert.deepEqual(again.map((r) => r.id), ['acme']);
    assert.ok(await verifyPassword(String(again[0]!.entry!.passwordHash), 'newpw'));
  });

  it('leaves an operator\'s change or removal alone until the file\'s own entry changes; drops what the file no longer lists', async () => {
    const state = await seeded();
    const acme = state.get('customer', 'acme')!;
    state.apply({ ...acme, entry: { ...acme.entry!, maxBinds: 3 }, by: 'cli:op@h', at: 3000 });
    state.apply({ ...state.get('provider', 'q')!, entry: null, by: 'cli:op@h', at: 3001 });
    assert.deepEqual(await seedRecords(file(), state, 'file:n1', 4000), [], 'the operator\'s word stands');
    const fewer = file({ customers: [{ systemId: 'acme', password: 'acmepw' }], routes: [{ provider: 'p' }] });
    const out = await seedRecords(fewer, state, 'file:n1', 5000);
    assert.deepEqual(out.map((r) => [r.id, r.entry === null]), [['beta', true]]);
  });

  it('gives a provider new to the directory the next free slot, and keeps a slot for life', async () => {
    const state = await seeded();
    assert.equal(state.nextSlot(), 2);
    assert.equal(state.nextSlot(1), 2, 'a live provider\'s slot is not given again');
    state.apply({ ...state.get('provider', 'p')!, entry: null, at: 2000, by: 'cli' });
    assert.equal(state.nextSlot(), 2, 'without a preference: past every slot ever given');
  });

  it('runs the directory\'s entries with the file\'s routes, leaving out what was removed', async () => {
    const state = await seeded();
    state.apply({ ...state.get('provider', 'q')!, entry: null, at: 2000, by: 'cli' });
    state.apply({ ...state.get('customer', 'beta')!, entry: null, at: 2001, by: 'cli' });
    state.apply({ kind: 'customer', id: 'gamma', entry: { systemId: 'gamma', passwordHash: String(state.get('customer', 'acme')!.entry!.passwordHash) }, seed: null, at: 2002, by: 'cli' });
    const live = liveConfig(file(), state);
    assert.deepEqual(live.config.customers.map((c) => c.systemId), ['acme', 'gamma']);
    assert.deepEqual(live.config.providers.map((p) => [p.id, p.slot]), [['p', 0]]);
    assert.deepEqual(live.config.removedProviders, ['q']);
    assert.deepEqual(live.config.routes.map((r) => r.providers.map((p) => p.id)), [['p']], 'the failover route keeps p; the route of beta over q is gone');
    assert.equal(live.unknown.length, 0);
    assert.ok(live.removed.some((w) => /provider q removed/.test(w)));
  });

  it('skips a directory entry that does not pass the checks, and says why', async () => {
    const state = await seeded();
    state.apply({ kind: 'customer', id: 'bad', entry: { systemId: 'bad', passwordHash: 'x', maxBinds: -1 }, seed: null, at: 2000, by: 'cli' });
    const live = liveConfig(file(), state);
    assert.ok(!live.config.customers.some((c) => c.systemId === 'bad'));
    assert.match(live.invalid[0]!.error, /customer bad/);
  });

  it('refuses a file naming a provider neither it nor the directory has, naming the field', async () => {
    const state = await seeded();
    const typo = file({ routes: [{ provider: 'pp' }] });
    assert.throws(() => checkReferences(typo, state), (e: unknown) => e instanceof ConfigError && e.field === 'routes[0].provider');
    state.apply({ kind: 'provider', id: 'pp', entry: { id: 'pp', host: 'h', port: 3, systemId: 's', password: 'x' }, seed: null, slot: 2, at: 2000, by: 'cli' });
    checkReferences(typo, state);
  });

  it('reads back what it writes, and refuses a record of another shape', () => {
    const r: DirectoryRecord = { kind: 'provider', id: 'p', entry: null, seed: null, slot: 4, at: 1, by: 'cli:x@y' };
    assert.deepEqual(decodeDirectoryRecord(encodeDirectoryRecord(r)), r);
    assert.throws(() => decodeDirectoryRecord(Buffer.from('{"kind":"route","id":"x","entry":null,"at":1}')), /directory record/);
    assert.throws(() => decodeDirectoryRecord(Buffer.from('nope')), /not JSON/);
  });
});
