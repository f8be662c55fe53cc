/**
 * A tiny V8 CPU profile as `node --cpu-prof` writes it: root -> program, idle, GC, and a call
 * path main.js -> encode (smpp) -> writeBuffer (native), plus a kafkajs function. Sample times
 * (µs) are chosen so each function's self time is a round number.
 */
import type { CpuProfile } from '../../../scripts/bench/cpu-profile.js';

const frame = (functionName: string, url = '', lineNumber = -1) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: '0' });

export function fixtureProfile(): CpuProfile {
  return {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 5, 8] },
      { id: 2, callFrame: frame('(program)') },
      { id: 3, callFrame: frame('(idle)') },
      { id: 4, callFrame: frame('(garbage collector)') },
      { id: 5, callFrame: frame('main', 'file:///repo/dist/src/main.js', 10), children: [6] },
      { id: 6, callFrame: frame('encode', 'file:///repo/dist/src/smpp/codec.js', 41), children: [7] },
      { id: 7, callFrame: frame('writeBuffer') },
      { id: 8, callFrame: frame('send', 'file:///repo/node_modules/kafkajs/src/producer/index.js', 99) },
    ],
    startTime: 1_000_000,
    endTime: 1_010_000,
    // Sample i lasts until sample i+1 (the last one until endTime).
    //            idle  encode  idle  writeBuffer  send  gc    program  encode
    samples:    [3,    6,      3,    7,           8,    4,    2,       6],
    timeDeltas: [0,    4000,   1000, 2000,        600,  1400, 500,     300],
  };
}
// Timestamps: 1_000_000, 1_004_000, 1_005_000, 1_007_000, 1_007_600, 1_009_000, 1_009_500, 1_009_800.
// Self µs: idle 4000 + 2000 = 6000; encode 1000 + 200 (until endTime) = 1200; writeBuffer 600;
// send 1400; gc 500; program 300. Total 10 000, busy 4000.
