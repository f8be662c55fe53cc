/**
 * What a message costs, as arithmetic: CPU of each process group over the measured window
 * (from /proc/<pid>/stat, threads included), Kafka records written (from the topics' end
 * offsets) and Redis commands (from INFO commandstats), each per message. Pure: texts and
 * numbers in, figures out; reading /proc, Kafka and Redis is cost-probe.ts.
 */

/** The fields of one /proc/<pid>/stat line this benchmark uses. */
export interface ProcStat {
  pid: number;
  /** The command name (field 2), without its parentheses; may itself hold spaces and parentheses. */
  comm: string;
  state: string;
  /** Fields 14 and 15: CPU in user and kernel mode, in clock ticks, every thread of the process. */
  utime: number;
  stime: number;
  /** Field 22: when the process started (clock ticks since boot); tells a reused pid apart. */
  starttime: number;
}

/**
 * Parses a /proc/<pid>/stat line; undefined when it is not one. The command name may contain
 * spaces and parentheses (`123 (node worker (x)) S ...`), so it ends at the last `)`.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // Field 3 onwards: rest[i] is field i + 3.
  const rest = text.slice(close + 1).trim().split(/\s+/);
  const field = (n: number) => Number(rest[n - 3]);
  const utime = field(14);
  const stime = field(15);
  const starttime = field(22);
  if (!Number.isInteger(pid) || pid <= 0 || ![utime, stime, starttime].every(Number.isFinite)) return undefined;
  return { pid, comm: text.slice(open + 1, close), state: rest[0] ?? '?', utime, stime, starttime };
}

/** CPU ticks between two reads of one process; undefined when either is missing or the pid was reused. */
export function ticksBetween(before: ProcStat | undefined, after: ProcStat | undefined): number | undefined {
  if (!before || !after || before.pid !== after.pid || before.starttime !== after.starttime) return undefined;
  return Math.max(0, after.utime + after.stime - (before.utime + before.stime));
}

/**
 * Inodes of the TCP sockets listening on `port`, from the text of /proc/net/tcp or
 * /proc/net/tcp6 (local address hex `ADDR:PORT`, state 0A = LISTEN, inode column 10).
 */
export function listeningInodes(procNetTcp: string, port: number): number[] {
  const out: number[] = [];
  for (const line of procNetTcp.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== '0A') continue;
    const local = f[1] ?? '';
    const hexPort = local.slice(local.lastIndexOf(':') + 1);
    if (Number.parseInt(hexPort, 16) !== port) continue;
    const inode = Number(f[9]);
    if (Number.isInteger(inode) && inode > 0) out.push(inode);
  }
  return out;
}

/** `socket:[12345]` (a /proc/<pid>/fd link) → 12345. */
export function socketInode(link: string): number | undefined {
  const m = /^socket:\[(\d+)\]$/.exec(link);
  return m ? Number(m[1]) : undefined;
}

