import { strict as assert } from 'node:assert';
import { KannelAnswer, kannelCredentials, kannelMessage, kannelParams } from '../../../src/http/kannel.js';

const ctx = { customer: 'acme', messageId: 'm1', node: 'n1', now: Date.parse('2026-12-03T12:00:00Z') };
const message = (query: string) => {
  const { params, octets } = kannelParams(query);
  return kannelMessage(params, octets, ctx);
};
function answer(f: () => unknown): KannelAnswer {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof KannelAnswer, String(err));
    return err;
  }
  assert.fail('expected an answer');
}

describe('Kannel sendsms parameters', () => {
  it('reads username/password (or user/pass) and the message, as GSM text by default', () => {
    const { params } = kannelParams('username=demo&password=pw&to=%2B447700900001&text=Hi+there');
    assert.deepEqual(kannelCredentials(params), { username: 'demo', password: 'pw' });
    assert.deepEqual(kannelCredentials(kannelParams('user=u&pass=p').params), { username: 'u', password: 'p' });
    assert.equal(kannelCredentials(kannelParams('username=u').params), undefined);
    const m = message('to=%2B447700900001&text=Hi+there&from=Shop');
    assert.equal(m.record.destination.addr, '447700900001');
    assert.equal(Buffer.from(m.record.body, 'base64').toString('latin1'), 'Hi there');
    assert.equal(m.record.dataCoding, 0);
    assert.equal(m.record.source.addr, 'Shop');
  });

  it('takes coding 1 as the octets the escapes give, coding 2 as UCS-2, validity and deferred in minutes', () => {
    const bin = message('to=1&coding=1&text=%00%FF%80');
    assert.equal(bin.record.dataCoding, 4);
    assert.deepEqual([...Buffer.from(bin.record.body, 'base64')], [0, 0xff, 0x80]);
    assert.equal(message('to=1&coding=2&text=hi').record.dataCoding, 8);
    const timed = message('to=1&text=x&validity=10&deferred=5');
    assert.equal(timed.record.validUntil, ctx.now + 600_000);
    assert.equal(timed.record.scheduledAt, ctx.now + 300_000);
  });

  it('puts a UDH in front of the user data with esm_class 0x40, and refuses concatenation UDHs', () => {
    const m = message('to=1&coding=1&udh=%06%05%04%0B%84%23%F0&text=%01%02');
    assert.equal(m.record.esmClass & 0x40, 0x40);
    assert.deepEqual([...Buffer.from(m.record.body, 'base64')], [6, 5, 4, 0x0b, 0x84, 0x23, 0xf0, 1, 2]);
    assert.match(answer(() => message('to=1&coding=1&udh=%05%00%03%01%02%01&text=x')).message, /concatenation/);
    assert.match(answer(() => message('to=1&coding=1&udh=%07%05&text=x')).message, /UDH field misformed/);
  });

  it('answers what it cannot take in Kannel\'s words, with a status', () => {
    const noTo = answer(() => message('text=hi'));
    assert.equal(noTo.status, 400);
    assert.equal(noTo.message, 'Empty receiver number not allowed, rejected');
    assert.equal(answer(() => message('to=1')).message, 'Empty text not allowed, rejected.');
    assert.equal(answer(() => message('to=1&text=x&coding=7')).status, 400);
    assert.match(answer(() => message('to=abc&text=x')).message, /rejected$/);
    assert.match(answer(() => message('to=1&text=x&dlr-mask=3&dlr-url=ftp%3A%2F%2Fh%2F')).message, /dlr-url/);
    assert.match(answer(() => message('to=1&text=x&dlr-mask=99')).message, /dlr-mask/);
    // A broken escape is taken as it stands (as URLSearchParams does), never a crash.
    assert.equal(message('to=1&coding=1&text=%zz%41').record.body, Buffer.from('%zzA', 'latin1').toString('base64'));
    assert.equal(message('t%zzo=1&to=2&text=x').record.destination.addr, '2');
  });

  it('keeps dlr-url and dlr-mask with the message, and asks the provider for the receipts the mask wants', () => {
    const m = message(`to=1&text=x&dlr-mask=3&dlr-url=${encodeURIComponent('http://h/dlr?type=%d&id=%I')}`);
    assert.deepEqual(m.record.dlr, { url: 'http://h/dlr?type=%d&id=%I', mask: 3 });
    assert.equal(m.record.registeredDelivery, 1);
    assert.equal(message('to=1&text=x&dlr-mask=4').record.registeredDelivery, 0x10);
    assert.equal(message('to=1&text=x&dlr-mask=4').record.dlr, undefined, 'a mask without a URL: reports go the customer\'s usual way');
  });
});
