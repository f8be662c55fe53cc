import { strict as assert } from 'node:assert';
import { change, keyChange, listView } from '../../../src/cli/directory.js';
import { apiKeyDigest } from '../../../src/domain/api-keys.js';
import { entryFromFlags } from '../../../src/cli/entry-flags.js';
import { DirectoryState } from '../../../src/directory/records.js';
import { verifyPassword } from '../../../src/actors/session/password.js';
import { CliError, Exit } from '../../../src/cli/errors.js';

describe('smsgw customer|provider changes', () => {
  it('turns flags into entry fields, refusing a flag of the other kind and bad numbers', () => {
    assert.deepEqual(entryFromFlags('customer', { rate: '50', 'bind-types': 'transmitter, receiver', 'max-binds': '3' }), { rate: 50, bindTypes: ['transmitter', 'receiver'], maxBinds: 3 });
    assert.deepEqual(entryFromFlags('customer', { rate: 'none' }), { rate: null });
    assert.throws(() => entryFromFlags('customer', { host: 'h' }), /--host: applies to provider entries/);
    assert.throws(() => entryFromFlags('provider', { port: '27x5' }), /--port: must be a number/);
    assert.throws(() => entryFromFlags('provider', { window: '1.5' }), /--window: must be a whole number/);
  });

  it('adds a customer with its password hashed; set changes only what it names; remove keeps the slot and seed', async () => {
    const state = new DirectoryState();
    const added = await change('customer', 'add', 'acme', { password: 'pw1', rate: '5' }, state, 1000);
    assert.equal(added.entry!.password, undefined);
    assert.ok(await verifyPassword(String(added.entry!.passwordHash), 'pw1'));
    state.apply(added);
    const set = await change('customer', 'set', 'acme', { 'max-binds': '2' }, state, 2000);
    assert.equal(set.entry!.passwordHash, added.entry!.passwordHash, 'the password stays');
    assert.deepEqual([set.entry!.rate, set.entry!.maxBinds], [5, 2]);
    state.apply(set);
    const unlimited = await change('customer', 'set', 'acme', { rate: 'none' }, state, 2500);
    assert.equal('rate' in unlimited.entry!, false);
    const removed = await change('customer', 'remove', 'acme', {}, state, 3000);
    assert.equal(removed.entry, null);
  });

  it('names the flag of a bad value, never echoing a password', async () => {
    const state = new DirectoryState();
    await assert.rejects(change('customer', 'add', 'acme', { password: 'muchtoolongpw' }, state), (e: unknown) =>
      e instanceof CliError && e.exitCode === Exit.USAGE && e.message === '--password: must be at most 8 characters (got <redacted>)');
    await assert.rejects(change('customer', 'add', 'acme', {}, state), (e: unknown) => e instanceof CliError && /needs exactly one of passwordHash and password/.test(e.message));
    await assert.rejects(change('provider', 'add', 'p', { host: 'h', port: '99999', 'system-id': 's', password: 'x' }, state), /--port: must be <= 65535/);
  });

  it('refuses to add what exists or to change what does not', async () => {
    const state = new DirectoryState();
    state.apply(await change('provider', 'add', 'p', { host: 'h', port: '2775', 'system-id': 's', password: 'x' }, state, 1));
    await assert.rejects(change('provider', 'add', 'p', { host: 'h', port: '2775', 'system-id': 's', password: 'x' }, state), (e: unknown) => e instanceof CliError && e.exitCode === Exit.REFUSED);
    await assert.rejects(change('provider', 'set', 'nope', { rate: '1' }, state), (e: unknown) => e instanceof CliError && e.exitCode === Exit.NOT_FOUND);
    const q = await change('provider', 'add', 'q', { host: 'h', port: '2776', 'system-id': 's', password: 'x' }, state, 2);
    assert.deepEqual([state.get('provider', 'p')!.slot, q.slot], [0, 1]);
  });

  it('lists entries with their defaults and without any password or hash', async () => {
    const state = new DirectoryState();
    state.apply(await change('customer', 'add', 'acme', { password: 'pw1' }, state, 1000));
    const view = listView('customer', state, 2000);
    assert.ok(!JSON.stringify(view.data).includes('scrypt$'));
    assert.match(view.text, /acme\s+transmitter,receiver,transceiver\s+unlimited\s+10/);
  });

  it('mints and revokes a customer\'s API keys (the directory keeps digests only) and sets or removes its webhook', async () => {
    const state = new DirectoryState();
    state.apply(await change('customer', 'add', 'acme', { password: 'pw1' }, state, 1000));
    const minted = keyChange('key-add', 'acme', undefined, state);
    assert.match(minted.key!, /^sk_/);
    assert.deepEqual(minted.apiKeys, [apiKeyDigest(minted.key!)]);
    const withKey = await change('customer', 'set', 'acme', {}, state, 2000, { apiKeys: minted.apiKeys });
    assert.ok(!JSON.stringify(withKey).includes(minted.key!), 'the key itself is never written');
    state.apply(withKey);
    assert.deepEqual((listView('customer', state, 3000).data as { apiKeys: string[] }[])[0]!.apiKeys, [minted.id]);
    assert.throws(() => keyChange('key-revoke', 'acme', 'nope', state), (e: unknown) => e instanceof CliError && e.exitCode === Exit.NOT_FOUND);
    assert.deepEqual(keyChange('key-revoke', 'acme', minted.id, state).apiKeys, []);

    const hooked = await change('customer', 'set', 'acme', { 'webhook-url': 'https://example.test/hook', 'webhook-secret': 'sixteen-chars-secret' }, state, 4000);
    assert.deepEqual(hooked.entry!.webhook, { url: 'https://example.test/hook', secret: 'sixteen-chars-secret' });
    state.apply(hooked);
    const listed = (listView('customer', state, 5000).data as { webhook: { secret: string } }[])[0]!;
    assert.equal(listed.webhook.secret, '<hidden>');
    const prefer = await change('customer', 'set', 'acme', { 'webhook-prefer-smpp': 'true' }, state, 6000);
    assert.deepEqual(prefer.entry!.webhook, { url: 'https://example.test/hook', secret: 'sixteen-chars-secret', preferSmpp: true }, 'the other webhook fields stay');
    const none = await change('customer', 'set', 'acme', { 'webhook-url': 'none' }, state, 7000);
    assert.equal('webhook' in none.entry!, false);
    await assert.rejects(change('customer', 'set', 'acme', { 'webhook-url': 'https://x.test/', 'webhook-secret': 'short' }, state), /secret/);
  });
});
