import { strict as assert } from 'node:assert';
import { acceptRequest, sourceOf, type RequestContext } from '../../../src/http/message-request.js';
import { HttpError } from '../../../src/http/http-error.js';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const ctx: RequestContext = { customer: 'acme', messageId: 'm1', node: 'n1', now: NOW };

function refusal(f: () => unknown): HttpError {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof HttpError, String(err));
    return err;
  }
  assert.fail('expected a refusal');
}

describe('HTTP message request → message record', () => {
  it('encodes GSM text one octet per septet, asks for a receipt by default, and counts parts', () => {
    const a = acceptRequest({ to: '+447700900123', text: 'Hi {you}' }, ctx);
    assert.deepEqual(a.record.destination, { ton: 1, npi: 1, addr: '447700900123' });
    assert.equal(a.record.dataCoding, 0);
    // { and } are GSM extension characters: escape + code, two octets each.
    assert.equal(Buffer.from(a.record.body, 'base64').length, 10);
    assert.equal(a.record.registeredDelivery, 1);
    assert.equal(a.parts, 1);
    assert.deepEqual(a.record.partIds, ['m1']);
    assert.equal(acceptRequest({ to: '1', text: 'x'.repeat(161) }, ctx).parts, 2);
    assert.equal(acceptRequest({ to: '1', text: 'x', receipt: false }, ctx).record.registeredDelivery, 0);
  });

  it('falls back to UCS-2 for text outside GSM, and honours an explicit encoding', () => {
    const a = acceptRequest({ to: '1', text: 'Привет' }, ctx);
    assert.equal(a.record.dataCoding, 8);
    assert.equal(Buffer.from(a.record.body, 'base64').length, 12);
    assert.equal(acceptRequest({ to: '1', text: 'plain', encoding: 'ucs2' }, ctx).record.dataCoding, 8);
    assert.equal(acceptRequest({ to: '1', text: 'café', encoding: 'latin1' }, ctx).record.dataCoding, 3);
    assert.equal(refusal(() => acceptRequest({ to: '1', text: 'Привет', encoding: 'gsm7' }, ctx)).code, 'UNENCODABLE_TEXT');
  });

  it('takes binary as octets with data_coding 4', () => {
    const a = acceptRequest({ to: '1', binary: Buffer.from([0, 1, 2, 255]).toString('base64') }, ctx);
    assert.equal(a.record.dataCoding, 4);
    assert.deepEqual([...Buffer.from(a.record.body, 'base64')], [0, 1, 2, 255]);
    assert.equal(refusal(() => acceptRequest({ to: '1', binary: 'not base64!' }, ctx)).field, 'binary');
    assert.equal(refusal(() => acceptRequest({ to: '1' }, ctx)).code, 'TEXT_OR_BINARY');
  });

  it('reads senders: international, short code, alphanumeric', () => {
    assert.deepEqual(sourceOf('+4412345', 'from'), { ton: 1, npi: 1, addr: '4412345' });
    assert.deepEqual(sourceOf('12345', 'from'), { ton: 0, npi: 1, addr: '12345' });
    assert.deepEqual(sourceOf('Acme Ltd', 'from'), { ton: 5, npi: 0, addr: 'Acme Ltd' });
    assert.deepEqual(sourceOf(undefined, 'from'), { ton: 0, npi: 0, addr: '' });
    assert.equal(refusal(() => sourceOf('A very long sender', 'from')).field, 'from');
  });

  it('turns validity (seconds or an instant) and schedule into instants; refuses the impossible with the field', () => {
    const a = acceptRequest({ to: '1', text: 'x', validity: 3600, schedule: '2026-12-03T12:30:00Z', reference: 'r-1' }, ctx);
    assert.equal(a.record.validUntil, NOW + 3600_000);
    assert.equal(a.record.scheduledAt, NOW + 1800_000);
    assert.equal(a.record.reference, 'r-1');
    assert.equal(acceptRequest({ to: '1', text: 'x', validity: '2026-12-04T00:00:00+01:00' }, ctx).record.validUntil, Date.parse('2026-12-03T23:00:00Z'));
    // A schedule already reached means now.
    assert.equal(acceptRequest({ to: '1', text: 'x', schedule: '2026-12-01T00:00:00Z' }, ctx).record.scheduledAt, undefined);
    const cases: [object, string, string][] = [
      [{ validity: '2026-12-01T00:00:00Z' }, 'VALIDITY_PASSED', 'validity'],
      [{ validity: 'tomorrow' }, 'BAD_TIME', 'validity'],
      [{ validity: 0 }, 'BAD_TIME', 'validity'],
      [{ schedule: '2026-12-03 13:00' }, 'BAD_TIME', 'schedule'],
      [{ validity: 60, schedule: '2026-12-03T13:00:00Z' }, 'SCHEDULE_AFTER_VALIDITY', 'schedule'],
      [{ to: '+44 7700 abc' }, 'BAD_ADDRESS', 'to'],
      [{ text: 'x'.repeat(153 * 255 + 1) }, 'MESSAGE_TOO_LONG', 'text'],
      [{ text: '' }, 'EMPTY_MESSAGE', 'text'],
    ];
    for (const [extra, code, field] of cases) {
      const e = refusal(() => acceptRequest({ to: '1', text: 'x', ...extra }, { ...ctx, path: 'messages[2].' }));
      assert.equal(e.status, 400);
      assert.equal(e.code, code, JSON.stringify(extra));
      assert.equal(e.field, `messages[2].${field}`, JSON.stringify(extra));
    }
  });
});