/** Redis `INFO commandstats` text → calls per command (`get`, `client|setname`, ...). */
export function parseCommandStats(info: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of info.split(/\r?\n/)) {
    const m = /^cmdstat_([^:]+):.*?\bcalls=(\d+)/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** `after - before` per key (keys new in `after` count from 0), without the zeros. */
export function countsDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(after)) {
    const d = n - (before[k] ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}

/** `pid 1234 ... process_id:1234 ...`: the Redis server's pid from `INFO server`. */
export function redisPidOf(infoServer: string): number | undefined {
  const m = /^process_id:(\d+)/m.exec(infoServer);
  return m ? Number(m[1]) : undefined;
}

// --- per message ---------------------------------------------------------------------------

export type CpuGroupName = 'gateway' | 'broker' | 'redis' | 'generator' | 'simulator';
export const CPU_GROUPS: readonly CpuGroupName[] = ['gateway', 'broker', 'redis', 'generator', 'simulator'];

/** One group's CPU ticks over the window, as measured. */
export interface GroupTicks {
  group: CpuGroupName;
  pids: number[];
  /** Summed over the pids; null when a process could not be read at both ends (gone, pid reused, not found). */
  ticks: number | null;
  /** Whether the run's messages pass through it (the bare path has no gateway, broker or Redis). */
  inPath: boolean;
}

export interface GroupCpu {
  group: CpuGroupName;
  pids: number[];
  cpuSec: number | null;
  /** CPU milliseconds per message (delivered, or accepted when there are no receipts). */
  msPerMessage: number | null;
  inPath: boolean;
}

export interface KafkaCost {
  /** End offsets of the run's topics, after minus before (transaction markers included). */
  records: number;
  recordsPerMessage: number | null;
  /** By topic without the run's prefix, most records first. */
  topics: { topic: string; records: number; perMessage: number | null }[];
  /** Internal topics (offset commits, transaction state): the whole broker during the run, not only this gateway. */
  internal: Record<string, number>;
}

export interface RedisCost {
  /** Calls summed over INFO commandstats, after minus before: the whole Redis during the run. */
  commands: number;
  commandsPerMessage: number | null;
  /** By command, most calls first. */
  byCommand: { command: string; calls: number; perMessage: number | null }[];
}

export interface RunCost {
  /** Seconds of the CPU window: from the first generator starting to send to the last one's end of drain. */
  windowSec: number;
  /** What the CPU is divided by: receipts matched, or submits accepted when the run asked for no receipts. */
  messages: number;
  messagesAre: 'delivered' | 'accepted';
  /** What Kafka records and Redis commands are divided by. */
  accepted: number;
  groups: GroupCpu[];
  /** Gateway CPU ÷ (generator + simulator) CPU; null without a gateway in the path. */
  costRatio: number | null;
  /** (gateway + broker + Redis) ÷ (generator + simulator); null without a gateway in the path. */
  costRatioWithInfra: number | null;
  /** ms per message of the generator and the simulator together: the bare SMPP path's own cost. */
  smppMsPerMessage: number | null;
  /** ms per message of every group in the path. */
  pathMsPerMessage: number | null;
  kafka: KafkaCost | null;
  redis: RedisCost | null;
}

export interface CostInputs {
  windowSec: number;
  receiptsExpected: number;
  receiptsMatched: number;
  accepted: number;
  clkTck: number;
  groups: readonly GroupTicks[];
  /** Records per topic (full names) before and after, and the run's topic prefix. */
  kafka?: { prefix: string; before: Record<string, number>; after: Record<string, number>; internalBefore: Record<string, number>; internalAfter: Record<string, number> };
  redis?: { before: Record<string, number>; after: Record<string, number> };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const per = (n: number, messages: number, digits = 3): number | null => (messages > 0 ? round(n / messages, digits) : null);

export function runCostOf(x: CostInputs): RunCost {
  const receipts = x.receiptsExpected > 0;
  const messages = receipts ? x.receiptsMatched : x.accepted;
  const groups: GroupCpu[] = x.groups.map((g) => {
    const cpuSec = g.ticks === null ? null : g.ticks / x.clkTck;
    return {
      group: g.group, pids: [...g.pids], inPath: g.inPath,
      cpuSec: cpuSec === null ? null : round(cpuSec, 2),
      msPerMessage: cpuSec === null ? null : per(cpuSec * 1000, messages),
    };
  });
  const sec = (name: CpuGroupName): number | null => {
    const gs = groups.filter((g) => g.group === name);
    if (gs.length === 0 || gs.some((g) => g.cpuSec === null)) return null;
    return gs.reduce((a, g) => a + g.cpuSec!, 0);
  };
  const sum = (names: CpuGroupName[]): number | null => names.reduce<number | null>((a, n) => (a === null || sec(n) === null ? null : a + sec(n)!), 0);
  const smpp = sum(['generator', 'simulator']);
  const gatewayInPath = groups.some((g) => g.group === 'gateway' && g.inPath);
  const ratio = (num: number | null) => (!gatewayInPath || num === null || smpp === null || smpp <= 0 ? null : round(num / smpp, 3));
  const path = groups.filter((g) => g.inPath);
  const pathSec = path.some((g) => g.cpuSec === null) ? null : path.reduce((a, g) => a + g.cpuSec!, 0);
  return {
    windowSec: round(x.windowSec, 2),
    messages,
    messagesAre: receipts ? 'delivered' : 'accepted',
    accepted: x.accepted,
    groups,
    costRatio: ratio(sec('gateway')),
    costRatioWithInfra: ratio(sum(['gateway', 'broker', 'redis'])),
    smppMsPerMessage: smpp === null ? null : per(smpp * 1000, messages),
    pathMsPerMessage: pathSec === null ? null : per(pathSec * 1000, messages),
    kafka: x.kafka ? kafkaCostOf(x.kafka, x.accepted) : null,
    redis: x.redis ? redisCostOf(x.redis.before, x.redis.after, x.accepted) : null,
  };
}

export function kafkaCostOf(k: NonNullable<CostInputs['kafka']>, accepted: number): KafkaCost {
  const d = countsDelta(k.before, k.after);
  const topics = Object.entries(d)
    .filter(([t]) => t.startsWith(k.prefix))
    .map(([t, n]) => ({ topic: t.slice(k.prefix.length), records: n, perMessage: per(n, accepted) }))
    .sort((a, b) => b.records - a.records || a.topic.localeCompare(b.topic));
  const records = topics.reduce((a, t) => a + t.records, 0);
  return { records, recordsPerMessage: per(records, accepted), topics, internal: countsDelta(k.internalBefore, k.internalAfter) };
}

export function redisCostOf(before: Record<string, number>, after: Record<string, number>, accepted: number): RedisCost {
  const d = countsDelta(before, after);
  const byCommand = Object.entries(d)
    .map(([command, calls]) => ({ command, calls, perMessage: per(calls, accepted) }))
    .sort((a, b) => b.calls - a.calls || a.command.localeCompare(b.command));
  const commands = byCommand.reduce((a, c) => a + c.calls, 0);
  return { commands, commandsPerMessage: per(commands, accepted), byCommand };
}

/**
 * The window's CPU bookkeeping: fixed process groups (gateway nodes, broker, Redis, simulator)
 * read when the first generator starts sending and when the last one has drained; each
 * generator read at its own start and end (it exits right after). `read` is /proc in real use.
 */
export class CpuWindow {
  private readonly fixedStart = new Map<number, ProcStat | undefined>();
  private readonly fixedEnd = new Map<number, ProcStat | undefined>();
  private readonly gen = new Map<number, { start?: ProcStat; end?: ProcStat }>();
  private startedAt: number | undefined;
  private endedAt: number | undefined;
  private open = 0;

  constructor(
    private readonly fixed: readonly { group: CpuGroupName; pids: readonly number[]; inPath: boolean }[],
    private readonly read: (pid: number) => ProcStat | undefined,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** A generator started sending. */
  generatorStarted(pid: number): void {
    if (this.startedAt === undefined) {
      this.startedAt = this.now();
      for (const g of this.fixed) for (const p of g.pids) this.fixedStart.set(p, this.read(p));
    }
    this.open++;
    this.gen.set(pid, { start: this.read(pid) });
  }

  /** A generator finished draining (the fixed groups are read when the last one does). */
  generatorDone(pid: number): void {
    const g = this.gen.get(pid);
    if (!g || g.end) return;
    g.end = this.read(pid);
    if (--this.open === 0) {
      this.endedAt = this.now();
      for (const f of this.fixed) for (const p of f.pids) this.fixedEnd.set(p, this.read(p));
    }
  }

  get complete(): boolean {
    return this.startedAt !== undefined && this.endedAt !== undefined;
  }

  get windowSec(): number {
    return this.startedAt !== undefined && this.endedAt !== undefined ? (this.endedAt - this.startedAt) / 1000 : 0;
  }

  /** Ticks per group; null for a group whose processes could not be read at both ends. */
  ticks(): GroupTicks[] {
    const sumOf = (pids: readonly number[], t: (p: number) => number | undefined): number | null => {
      if (pids.length === 0) return null;
      let s = 0;
      for (const p of pids) {
        const d = t(p);
        if (d === undefined) return null;
        s += d;
      }
      return s;
    };
    const out: GroupTicks[] = this.fixed.map((g) => ({
      group: g.group, pids: [...g.pids], inPath: g.inPath,
      ticks: this.complete ? sumOf(g.pids, (p) => ticksBetween(this.fixedStart.get(p), this.fixedEnd.get(p))) : null,
    }));
    const gpids = [...this.gen.keys()];
    out.push({ group: 'generator', pids: gpids, inPath: true, ticks: this.complete ? sumOf(gpids, (p) => ticksBetween(this.gen.get(p)?.start, this.gen.get(p)?.end)) : null });
    // The report's order, whatever the order of `fixed`.
    return out.sort((a, b) => CPU_GROUPS.indexOf(a.group) - CPU_GROUPS.indexOf(b.group));
  }
}
