import { strict as assert } from 'node:assert';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import { execFile } from 'node:child_process';
import { brokers, redisUrl, uniquePrefix, waitFor } from '../../support/env.js';
import { startGateway, type RunningGateway } from '../../support/gateway-process.js';
import { outboundConfig } from '../supplier/support.js';
import { apiKeyDigest } from '../../../src/domain/api-keys.js';
import { API_ROUTES } from '../../../src/http/openapi.js';

const API_KEY = 'sk_spec-key-for-the-http-api-0123456789abcdefghij';

interface Answer { status: number; headers: Headers; body: any; text: string }

describe('customer HTTP API on a gateway started as users start it', function () {
  this.timeout(180000);
  const prefix = uniquePrefix('http');
  let sim: ProviderSimulator;
  let gw: RunningGateway;
  let base: string;

  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const ACME = basic('acme', 'acmepw');

  async function call(method: string, path: string, o: { body?: unknown; raw?: string; auth?: string | null; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.auth !== null) headers.authorization = o.auth ?? ACME;
    let body: string | undefined;
    if (o.raw !== undefined) body = o.raw;
    else if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(20000) });
    const text = await res.text();
    let parsed: unknown;
    try { parsed = JSON.parse(text); } catch { parsed = undefined; }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  const submitsTo = (to: string) => sim.submitted.filter((m) => m.pdu.destination_addr === to);

  before(async () => {
    sim = await startProviderSimulator({ systemId: 'gw', password: 'gwpass', receiptDelayMs: 20 });
    const config = outboundConfig(prefix, [{ id: 'p', port: sim.address.port }], [{ provider: 'p' }], {
      http: { host: '127.0.0.1', port: 0 },
    }) as { customers: unknown[] };
    config.customers = [
      { systemId: 'acme', password: 'acmepw', bindTypes: ['transceiver'], apiKeys: [apiKeyDigest(API_KEY)] },
      { systemId: 'slow', password: 'slowpw', rate: 1, burst: 1 },
      { systemId: 'far', password: 'farpw', allowedIps: ['10.0.0.0/8'] },
    ];
    gw = await startGateway(config);
    assert.ok(gw.httpPort, 'the node reported its HTTP port');
    base = `http://127.0.0.1:${gw.httpPort}`;
  });
  after(async () => {
    await gw?.stop();
    await sim?.close();
  });

  it('takes a message (202 with its id once durable), sends it to the provider, and tells its state until DELIVERED', async () => {
    const r = await call('POST', '/v1/messages', { body: { to: '+447700900101', from: 'Acme', text: 'Hello over HTTP', reference: 'order-17' } });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.body.parts, 1);
    assert.match(r.body.id, /\S+/);
    const sent = await waitFor('the provider to get it', () => submitsTo('447700900101')[0], 30000);
    assert.equal(sent.pdu.short_message?.toString('latin1'), 'Hello over HTTP', 'GSM text, one octet per character');
    assert.equal(sent.pdu.source_addr, 'Acme');
    assert.equal(sent.pdu.source_addr_ton, 5, 'an alphanumeric sender');
    const state = await waitFor('the receipt to come back', async () => {
      const s = await call('GET', `/v1/messages/${r.body.id}`);
      return s.body?.state === 'DELIVERED' ? s : undefined;
    }, 30000, 200);
    assert.equal(state.status, 200);
    assert.equal(state.body.final, true);
    assert.ok(Date.parse(state.body.finalAt) > 0);
    // Every step in smsgw trace, the customer's reference with its acceptance.
    const trace = await new Promise<string>((resolve) => execFile(process.execPath, ['dist/src/cli/main.js', '--prefix', prefix, 'trace', r.body.id, '--json'], {
      env: { ...process.env, REDIS_URL: redisUrl, SMSGW_KAFKA_BROKERS: brokers.join(',') }, timeout: 60000,
    }, (_err, stdout) => resolve(stdout)));
    const events = (JSON.parse(trace) as { events: { type: string; detail?: Record<string, unknown> }[] }).events;
    assert.deepEqual(events.find((e) => e.type === 'accepted')?.detail, { customer: 'acme', edge: 'http', reference: 'order-17' });
    for (const step of ['routed', 'submitted', 'receipt']) assert.ok(events.some((e) => e.type === step), `${step} in the trace`);
  });

  it('splits a long text into parts and sends text outside GSM as UCS-2', async () => {
    const long = await call('POST', '/v1/messages', { body: { to: '447700900102', text: 'x'.repeat(400) } });
    assert.equal(long.status, 202, long.text);
    assert.equal(long.body.parts, 3);
    await waitFor('three parts at the provider', () => submitsTo('447700900102').length === 3, 30000);
    const uni = await call('POST', '/v1/messages', { body: { to: '447700900103', text: 'Привет 👋' } });
    assert.equal(uni.status, 202, uni.text);
    const sent = await waitFor('the UCS-2 message at the provider', () => submitsTo('447700900103')[0], 30000);
    assert.equal(sent.pdu.data_coding, 8);
  });

  it('takes a batch in one go and names the bad message of a batch it refuses', async () => {
    const ok = await call('POST', '/v1/messages/batch', { body: { messages: [1, 2, 3].map((i) => ({ to: `44770090020${i}`, text: `batch ${i}` })) } });
    assert.equal(ok.status, 202, ok.text);
    assert.equal(ok.body.messages.length, 3);
    assert.equal(new Set(ok.body.messages.map((m: { id: string }) => m.id)).size, 3);
    await waitFor('all three at the provider', () => [1, 2, 3].every((i) => submitsTo(`44770090020${i}`).length === 1), 30000);
    const bad = await call('POST', '/v1/messages/batch', { body: { messages: [{ to: '447700900301', text: 'fine' }, { to: 'not-a-number', text: 'bad' }] } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, 'messages[1].to');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(submitsTo('447700900301').length, 0, 'nothing of a refused batch is sent');
  });

  it('answers a bad body with 400 and the field at fault', async () => {
    const cases: [unknown, string, string][] = [
      [{ text: 'no destination' }, 'BAD_FIELD', 'to'],
      [{ to: '447700900401', text: 'hi', colour: 'red' }, 'UNKNOWN_FIELD', 'colour'],
      [{ to: '447700900401', text: 'hi', binary: 'aGk=' }, 'TEXT_OR_BINARY', 'text'],
      [{ to: '447700900401', text: 'emoji 👋', encoding: 'gsm7' }, 'UNENCODABLE_TEXT', 'text'],
      [{ to: '447700900401', text: 'hi', validity: 'tomorrow' }, 'BAD_FIELD', 'validity'],
      [{ to: '447700900401', text: 'hi', receipt: 'yes' }, 'BAD_FIELD', 'receipt'],
    ];
    for (const [body, code, field] of cases) {
      const r = await call('POST', '/v1/messages', { body });
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.body.error.code, code, JSON.stringify(body));
      assert.equal(r.body.error.field, field, JSON.stringify(body));
      assert.equal(typeof r.body.error.message, 'string');
    }
    const syntax = await call('POST', '/v1/messages', { raw: '{"to": ' });
    assert.equal(syntax.status, 400);
    assert.equal(typeof syntax.body.error.code, 'string');
  });

  it('authenticates with Basic or an API key; refuses no, wrong or foreign credentials with 401/403, slowing a guesser', async () => {
    const msg = { to: '447700900501', text: 'keyed' };
    assert.equal((await call('POST', '/v1/messages', { body: msg, auth: `Bearer ${API_KEY}` })).status, 202);
    assert.equal((await call('POST', '/v1/messages', { body: msg, auth: null, headers: { 'x-api-key': API_KEY } })).status, 202);
    const none = await call('POST', '/v1/messages', { body: msg, auth: null });
    assert.equal(none.status, 401);
    assert.equal(none.body.error.code, 'UNAUTHENTICATED');
    assert.match(none.headers.get('www-authenticate') ?? '', /^Basic/);
    for (const auth of [basic('acme', 'wrong'), basic('nobody', 'x'), 'Bearer sk_not-a-key']) {
      const r = await call('POST', '/v1/messages', { body: msg, auth });
      assert.equal(r.status, 401, auth);
      assert.equal(r.body.error.code, 'BAD_CREDENTIALS');
    }
    // Past the free failures (3), a guesser's next wrong try is answered late, as a failed bind is.
    const started = Date.now();
    const slowed = await call('POST', '/v1/messages', { body: msg, auth: basic('acme', 'guess-4') });
    assert.equal(slowed.status, 401);
    assert.ok(Date.now() - started >= 900, `answered after ${Date.now() - started} ms`);
    assert.equal((await call('POST', '/v1/messages', { body: msg })).status, 202, 'the right credentials still work');
    const far = await call('POST', '/v1/messages', { body: msg, auth: basic('far', 'farpw') });
    assert.equal(far.status, 403);
    assert.equal(far.body.error.code, 'ADDRESS_NOT_ALLOWED');
    // Another customer's message is as unknown as one that never was.
    const mine = await call('POST', '/v1/messages', { body: msg });
    const theirs = await call('GET', `/v1/messages/${mine.body.id}`, { auth: basic('slow', 'slowpw') });
    assert.equal(theirs.status, 404);
  });

  it('holds a customer to its rate: 429 with Retry-After and nothing sent', async () => {
    const auth = basic('slow', 'slowpw');
    const first = await call('POST', '/v1/messages', { body: { to: '447700900601', text: 'one' }, auth });
    assert.equal(first.status, 202, first.text);
    const second = await call('POST', '/v1/messages', { body: { to: '447700900602', text: 'two' }, auth });
    assert.equal(second.status, 429, second.text);
    assert.equal(second.body.error.code, 'RATE_EXCEEDED');
    assert.ok(Number(second.headers.get('retry-after')) >= 1);
    await waitFor('the first at the provider', () => submitsTo('447700900601').length === 1, 30000);
    assert.equal(submitsTo('447700900602').length, 0);
  });

  it('answers Kannel\'s sendsms as Kannel does', async () => {
    const q = (params: Record<string, string>) => `/cgi-bin/sendsms?${new URLSearchParams(params)}`;
    const ok = await call('GET', q({ username: 'acme', password: 'acmepw', to: '447700900701', from: '12345', text: 'Hi from Kannel' }), { auth: null });
    assert.equal(ok.status, 202);
    assert.equal(ok.text, '0: Accepted for delivery');
    const sent = await waitFor('the Kannel message at the provider', () => submitsTo('447700900701')[0], 30000);
    assert.equal(sent.pdu.source_addr, '12345');
    const form = await call('POST', '/cgi-bin/sendsms', {
      raw: new URLSearchParams({ username: 'acme', password: 'acmepw', to: '447700900702', text: 'form post' }).toString(),
      auth: null, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 202, form.text);
    const denied = await call('GET', q({ username: 'acme', password: 'nope', to: '447700900703', text: 'x' }), { auth: null });
    assert.equal(denied.status, 403);
    assert.equal(denied.text, 'Authorization failed for sendsms');
    const noTo = await call('GET', q({ username: 'acme', password: 'acmepw', text: 'x' }), { auth: null });
    assert.equal(noTo.status, 400);
    assert.match(noTo.text, /receiver/);
  });

  it('serves an OpenAPI document whose paths are exactly the routes served, and whose references resolve', async () => {
    const doc = await call('GET', '/v1/openapi.json', { auth: null });
    assert.equal(doc.status, 200);
    assert.match(doc.body.openapi, /^3\./);
    const documented = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)).sort();
    assert.deepEqual(documented, API_ROUTES.map(([m, p]) => `${m} ${p}`).sort());
    for (const [method, path] of API_ROUTES) {
      const r = await call(method.toUpperCase(), path.replace('{id}', 'some-id'), { auth: null, ...(method === 'post' ? { body: {} } : {}) });
      assert.notEqual(r.body?.error?.code, 'NOT_FOUND', `${method} ${path} is documented but not served`);
      assert.notEqual(r.status, 404, `${method} ${path}`);
    }
    const undocumented = await call('GET', '/v1/nothing-here', { auth: null });
    assert.equal(undocumented.status, 404);
    const refs = JSON.stringify(doc.body).match(/"\$ref":"[^"]+"/g) ?? [];
    assert.ok(refs.length > 0);
    for (const ref of refs) {
      const path = ref.slice('"$ref":"#/'.length, -1).split('/');
      const target = path.reduce<any>((o, k) => o?.[k], doc.body);
      assert.ok(target, `${ref} resolves`);
    }
  });
});
