import { strict as assert } from 'node:assert';
import { Histogram, MAX_TRACKABLE_US } from '../../../scripts/loadgen/histogram.js';

describe('loadgen histogram', () => {
  it('is exact below 2048 µs', () => {
    const h = new Histogram();
    for (let v = 1; v <= 1000; v++) h.record(v);
    assert.equal(h.valueAt(0.5), 500);
    assert.equal(h.valueAt(0.99), 990);
    assert.equal(h.valueAt(1), 1000);
    assert.equal(h.valueAt(0), 1);
  });

  it('stays within 0.1 % over a wide range', () => {
    const h = new Histogram();
    const values: number[] = [];
    let x = 7;
    for (let i = 0; i < 20_000; i++) {
      x = (x * 48271) % 2147483647;
      values.push(1 + (x % 50_000_000)); // up to 50 s
    }
    for (const v of values) h.record(v);
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.95, 0.99, 0.999]) {
      const exact = values[Math.ceil(q * values.length) - 1]!;
      const got = h.valueAt(q);
      assert.ok(got >= exact && got <= exact * 1.001 + 1, `q=${q}: ${got} vs ${exact}`);
    }
    assert.equal(h.valueAt(1), values[values.length - 1]);
  });

  it('reports milliseconds, with nulls when empty, and resets', () => {
    const h = new Histogram();
    assert.deepEqual(h.percentiles(), { count: 0, min: null, mean: null, p50: null, p95: null, p99: null, max: null });
    h.record(1500);
    h.record(2500);
    assert.equal(h.percentiles().max, 2.5);
    assert.equal(h.percentiles().mean, 2);
    h.reset();
    assert.equal(h.count, 0);
    assert.ok(Number.isNaN(h.valueAt(0.5)));
  });

  it('clamps negative and huge values', () => {
    const h = new Histogram(5);
    h.record(-3);
    h.record(1e12);
    assert.equal(h.valueAt(0), 0);
    assert.equal(h.valueAt(1), MAX_TRACKABLE_US);
  });

  it('answers several quantiles in one pass like one at a time', () => {
    const h = new Histogram(6);
    for (let i = 0; i < 5000; i++) h.record((i * 7919) % 100_000);
    const qs = [0.1, 0.5, 0.9, 0.99, 1];
    assert.deepEqual(h.valuesAt(qs), qs.map((q) => h.valueAt(q)));
  });
});
