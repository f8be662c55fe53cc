import { strict as assert } from 'node:assert';
import { actionFor } from '../../../src/actors/session/command-policy.js';
import { BindGuard, guardKey } from '../../../src/actors/session/bind-guard.js';
import { CustomerDirectory, compileRanges, ipAllowed } from '../../../src/actors/session/auth.js';
import { hashPassword, verifyPassword } from '../../../src/actors/session/password.js';
import { TokenBucket } from '../../../src/actors/session/rate-limiter.js';
import { validateConfig } from '../../../src/config/validate.js';
import { ConfigError, SmppStatusError } from '../../../src/errors.js';
import { Status } from '../../../src/smpp/status.js';
import { formatSmppTime, isValidSmppTime, parseSmppTime } from '../../../src/smpp/time.js';

describe('session/command-policy', () => {
  it('only binds before bind; everything else ESME_RINVBNDSTS', () => {
    assert.deepEqual(actionFor('bind_receiver', null), { do: 'bind', bindType: 'receiver' });
    for (const c of ['submit_sm', 'data_sm', 'query_sm', 'cancel_sm', 'deliver_sm'] as const)
      assert.deepEqual(actionFor(c, null), { do: 'refuse', status: Status.ESME_RINVBNDSTS }, c);
  });
  it('a receiver may not submit, query, cancel or replace', () => {
    for (const c of ['submit_sm', 'data_sm', 'query_sm', 'cancel_sm', 'replace_sm', 'submit_multi'] as const)
      assert.deepEqual(actionFor(c, 'receiver'), { do: 'refuse', status: Status.ESME_RINVBNDSTS }, c);
  });
  it('a transmitter submits, queries, cancels; replace_sm fails; SMSC-only commands are refused', () => {
    assert.equal(actionFor('submit_sm', 'transmitter').do, 'submit');
    assert.equal(actionFor('data_sm', 'transceiver').do, 'submit');
    assert.equal(actionFor('query_sm', 'transmitter').do, 'query');
    assert.equal(actionFor('cancel_sm', 'transceiver').do, 'cancel');
    assert.deepEqual(actionFor('replace_sm', 'transmitter'), { do: 'refuse', status: Status.ESME_RREPLACEFAIL });
    assert.deepEqual(actionFor('deliver_sm', 'transceiver'), { do: 'refuse', status: Status.ESME_RINVBNDSTS });
  });
});

describe('session/bind-guard', () => {
  const cfg = { free: 2, delayMs: 100, maxDelayMs: 350, forgetMs: 1000 };
  it('answers the free failures at once, then doubles the delay up to the cap', () => {
    const g = new BindGuard(cfg);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      delays.push(g.delayFor('1.2.3.4', 0));
      g.failed('1.2.3.4', 0);
    }
    assert.deepEqual(delays, [0, 0, 100, 200, 350, 350]);
    assert.equal(g.delayFor('5.6.7.8', 0), 0, 'other addresses are not affected');
  });
  it('forgets after forgetMs, and on success', () => {
    const g = new BindGuard(cfg);
    for (let i = 0; i < 3; i++) g.failed('a', 0);
    assert.ok(g.delayFor('a', 500) > 0);
    assert.equal(g.delayFor('a', 1501), 0);
    for (let i = 0; i < 3; i++) g.failed('b', 0);
    g.succeeded('b');
    assert.equal(g.delayFor('b', 0), 0);
  });
  it('counts an IPv4 address as itself (mapped or not) and an IPv6 address by its /64', () => {
    assert.equal(guardKey('10.1.2.3'), '10.1.2.3');
    assert.equal(guardKey('::ffff:10.1.2.3'), '10.1.2.3');
    assert.equal(guardKey('2001:db8:0:1:aaaa:bbbb:cccc:dddd'), '2001:db8:0:1::/64');
    assert.equal(guardKey('2001:0db8:0000:0001::7'), '2001:db8:0:1::/64');
    assert.equal(guardKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(guardKey('::1'), '0:0:0:0::/64');
    assert.equal(guardKey('2001:DB8:0:1::9'), guardKey('2001:db8:0:1:ffff::1'));
  });
  it('keeps memory bounded', () => {
    const g = new BindGuard(cfg, 10);
    for (let i = 0; i < 50; i++) g.failed(`10.0.0.${i}`, i);
    assert.ok(g.size <= 10);
  });
});

