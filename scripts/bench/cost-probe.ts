/**
 * Reads what cpu-cost.ts does the arithmetic on: /proc/<pid>/stat of each process, the pids of
 * the Kafka broker(s) and Redis (from their listening sockets, Redis's INFO server, or the pid
 * files of scripts/kafka.sh), the end offsets of the run's topics, and Redis's INFO commandstats.
 * Linux only; anything it cannot read becomes a missing figure, never a failed benchmark.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Admin } from 'kafkajs';
import { kafkajs } from '../../src/kafka/kafkajs.js';
import { listeningInodes, parseCommandStats, parseProcStat, redisPidOf, socketInode, type ProcStat } from './cpu-cost.js';
const { Kafka, logLevel } = kafkajs;

export function readProcStat(pid: number): ProcStat | undefined {
  if (!(pid > 0)) return undefined;
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`, nearly always 100). */
export function clockTicksPerSec(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

const LOCAL = /^(127\.|localhost$|::1$|\[::1\]$|0\.0\.0\.0$)/;

function hostPort(addr: string, defaultPort: number): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(addr.trim());
  return m ? { host: m[1]!, port: Number(m[2]) } : { host: addr.trim(), port: defaultPort };
}

/** Pids of the processes with a socket listening on `port` (this machine, readable fds only). */
export function pidsListeningOn(port: number): number[] {
  const inodes = new Set<number>();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const i of listeningInodes(readFileSync(f, 'utf8'), port)) inodes.add(i);
    } catch { /* no IPv6, or not Linux */ }
  }
  if (inodes.size === 0) return [];
  const pids: number[] = [];
  let procs: string[];
  try {
    procs = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  for (const p of procs) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${p}/fd`);
    } catch {
      continue; // gone, or another user's
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${p}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = socketInode(link);
      if (inode !== undefined && inodes.has(inode)) {
        pids.push(Number(p));
        break;
      }
    }
  }
  return pids;
}

/** The pid file scripts/kafka.sh writes for the broker on `port`, if it is one of its ports. */
function kafkaShPid(port: number, env: NodeJS.ProcessEnv): number | undefined {
  const cache = env.SMSGW_CACHE_DIR ?? join(homedir(), '.cache', 'smsgw');
  const file = port === 9092 ? join(cache, 'kafka-data', 'single', 'node1', 'kafka.pid')
    : port >= 19092 && port <= 19096 && (port - 19092) % 2 === 0 ? join(cache, 'kafka-data', 'trio', `node${(port - 19092) / 2 + 1}`, 'kafka.pid')
      : undefined;
  if (!file) return undefined;
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return readProcStat(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The broker processes on this machine: by listening port, else by scripts/kafka.sh's pid file. */
export function brokerPids(brokers: readonly string[], env: NodeJS.ProcessEnv): number[] {
  const pids = new Set<number>();
  for (const b of brokers) {
    const { host, port } = hostPort(b, 9092);
    if (!LOCAL.test(host)) continue;
    const found = pidsListeningOn(port);
    const pid = found.length ? found : [kafkaShPid(port, env)].filter((p): p is number => p !== undefined);
    for (const p of pid) pids.add(p);
  }
  return [...pids];
}

export interface ProbeSnapshot {
  /** End offset sums per topic of the run (full names). */
  topics: Record<string, number>;
  /** The same for the broker's internal topics. */
  internal: Record<string, number>;
  /** Calls per command, INFO commandstats. */
  commands: Record<string, number>;
  kafkaOk: boolean;
  redisOk: boolean;
}

const INTERNAL_TOPICS = ['__consumer_offsets', '__transaction_state'];

/** One admin client and one Redis connection for the whole benchmark. */
export class CostProbe {
  private readonly admin: Admin;
  private readonly redis: Redis;
  private connected = false;

  constructor(private readonly brokers: readonly string[], private readonly redisUrl: string, private readonly prefix: string) {
    this.admin = new Kafka({ clientId: 'smsgw-bench-cost', brokers: [...brokers], logLevel: logLevel.NOTHING }).admin();
    this.redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  }

  async connect(): Promise<void> {
    await this.admin.connect();
    await this.redis.connect();
    this.connected = true;
  }

  /** Redis's pid when it runs on this machine: INFO server's process_id, checked against /proc, else its listening port. */
  async redisPids(): Promise<number[]> {
    const { host, port } = hostPort(new URL(this.redisUrl).host || '127.0.0.1:6379', 6379);
    if (!LOCAL.test(host)) return [];
    try {
      const pid = redisPidOf(await this.redis.info('server'));
      const st = pid === undefined ? undefined : readProcStat(pid);
      if (st && /redis/i.test(st.comm)) return [pid!];
    } catch { /* fall through */ }
    return pidsListeningOn(port);
  }

  async snapshot(): Promise<ProbeSnapshot> {
    const ends = async (topics: string[]): Promise<Record<string, number>> => {
      const out: Record<string, number> = {};
      await Promise.all(topics.map(async (t) => {
        const parts = await this.admin.fetchTopicOffsets(t);
        out[t] = parts.reduce((a, p) => a + Number(p.high), 0);
      }));
      return out;
    };
    let topics: Record<string, number> = {};
    let internal: Record<string, number> = {};
    let kafkaOk = false;
    try {
      const all = await this.admin.listTopics();
      topics = await ends(all.filter((t) => t.startsWith(this.prefix)));
      internal = await ends(all.filter((t) => INTERNAL_TOPICS.includes(t))).catch(() => ({}));
      kafkaOk = true;
    } catch { /* no figure */ }
    let commands: Record<string, number> = {};
    let redisOk = false;
    try {
      commands = parseCommandStats(await this.redis.info('commandstats'));
      redisOk = true;
    } catch { /* no figure */ }
    return { topics, internal, commands, kafkaOk, redisOk };
  }

  async close(): Promise<void> {
    if (this.connected) await this.admin.disconnect().catch(() => undefined);
    this.redis.disconnect();
  }
}
