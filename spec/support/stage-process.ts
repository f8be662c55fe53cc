/**
 * Runs `scripts/run-stages.ts` as a child process (as an operator would), so a spec can kill
 * a stage host with a real SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { brokers, redisUrl } from './env.js';

export interface StageProcess {
  proc: ChildProcess;
  logs: string[];
  /** Resolves once every worker has bound its stages. */
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function runStages(configPath: string, nodeId: string, stages: string[], threads = 1, timeoutMs = 60000): StageProcess {
  const args = ['dist/scripts/run-stages.js', '--config', configPath, '--threads', String(threads), ...stages.flatMap((s) => ['--stage', s])];
  const proc = spawn(process.execPath, args, {
    env: { ...process.env, SMSGW_KAFKA_BROKERS: brokers.join(','), REDIS_URL: redisUrl, SMSGW_NODE_ID: nodeId },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${nodeId} did not start in ${timeoutMs} ms:\n${logs.slice(-20).join('\n')}`)), timeoutMs);
    proc.stdout!.on('data', (chunk: Buffer) => {
      const lines = chunk.toString().split('\n').filter(Boolean);
      logs.push(...lines);
      if (lines.some((l) => l.includes('"stages started"'))) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${nodeId} exited (${code ?? signal}) before it started:\n${logs.slice(-20).join('\n')}`));
    });
  });
  ready.catch(() => undefined);
  proc.stderr!.on('data', (chunk: Buffer) => logs.push(...chunk.toString().split('\n').filter(Boolean)));
  return { proc, logs, ready, exited };
}