describe('session/auth', () => {
  it('scrypt hashes verify, and a wrong password or malformed hash does not', async () => {
    const h = await hashPassword('s3cret');
    assert.match(h, /^scrypt\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.equal(await verifyPassword(h, 's3cret'), true);
    assert.equal(await verifyPassword(h, 's3cres'), false);
    assert.equal(await verifyPassword('scrypt$abc', 's3cret'), false);
  });

  it('answers each bind failure with its status, address before password', async () => {
    const hash = await hashPassword('pw');
    const dir = new CustomerDirectory(validateConfig({
      listeners: [{ port: 0 }],
      customers: [
        { systemId: 'hashed', passwordHash: hash, bindTypes: ['transmitter'] },
        { systemId: 'office', password: 'pw', allowedIps: ['10.1.0.0/16', '::1'] },
      ],
      providers: [{ id: 'p', host: 'h', port: 1, systemId: 'p', password: 'p' }],
      routes: [{ provider: 'p' }],
    }).customers);
    const status = (p: Promise<unknown>) => p.then(() => 0, (e: unknown) => (e instanceof SmppStatusError ? e.commandStatus : -1));
    assert.equal(await status(dir.authenticate('nobody', 'pw', 'transmitter', '10.1.2.3')), Status.ESME_RINVSYSID);
    assert.equal(await status(dir.authenticate('hashed', 'nope', 'transmitter', '10.1.2.3')), Status.ESME_RINVPASWD);
    assert.equal(await status(dir.authenticate('hashed', 'pw', 'receiver', '10.1.2.3')), Status.ESME_RBINDFAIL);
    assert.equal(await status(dir.authenticate('hashed', 'pw', 'transmitter', '10.1.2.3')), 0);
    assert.equal(await status(dir.authenticate('office', 'wrong', 'transmitter', '192.168.0.1')), Status.ESME_RBINDFAIL);
    assert.equal(await status(dir.authenticate('office', 'pw', 'transmitter', '::ffff:10.1.9.9')), 0);
    assert.equal(await status(dir.authenticate('office', 'pw', 'transmitter', '::1')), 0);
  });

  it('matches IPv4-mapped IPv6 peers against IPv4 ranges', () => {
    const l = compileRanges(['127.0.0.0/8'])!;
    assert.ok(ipAllowed(l, '127.0.0.1'));
    assert.ok(ipAllowed(l, '::ffff:127.0.0.5'));
    assert.ok(!ipAllowed(l, '128.0.0.1'));
  });
});

describe('session configuration fields', () => {
  const base = (customer: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    listeners: [{ port: 0 }], customers: [customer],
    providers: [{ id: 'p', host: 'h', port: 1, systemId: 'p', password: 'p' }], routes: [{ provider: 'p' }], ...extra,
  });
  const field = (raw: unknown) => {
    try {
      validateConfig(raw);
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.field;
    }
    return undefined;
  };
  it('defaults: 10 binds, no rate limit, any address', () => {
    const c = validateConfig(base({ systemId: 'a', password: 'x' })).customers[0]!;
    assert.deepEqual([c.maxBinds, c.rate, c.allowedIps.length, c.passwordHash], [10, undefined, 0, undefined]);
    assert.equal(validateConfig(base({ systemId: 'a', password: 'x', rate: 50 })).customers[0]!.burst, 50);
  });
  it('names bad fields', () => {
    assert.equal(field(base({ systemId: 'a' })), 'customers[0]');
    assert.equal(field(base({ systemId: 'a', password: 'x', passwordHash: 'scrypt$a$b' })), 'customers[0]');
    assert.equal(field(base({ systemId: 'a', passwordHash: 'md5$x' })), 'customers[0].passwordHash');
    assert.equal(field(base({ systemId: 'a', password: 'x', allowedIps: ['10.0.0.0/33'] })), 'customers[0].allowedIps[0]');
    assert.equal(field(base({ systemId: 'a', password: 'x', allowedIps: ['example.com'] })), 'customers[0].allowedIps[0]');
    assert.equal(field(base({ systemId: 'a', password: 'x', maxBinds: 0 })), 'customers[0].maxBinds');
    assert.equal(field(base({ systemId: 'a', password: 'x' }, { listeners: [{ port: 0, tls: { certFile: 'c' } }] })), 'listeners[0].tls.keyFile');
    assert.equal(field(base({ systemId: 'a', password: 'x' }, { session: { bindFailures: { delayMs: 10, maxDelayMs: 5 } } })), 'session.bindFailures.maxDelayMs');
  });
});

describe('session/rate-limiter TokenBucket', () => {
  it('allows the burst at once, then the rate', () => {
    const b = new TokenBucket({ rate: 10, burst: 3 }, 0);
    assert.deepEqual([b.take(1, 0), b.take(1, 0), b.take(1, 0), b.take(1, 0)], [true, true, true, false]);
    assert.equal(b.take(1, 100), true, 'one token back after 100 ms at 10/s');
    assert.equal(b.take(1, 100), false);
    assert.equal(b.take(3, 10_000), true, 'never more than the burst');
    assert.equal(b.take(1, 10_000), false);
  });
});

describe('smpp/time', () => {
  it('validates absolute and relative times and formats final_date', () => {
    assert.ok(isValidSmppTime(''));
    assert.ok(isValidSmppTime('250102030405600+'));
    assert.ok(isValidSmppTime('000002000000000R'));
    assert.ok(!isValidSmppTime('250102030405600'));
    assert.ok(!isValidSmppTime('250102250405600+'));
    assert.equal(formatSmppTime(new Date(Date.UTC(2025, 0, 2, 3, 4, 5))), '250102030405000+');
  });

  it('reads absolute times with their UTC offset, and relative times from now', () => {
    const now = Date.UTC(2026, 10, 30, 12, 0, 0);
    assert.equal(parseSmppTime('', now), undefined);
    assert.equal(parseSmppTime('261130120000000+', now), now);
    // 14:00 local, 8 quarter hours (2 h) ahead of UTC: noon UTC; tenths count.
    assert.equal(parseSmppTime('261130140000308+', now), now + 300);
    assert.equal(parseSmppTime('261130100000008-', now), now);
    assert.equal(parseSmppTime('000001020304000R', now), now + ((24 + 2) * 3600 + 3 * 60 + 4) * 1000);
    // Calendar months: 30 Nov + 3 months is 2 Mar (28-day February, the day carried over).
    assert.equal(parseSmppTime('000300000000000R', now), Date.UTC(2027, 1, 30, 12));
    assert.equal(parseSmppTime('010000000000000R', now), Date.UTC(2027, 10, 30, 12));
    assert.equal(parseSmppTime(formatSmppTime(new Date(now)), 0), now);
    assert.throws(() => parseSmppTime('261330120000000+', now), RangeError);
  });
});
