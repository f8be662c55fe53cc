import { strict as assert } from 'node:assert';
import { hostname } from 'node:os';
import { createLogger } from '../../src/log.js';
import { GatewayError } from '../../src/errors.js';

function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'info') {
  const lines: string[] = [];
  const log = createLogger({ level, base: { node: 'n1' }, write: (l) => void lines.push(l) });
  return { log, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger (pino)', () => {
  it('writes one JSON line per call with pino\'s standard fields and ours', () => {
    const { log, lines, records } = capture();
    log.info('bound', { customer: 'acme' });
    assert.equal(lines.length, 1);
    assert.ok(!lines[0]!.includes('\n'));
    const r = records()[0]!;
    assert.equal(r.level, 30);
    assert.equal(r.msg, 'bound');
    assert.equal(r.pid, process.pid);
    assert.equal(r.hostname, hostname());
    assert.match(String(r.time), /^\d{4}-\d\d-\d\dT/);
    assert.equal(r.node, 'n1');
    assert.equal(r.customer, 'acme');
  });

  it('leaves out lines below its level, and children keep the parent\'s fields', () => {
    const { log, records } = capture('warn');
    log.info('not shown');
    log.child({ worker: 2 }).warn('shown', { x: 1 });
    assert.deepEqual(records().map((r) => [r.msg, r.node, r.worker, r.x]), [['shown', 'n1', 2, 1]]);
  });

  it('redacts passwords, tokens, secrets and SASL credentials wherever they sit', () => {
    const { log, lines } = capture();
    log.info('a', { password: 'pw-top-1', provider: { password: 'pw-nested-2', systemId: 'gw' } });
    log.info('b', { config: { kafka: { sasl: { mechanism: 'plain', username: 'u', password: 'pw-sasl-3' } } } });
    log.child({ token: 'tok-child-4' }).info('c', { admin: { token: 'tok-5' }, webhook: { secret: 'sec-6' }, apiKey: 'key-7' });
    const all = lines.join('\n');
    for (const s of ['pw-top-1', 'pw-nested-2', 'pw-sasl-3', 'tok-child-4', 'tok-5', 'sec-6', 'key-7']) assert.ok(!all.includes(s), `${s} leaked: ${all}`);
    assert.ok(all.includes('<redacted>'));
    assert.ok(all.includes('"systemId":"gw"'), 'other fields kept');
  });

  it('writes an error field as its name, message and code', () => {
    const { log, records } = capture();
    log.error('failed', { error: new GatewayError('SOME_CODE', 'it broke') });
    assert.deepEqual(records()[0]!.error, { name: 'GatewayError', message: 'it broke', code: 'SOME_CODE' });
  });
});
