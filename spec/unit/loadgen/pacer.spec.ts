import { strict as assert } from 'node:assert';
import { Pacer } from '../../../scripts/loadgen/pacer.js';

describe('loadgen pacer', () => {
  it('lets rate × elapsed submits go, smoothly', () => {
    const p = new Pacer(1000, 0);
    assert.equal(p.allowance(0), 0);
    assert.equal(p.allowance(5), 5);
    p.consume(5);
    assert.equal(p.allowance(5), 0);
    assert.equal(p.allowance(10.5), 5);
    assert.equal(p.delayUntilNext(5), 1);
  });

  it('charges a multi-part message in full and pays the excess back', () => {
    const p = new Pacer(100, 0);
    assert.equal(p.allowance(10), 1);
    p.consume(3);
    assert.equal(p.allowance(20), 0);
    assert.equal(p.allowance(30), 0);
    assert.equal(p.allowance(40), 1);
  });

  it('forgives a stall beyond the catch-up cap instead of bursting', () => {
    const p = new Pacer(1000, 0, 100);
    assert.equal(p.allowance(5_000), 100);
    p.consume(100);
    assert.equal(p.allowance(5_000), 0);
    assert.equal(p.allowance(5_010), 10);
  });

  it('has no limit at an infinite rate', () => {
    const p = new Pacer(Infinity, 0);
    assert.equal(p.allowance(0), Infinity);
    assert.equal(p.delayUntilNext(0), 0);
    assert.throws(() => new Pacer(0, 0), RangeError);
  });
});
