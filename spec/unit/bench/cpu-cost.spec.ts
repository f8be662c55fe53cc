import { strict as assert } from 'node:assert';
import {
  countsDelta, CpuWindow, kafkaCostOf, listeningInodes, parseCommandStats, parseProcStat, redisCostOf, redisPidOf, runCostOf, socketInode, ticksBetween,
  type GroupTicks, type ProcStat,
} from '../../../scripts/bench/cpu-cost.js';

/** A /proc/<pid>/stat line as Linux writes it (52 fields), with utime, stime and starttime set. */
function statLine(pid: number, comm: string, utime: number, stime: number, starttime = 5000): string {
  const f = Array.from({ length: 52 }, () => '0');
  f[0] = String(pid);
  f[1] = `(${comm})`;
  f[2] = 'S';
  f[13] = String(utime);
  f[14] = String(stime);
  f[21] = String(starttime);
  return `${f.join(' ')}\n`;
}

describe('bench: cost per message, /proc and counters', () => {
  it('reads utime, stime and starttime from a /proc stat line, whatever the command name holds', () => {
    const real = '5345 (java) S 1 5345 5345 0 -1 4194304 159077 0 478 0 12440 4020 0 0 20 0 100 0 17410 32053952512 145934 18446744073709551615 94120560181248';
    assert.deepEqual(parseProcStat(real), { pid: 5345, comm: 'java', state: 'S', utime: 12440, stime: 4020, starttime: 17410 });
    // Spaces and parentheses in comm: the name ends at the last ')'.
    const odd = parseProcStat(statLine(123, 'node worker (x)', 250, 40));
    assert.deepEqual(odd, { pid: 123, comm: 'node worker (x)', state: 'S', utime: 250, stime: 40, starttime: 5000 });
    assert.equal(parseProcStat(statLine(7, ') S 1 2 3 (', 9, 1))?.utime, 9);
    assert.equal(parseProcStat('garbage'), undefined);
    assert.equal(parseProcStat('12 (x) S 1 2'), undefined, 'too short');
  });

  it('takes ticks between two reads of the same process only', () => {
    const a = parseProcStat(statLine(10, 'node', 100, 20))!;
    const b = parseProcStat(statLine(10, 'node', 180, 25))!;
    assert.equal(ticksBetween(a, b), 85);
    assert.equal(ticksBetween(a, undefined), undefined, 'gone at the end');
    assert.equal(ticksBetween(a, { ...b, starttime: 9999 }), undefined, 'the pid was reused');
    assert.equal(ticksBetween(a, { ...b, pid: 11 }), undefined);
  });

  it('finds the listening socket of a port in /proc/net/tcp and the socket of an fd link', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:2384 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 86142 1 0000 100 0 0 10 0',
      '   1: 0100007F:2384 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 86150 1 0000 20 4 30 10 -1',
      '   2: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 6832 1 0000 100 0 0 10 0',
    ].join('\n');
    assert.deepEqual(listeningInodes(tcp, 9092), [86142], 'only the listening one, not the established connection');
    assert.deepEqual(listeningInodes(tcp, 6379), [6832]);
    assert.deepEqual(listeningInodes(tcp, 1), []);
    const tcp6 = '  sl  local_address ...\n   0: 00000000000000000000000001000000:2384 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1';
    assert.deepEqual(listeningInodes(tcp6, 9092), [777]);
    assert.equal(socketInode('socket:[86142]'), 86142);
    assert.equal(socketInode('pipe:[5]'), undefined);
  });

  it('sums Redis INFO commandstats and tells its pid', () => {
    const info = '# Commandstats\r\ncmdstat_get:calls=10,usec=5,usec_per_call=0.5,rejected_calls=0,failed_calls=0\r\n'
      + 'cmdstat_client|setname:calls=2,usec=1,usec_per_call=0.5\r\ncmdstat_evalsha:calls=7,usec=70\r\n';
    assert.deepEqual(parseCommandStats(info), { get: 10, 'client|setname': 2, evalsha: 7 });
    assert.deepEqual(countsDelta({ get: 10, set: 3 }, { get: 25, set: 3, del: 4 }), { get: 15, del: 4 });
    assert.equal(redisPidOf('# Server\r\nredis_version:7.0.15\r\nprocess_id:2221\r\n'), 2221);
    assert.equal(redisPidOf('nothing'), undefined);
  });

  it('gives Kafka records and Redis commands per accepted message, by topic and by command', () => {
    const k = kafkaCostOf({
      prefix: 'bench-x.',
      before: { 'bench-x.messages': 100, 'bench-x.events': 500 },
      after: { 'bench-x.messages': 1100, 'bench-x.events': 5500, 'bench-x.receipts': 1000, 'other.topic': 50 },
      internalBefore: { __consumer_offsets: 10 }, internalAfter: { __consumer_offsets: 30 },
    }, 1000);
    assert.equal(k.records, 7000);
    assert.equal(k.recordsPerMessage, 7);
    assert.deepEqual(k.topics.map((t) => [t.topic, t.records, t.perMessage]), [['events', 5000, 5], ['messages', 1000, 1], ['receipts', 1000, 1]]);
    assert.deepEqual(k.internal, { __consumer_offsets: 20 });
    const r = redisCostOf({ get: 5 }, { get: 2005, evalsha: 3000, info: 1 }, 1000);
    assert.equal(r.commands, 5001);
    assert.equal(r.commandsPerMessage, 5.001);
    assert.deepEqual(r.byCommand.map((c) => c.command), ['evalsha', 'get', 'info']);
    assert.equal(redisCostOf({}, {}, 0).commandsPerMessage, null, 'nothing accepted: no figure');
  });
});

