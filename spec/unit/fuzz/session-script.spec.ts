import { strict as assert } from 'node:assert';
import { connectionScript } from '../../../scripts/fuzz/session-fuzz.js';

describe('session fuzz scripts', () => {
  const creds = { customer: { systemId: 'fuzz', password: 'fuzzpw' }, other: { systemId: 'other', password: 'otherpw' } };
  const flat = (seed: number, i: number) => {
    const s = connectionScript(seed, i, creds);
    return `${s.ending}:${Buffer.concat(s.steps.map((x) => x.bytes)).toString('hex')}`;
  };

  it('a connection\'s script depends only on (seed, index), so one connection replays alone', () => {
    assert.equal(flat(99, 17), flat(99, 17));
    assert.notEqual(flat(99, 17), flat(99, 18));
    assert.notEqual(flat(99, 17), flat(100, 17));
  });

  it('over many connections, scripts open with good, wrong and borrowed binds and end in every way', () => {
    const scripts = Array.from({ length: 300 }, (_, i) => connectionScript(5, i, creds));
    const openings = new Set(scripts.map((s) => s.steps[0]?.bytes.includes(Buffer.from('fuzzpw\0')) ? 'good'
      : s.steps[0]?.bytes.includes(Buffer.from('otherpw\0')) ? 'borrowed' : 'other'));
    assert.deepEqual([...openings].sort(), ['borrowed', 'good', 'other']);
    assert.deepEqual([...new Set(scripts.map((s) => s.ending))].sort(), ['destroy', 'half-close', 'idle', 'linger']);
    assert.ok(scripts.some((s) => s.steps.some((x) => x.name.startsWith('repeat '))), 'some repeat a PDU');
    assert.ok(scripts.some((s) => s.steps.some((x) => x.name.startsWith('unbind')) && s.steps.findIndex((x) => x.name.startsWith('unbind')) < s.steps.length - 1),
      'some go on after their unbind');
  });
});
