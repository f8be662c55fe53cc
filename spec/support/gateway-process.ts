/**
 * Runs a gateway node the way users do (`node dist/src/main.js --config <file>`) as a child
 * process, with a configuration written for the spec.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokers, redisUrl } from './env.js';

export interface RunningGateway {
  proc: ChildProcess;
  port: number;
  /** The admin HTTP listener's port, when the configuration has one. */
  adminPort: number | null;
  /** The customer HTTP API's port, when the configuration has one. */
  httpPort: number | null;
  logs: string[];
  /** SIGTERM and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export function writeConfig(config: unknown, ext = 'json'): string {
  const dir = mkdtempSync(join(tmpdir(), 'smsgw-spec-'));
  const path = join(dir, `gateway.${ext}`);
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return path;
}

export function runNode(configPath: string, env: Record<string, string> = {}): { proc: ChildProcess; logs: string[]; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, ['dist/src/main.js', '--config', configPath], {
    env: { ...process.env, SMSGW_KAFKA_BROKERS: brokers.join(','), REDIS_URL: redisUrl, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const collect = (chunk: Buffer) => logs.push(...chunk.toString().split('\n').filter(Boolean));
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, logs, exited };
}

export async function startGateway(config: unknown, timeoutMs = 40000, env: Record<string, string> = {}): Promise<RunningGateway> {
  return startGatewayFile(writeConfig(config), timeoutMs, env);
}

/** Starts a node on a configuration file the spec keeps (to change it while the node runs). */
export async function startGatewayFile(configPath: string, timeoutMs = 40000, env: Record<string, string> = {}): Promise<RunningGateway> {
  const { proc, logs, exited } = runNode(configPath, env);
  const { port, adminPort, httpPort } = await new Promise<{ port: number; adminPort: number | null; httpPort: number | null }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start in ${timeoutMs} ms:\n${logs.slice(-20).join('\n')}`)), timeoutMs);
    const check = () => {
      for (const line of logs) {
        if (!line.includes('"gateway node started"')) continue;
        const rec = JSON.parse(line) as { listeners: { port: number }[]; admin?: { port: number } | null; http?: { port: number } | null };
        clearTimeout(timer);
        resolve({ port: rec.listeners[0]!.port, adminPort: rec.admin?.port ?? null, httpPort: rec.http?.port ?? null });
        return;
      }
      if (proc.exitCode !== null) {
        clearTimeout(timer);
        reject(new Error(`gateway exited with ${proc.exitCode}:\n${logs.slice(-20).join('\n')}`));
        return;
      }
      setTimeout(check, 50);
    };
    check();
  });
  return {
    proc, port, adminPort, httpPort, logs, exited,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
  };
}
