import { strict as assert } from 'node:assert';
import { HttpCustomers } from '../../../src/http/customer-auth.js';
import { HttpError } from '../../../src/http/http-error.js';
import { apiKeyDigest, apiKeyId, mintApiKey } from '../../../src/domain/api-keys.js';
import { validateConfig } from '../../../src/config/validate.js';
import { hashPassword } from '../../../src/actors/session/password.js';

const KEY = mintApiKey();
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

async function refusal(p: Promise<unknown>): Promise<HttpError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof HttpError, String(err));
    return err;
  }
  assert.fail('expected a refusal');
}

describe('HTTP customer authentication', () => {
  let customers: HttpCustomers;
  const blocked = new Set<string>();
  before(async () => {
    const config = validateConfig({
      listeners: [{ port: 0 }],
      customers: [
        { systemId: 'acme', passwordHash: await hashPassword('s3cret'), apiKeys: [apiKeyDigest(KEY)] },
        { systemId: 'lan', password: 'lanpw', allowedIps: ['10.1.0.0/16'] },
      ],
      providers: [{ id: 'p', host: 'h', port: 1, systemId: 's', password: 'p' }],
      routes: [{ provider: 'p' }],
    });
    customers = new HttpCustomers(config.customers, { isBlocked: (c) => blocked.has(c), rateOf: () => undefined });
  });

  it('knows a customer by Basic credentials (scrypt hash) or by its API key, in either header', async () => {
    assert.equal((await customers.authenticate({ authorization: basic('acme', 's3cret') }, '127.0.0.1')).systemId, 'acme');
    assert.equal((await customers.authenticate({ authorization: `Bearer ${KEY}` }, '127.0.0.1')).systemId, 'acme');
    assert.equal((await customers.authenticate({ apiKey: KEY }, '127.0.0.1')).systemId, 'acme');
    assert.equal((await customers.authenticate({ authorization: basic('lan', 'lanpw') }, '::ffff:10.1.2.3')).systemId, 'lan');
  });

  it('refuses missing or wrong credentials with 401, a foreign address or a blocked customer with 403', async () => {
    assert.equal((await refusal(customers.authenticate({}, '127.0.0.1'))).code, 'UNAUTHENTICATED');
    for (const c of [{ authorization: basic('acme', 'wrong') }, { authorization: basic('ghost', 'x') }, { apiKey: mintApiKey() }, { authorization: 'Basic !!!' }]) {
      const e = await refusal(customers.authenticate(c, '127.0.0.1'));
      assert.equal(e.status, 401, JSON.stringify(c));
      assert.equal(e.code, 'BAD_CREDENTIALS');
    }
    assert.equal((await refusal(customers.authenticate({ authorization: basic('lan', 'lanpw') }, '192.168.1.1'))).status, 403);
    blocked.add('acme');
    try {
      assert.equal((await refusal(customers.authenticate({ apiKey: KEY }, '127.0.0.1'))).code, 'CUSTOMER_BLOCKED');
    } finally {
      blocked.delete('acme');
    }
  });

  it('keeps API keys only as digests, and refuses a key given in their place', () => {
    assert.match(apiKeyDigest(KEY), /^sha256\$[0-9a-f]{64}$/);
    assert.equal(apiKeyId(apiKeyDigest(KEY)).length, 12);
    const base = { listeners: [{ port: 0 }], providers: [{ id: 'p', host: 'h', port: 1, systemId: 's', password: 'p' }], routes: [{ provider: 'p' }] };
    assert.throws(() => validateConfig({ ...base, customers: [{ systemId: 'a', password: 'x', apiKeys: [KEY] }] }),
      (e: Error & { field?: string }) => e.field === 'customers[0].apiKeys[0]' && !e.message.includes(KEY));
    const http = validateConfig({ ...base, customers: [{ systemId: 'a', password: 'x' }], http: { port: 13013 } }).http;
    assert.deepEqual(http, { host: '127.0.0.1', port: 13013, tls: undefined });
    assert.equal(validateConfig({ ...base, customers: [{ systemId: 'a', password: 'x' }] }).http, null);
    assert.throws(() => validateConfig({ ...base, customers: [{ systemId: 'a', password: 'x' }], http: { port: 'x' } }), (e: Error & { field?: string }) => e.field === 'http.port');
  });
});
