/**
 * A gateway node for the fuzz CLI: `node dist/src/main.js` in its own process on the running
 * Kafka and Redis (SMSGW_KAFKA_BROKERS, REDIS_URL), fresh topic and key prefixes, three
 * customers (fuzz, other, steady), and an unreachable provider (the fuzz is about the edge).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FuzzNode {
  proc: ChildProcess;
  port: number;
  prefix: string;
  /** Resident set size in octets, from /proc (Linux). */
  rss(): number | undefined;
  stop(): Promise<number | null>;
}

export async function startFuzzNode(inactivityTimeoutMs: number): Promise<FuzzNode> {
  const brokers = (process.env.SMSGW_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const prefix = `fuzz-${Date.now().toString(36)}.`;
  const dir = mkdtempSync(join(tmpdir(), 'smsgw-fuzz-'));
  const configPath = join(dir, 'gateway.json');
  writeFileSync(configPath, JSON.stringify({
    node: { id: `fuzz-${process.pid}`, logLevel: 'error' },
    listeners: [{ host: '127.0.0.1', port: 0 }],
    session: { enquireLinkIntervalMs: 0, inactivityTimeoutMs, bindFailures: { free: 1_000_000 } },
    kafka: { brokers, topicPrefix: prefix, partitions: 3 },
    redis: { keyPrefix: prefix },
    customers: [
      { systemId: 'fuzz', password: 'fuzzpw', maxBinds: 20, rate: 500, burst: 200 },
      { systemId: 'other', password: 'otherpw' },
      { systemId: 'steady', password: 'steadypw' },
    ],
    providers: [{ id: 'none', host: '127.0.0.1', port: 9, systemId: 'x', password: 'x' }],
    routes: [{ provider: 'none' }],
  }));
  // The start-up line is logged at info; everything after that only at error.
  const proc = spawn(process.execPath, ['dist/src/main.js', '--config', configPath], {
    env: { ...process.env, SMSGW_LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let tail = '';
  const port = await new Promise<number>((resolve, reject) => {
    proc.stderr!.on('data', (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-20000);
      const m = /"gateway node started".*?"port":(\d+)/.exec(tail);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${tail.slice(-2000)}`)));
  });
  const exited = new Promise<number | null>((resolve) => {
    if (proc.exitCode !== null) resolve(proc.exitCode);
    else proc.once('exit', (code) => resolve(code));
  });
  return {
    proc, port, prefix,
    rss: () => {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
        return m ? Number(m[1]) * 1024 : undefined;
      } catch {
        return undefined;
      }
    },
    stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}