describe('bench: cost per message, arithmetic', () => {
  const groups = (inPath: boolean, over: Partial<Record<GroupTicks['group'], number | null>> = {}): GroupTicks[] => [
    { group: 'gateway', pids: [1], ticks: 4910, inPath },
    { group: 'broker', pids: [2], ticks: 2410, inPath },
    { group: 'redis', pids: [3], ticks: 570, inPath },
    { group: 'generator', pids: [4], ticks: 570, inPath: true },
    { group: 'simulator', pids: [5], ticks: 520, inPath: true },
  ].map((g) => (g.group in over ? { ...g, ticks: over[g.group as GroupTicks['group']]! } : g)) as GroupTicks[];

  it('divides CPU by delivered messages and gives the gateway as a multiple of the generator and simulator', () => {
    const c = runCostOf({ windowSec: 31.24, receiptsExpected: 23_263, receiptsMatched: 23_263, accepted: 23_263, clkTck: 100, groups: groups(true) });
    assert.equal(c.messagesAre, 'delivered');
    assert.equal(c.messages, 23_263);
    assert.deepEqual(c.groups.map((g) => g.cpuSec), [49.1, 24.1, 5.7, 5.7, 5.2]);
    assert.equal(c.groups[0]!.msPerMessage, 2.111);
    assert.equal(c.groups[1]!.msPerMessage, 1.036);
    assert.equal(c.costRatio, 4.505, '49.1 / (5.7 + 5.2)');
    assert.equal(c.costRatioWithInfra, Math.round(((49.1 + 24.1 + 5.7) / 10.9) * 1000) / 1000);
    assert.equal(c.smppMsPerMessage, Math.round((10.9 * 1000 / 23_263) * 1000) / 1000);
    assert.equal(c.pathMsPerMessage, Math.round((89.8 * 1000 / 23_263) * 1000) / 1000);
    assert.equal(c.windowSec, 31.24);
    assert.equal(c.kafka, null);
    assert.equal(c.redis, null);
  });

  it('on the bare path has no gateway ratio, and counts only the generator and simulator in the path', () => {
    const c = runCostOf({ windowSec: 20, receiptsExpected: 1000, receiptsMatched: 1000, accepted: 1000, clkTck: 100, groups: groups(false, { gateway: 30, broker: 200, redis: 10 }) });
    assert.equal(c.costRatio, null);
    assert.equal(c.costRatioWithInfra, null);
    assert.equal(c.smppMsPerMessage, 10.9);
    assert.equal(c.pathMsPerMessage, 10.9, 'the idle gateway, broker and Redis are beside the path');
    assert.equal(c.groups[0]!.msPerMessage, 0.3, 'still measured: what the idle node spent meanwhile');
  });

  it('divides by accepted messages when the run asked for no receipts, and leaves out what it could not read', () => {
    const c = runCostOf({ windowSec: 10, receiptsExpected: 0, receiptsMatched: 0, accepted: 500, clkTck: 100, groups: groups(true, { broker: null }) });
    assert.equal(c.messagesAre, 'accepted');
    assert.equal(c.messages, 500);
    assert.equal(c.groups[1]!.cpuSec, null);
    assert.equal(c.groups[1]!.msPerMessage, null);
    assert.equal(c.costRatio, 4.505);
    assert.equal(c.costRatioWithInfra, null, 'the broker is unknown');
    assert.equal(c.pathMsPerMessage, null);
    const none = runCostOf({ windowSec: 10, receiptsExpected: 5, receiptsMatched: 0, accepted: 5, clkTck: 100, groups: groups(true, { generator: 0, simulator: 0 }) });
    assert.equal(none.costRatio, null, 'no CPU on the SMPP side: no ratio');
    assert.equal(none.groups[0]!.msPerMessage, null, 'no message delivered: no figure');
  });

  it('reads the fixed groups at the first start and the last end, each generator at its own', () => {
    const ticks: Record<number, number> = { 1: 100, 2: 1000, 3: 50, 11: 0, 12: 0 };
    let clock = 0;
    const read = (pid: number): ProcStat | undefined => (pid in ticks ? { pid, comm: 'x', state: 'S', utime: ticks[pid]!, stime: 0, starttime: 1 } : undefined);
    const w = new CpuWindow([
      { group: 'simulator', pids: [3], inPath: true },
      { group: 'gateway', pids: [1], inPath: true },
      { group: 'broker', pids: [2], inPath: true },
    ], read, () => clock);
    w.generatorStarted(11);
    clock = 500;
    ticks[1] = 150; // the gateway works between the two starts: counted
    w.generatorStarted(12);
    clock = 20_000;
    ticks[11] = 300; ticks[12] = 250; ticks[1] = 4000; ticks[2] = 3000; ticks[3] = 400;
    w.generatorDone(11);
    assert.equal(w.complete, false, 'one generator still drains');
    ticks[12] = 260; ticks[1] = 4100; ticks[11] = 999; // generator 11 is done: its later ticks do not count
    clock = 21_000;
    w.generatorDone(12);
    w.generatorDone(12);
    assert.equal(w.complete, true);
    assert.equal(w.windowSec, 21);
    assert.deepEqual(w.ticks().map((g) => [g.group, g.ticks]), [['gateway', 4000], ['broker', 2000], ['generator', 560], ['simulator', 350]]);
    delete ticks[2];
    const gone = new CpuWindow([{ group: 'broker', pids: [2], inPath: true }], read);
    gone.generatorStarted(11);
    gone.generatorDone(11);
    assert.equal(gone.ticks()[0]!.ticks, null, 'a process that cannot be read has no figure');
    const never = new CpuWindow([{ group: 'gateway', pids: [1], inPath: true }], read);
    assert.deepEqual(never.ticks().map((g) => g.ticks), [null, null], 'no marks: no figures');
  });
});
