import { strict as assert } from 'node:assert';
import {
  formatReceiptText, isFinalStat, messageStateFor, parseReceiptText, statForMessageState,
} from '../../../src/smpp/receipt.js';

describe('smpp/receipt', () => {
  const submitDate = new Date(Date.UTC(2024, 2, 7, 9, 5));
  const doneDate = new Date(Date.UTC(2024, 2, 7, 9, 6));

  it('formats the standard text, cutting text to 20 characters', () => {
    const text = formatReceiptText({
      id: 'abc123', submitDate, doneDate, stat: 'DELIVRD', text: 'Hello world, this is longer than twenty',
    });
    assert.equal(text,
      'id:abc123 sub:001 dlvrd:001 submit date:2403070905 done date:2403070906 stat:DELIVRD err:000 text:Hello world, this is');
  });

  it('round-trips through the parser', () => {
    const text = formatReceiptText({ id: '0A1B2C', submitDate, doneDate, stat: 'UNDELIV', err: 34, text: 'héllo 😀' });
    const r = parseReceiptText(text);
    assert.ok(r);
    assert.equal(r.id, '0A1B2C');
    assert.equal(r.sub, 1);
    assert.equal(r.dlvrd, 0);
    assert.deepEqual(r.submitDate, submitDate);
    assert.deepEqual(r.doneDate, doneDate);
    assert.equal(r.stat, 'UNDELIV');
    assert.equal(r.err, '034');
    assert.equal(r.text, 'héllo 😀');
  });

  it('parses real-world variants', () => {
    const upper = parseReceiptText('ID:1234567890 SUB:001 DLVRD:001 SUBMIT DATE:240307090512 DONE DATE:240307090630 STAT:DELIVRD ERR:000 TEXT:hi');
    assert.equal(upper?.id, '1234567890');
    assert.deepEqual(upper?.doneDate, new Date(Date.UTC(2024, 2, 7, 9, 6, 30)));
    assert.equal(upper?.stat, 'DELIVRD');

    const reordered = parseReceiptText('stat:EXPIRED err:000 id:77 done date:2403071000 submit date:2403070900');
    assert.equal(reordered?.id, '77');
    assert.equal(reordered?.stat, 'EXPIRED');
    assert.equal(reordered?.text, undefined);
    assert.deepEqual(reordered?.submitDate, new Date(Date.UTC(2024, 2, 7, 9, 0)));

    const underscores = parseReceiptText('id:x9 submit_date:2403070900 done_date:2403070901 stat:DELIVERED');
    assert.equal(underscores?.stat, 'DELIVRD', 'long spelling normalised');
    assert.ok(underscores?.doneDate);

    const sparse = parseReceiptText('id:5 stat:REJECTD');
    assert.deepEqual(sparse, { id: '5', stat: 'REJECTD' });

    const tricky = parseReceiptText('id:9 sub:001 dlvrd:001 submit date:2403070900 done date:2403070901 stat:DELIVRD err:000 text:id:42 stat:FAKE');
    assert.equal(tricky?.id, '9');
    assert.equal(tricky?.stat, 'DELIVRD');
    assert.equal(tricky?.text, 'id:42 stat:FAKE', 'keys repeated inside text stay text');

    const vendor = parseReceiptText('id:1 stat:WEIRD err:0x1F');
    assert.equal(vendor?.stat, 'WEIRD');
    assert.equal(vendor?.err, '0x1F');
  });

  it('returns null without an id and ignores impossible dates', () => {
    assert.equal(parseReceiptText('hello there'), null);
    assert.equal(parseReceiptText('sub:001 stat:DELIVRD'), null);
    assert.equal(parseReceiptText('id:1 done date:2413320000')?.doneDate, undefined);
  });

  it('maps stats to message_state and back', () => {
    const pairs: [string, number][] = [
      ['ENROUTE', 1], ['DELIVRD', 2], ['EXPIRED', 3], ['DELETED', 4], ['UNDELIV', 5], ['ACCEPTD', 6], ['UNKNOWN', 7], ['REJECTD', 8],
    ];
    for (const [stat, state] of pairs) {
      assert.equal(messageStateFor(stat), state, stat);
      assert.equal(statForMessageState(state), stat);
    }
    assert.equal(messageStateFor('delivered'), 2);
    assert.equal(messageStateFor('nonsense'), 7);
    assert.equal(statForMessageState(42), 'UNKNOWN');
  });

  it('knows which stats are final', () => {
    assert.equal(isFinalStat('DELIVRD'), true);
    assert.equal(isFinalStat('UNDELIV'), true);
    assert.equal(isFinalStat('ENROUTE'), false);
    assert.equal(isFinalStat('SOMETHING'), false);
  });
});
