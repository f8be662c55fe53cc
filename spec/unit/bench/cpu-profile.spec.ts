import { strict as assert } from 'node:assert';
import { areaOf, asCpuProfile, renderProfileTable, selfTimesUs, shortUrl, summarizeProfiles } from '../../../scripts/bench/cpu-profile.js';
import { fixtureProfile } from './fixture-profile.js';

describe('bench: CPU profile summary', () => {
  it('gives each sample the time until the next one (the last one until the end)', () => {
    const t = selfTimesUs(fixtureProfile());
    assert.deepEqual(Object.fromEntries(t), { 3: 6000, 6: 1200, 7: 600, 8: 1400, 4: 500, 2: 300 });
  });

  it('falls back to hit counts spread over the duration when the profile has no samples', () => {
    const p = fixtureProfile();
    delete p.samples;
    delete p.timeDeltas;
    p.nodes[5]!.hitCount = 3;
    p.nodes[7]!.hitCount = 1;
    assert.deepEqual(Object.fromEntries(selfTimesUs(p)), { 6: 7500, 8: 2500 });
  });

  it('ranks functions by self time with idle left out of the busy share', () => {
    const s = summarizeProfiles([fixtureProfile()], 3);
    assert.equal(s.totalMs, 10);
    assert.equal(s.idleMs, 6);
    assert.equal(s.busyMs, 4);
    assert.deepEqual(s.functions, [
      { name: 'send', location: 'kafkajs/src/producer/index.js:100', area: 'kafkajs', selfMs: 1.4, selfPct: 35 },
      { name: 'encode', location: 'src/smpp/codec.js:42', area: 'src/smpp', selfMs: 1.2, selfPct: 30 },
      { name: 'writeBuffer', location: '', area: '(native)', selfMs: 0.6, selfPct: 15 },
    ]);
    assert.deepEqual(s.areas.map((a) => [a.area, a.selfMs]), [['kafkajs', 1.4], ['src/smpp', 1.2], ['(native)', 0.6], ['(gc)', 0.5], ['(program)', 0.3]]);
  });

  it('merges the threads of a node: the same function adds up', () => {
    const s = summarizeProfiles([fixtureProfile(), fixtureProfile()], 1);
    assert.equal(s.profiles, 2);
    assert.equal(s.busyMs, 8);
    assert.deepEqual(s.functions.map((f) => [f.name, f.selfMs, f.selfPct]), [['send', 2.8, 35]]);
  });

  it('names areas by our folders, npm packages (scoped too), node internals and V8 pseudo-frames', () => {
    assert.equal(areaOf({ functionName: 'f', url: 'file:///w/dist/src/runtime/threads/stage-pool.js' }), 'src/runtime');
    assert.equal(areaOf({ functionName: 'f', url: 'file:///w/dist/src/node.js' }), 'src');
    assert.equal(areaOf({ functionName: 'f', url: 'file:///w/node_modules/@scope/pkg/x.js' }), '@scope/pkg');
    assert.equal(areaOf({ functionName: 'f', url: 'node:internal/stream_base_commons' }), 'node:stream_base_commons');
    assert.equal(areaOf({ functionName: 'f', url: 'node:net' }), 'node:net');
    assert.equal(areaOf({ functionName: '(garbage collector)', url: '' }), '(gc)');
    assert.equal(areaOf({ functionName: 'f', url: '/elsewhere/x.js' }), 'other');
    assert.equal(shortUrl('file:///w/node_modules/a/node_modules/b/i.js'), 'b/i.js');
  });

  it('renders markdown tables, and refuses what is not a profile', () => {
    const md = renderProfileTable(summarizeProfiles([fixtureProfile()], 2));
    assert.match(md, /1 thread profile\(s\), 10 ms sampled, 4 ms busy \(40\.0 %\)/);
    assert.match(md, /\| 1 \| `send` \| kafkajs\/src\/producer\/index\.js:100 \| 1\.4 \| 35\.0 \|/);
    assert.throws(() => asCpuProfile({ nodes: 'x' }, 'f.cpuprofile'), /f\.cpuprofile is not a V8 \.cpuprofile/);
  });
});
