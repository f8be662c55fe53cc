/**
 * The child processes one benchmark starts (simulator, gateway nodes, load generators): each
 * one's output goes to a log file in the results folder, its lines can be watched (a readiness
 * line, a final counters line), and every one still running is stopped at the end, whatever
 * happened: SIGTERM, then SIGKILL after a grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { GatewayError } from '../../src/errors.js';

export class ChildFailedError extends GatewayError {
  constructor(readonly child: string, message: string) {
    super('BENCH_CHILD_FAILED', `${child}: ${message}`);
  }
}

export interface SpawnOptions {
  /** Both stdout and stderr, unless `stdoutFile` takes stdout. */
  logFile: string;
  stdoutFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Each stderr line, as it comes (e.g. progress lines to forward). */
  onStderrLine?: (line: string) => void;
}

export class Child {
  readonly exited: Promise<number | null>;
  private readonly watchers = new Set<(line: string) => void>();
  private readonly log: WriteStream;
  private readonly tail: string[] = [];

  constructor(readonly name: string, readonly proc: ChildProcess, o: SpawnOptions) {
    this.log = createWriteStream(o.logFile, { flags: 'a' });
    const out = o.stdoutFile ? createWriteStream(o.stdoutFile, { flags: 'a' }) : this.log;
    let partial = '';
    proc.stdout!.pipe(out, { end: false });
    proc.stderr!.on('data', (chunk: Buffer) => {
      this.log.write(chunk);
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line) continue;
        this.tail.push(line);
        if (this.tail.length > 30) this.tail.shift();
        o.onStderrLine?.(line);
        for (const w of this.watchers) w(line);
      }
    });
    this.exited = new Promise((resolve) => {
      proc.once('error', () => resolve(null));
      proc.once('close', (code) => {
        if (out !== this.log) out.end();
        this.log.end();
        resolve(code);
      });
    });
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  /** The last stderr lines, for error messages. */
  lastLines(): string {
    return this.tail.join('\n');
  }

  /** Calls `fn` with every stderr line from now on; returns the unsubscribe. */
  watch(fn: (line: string) => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  /**
   * The first JSON log line (on stderr) whose `msg` is `msg`, parsed; rejects when the process
   * exits first or after `timeoutMs`.
   */
  waitForLog<T extends Record<string, unknown>>(msg: string, timeoutMs: number): Promise<T> {
    const needle = `"msg":${JSON.stringify(msg)}`;
    return new Promise<T>((resolve, reject) => {
      const done = (f: () => void) => {
        clearTimeout(timer);
        unwatch();
        f();
      };
      const unwatch = this.watch((line) => {
        if (!line.includes(needle)) return;
        try {
          const rec = JSON.parse(line) as T;
          done(() => resolve(rec));
        } catch { /* not a log record after all */ }
      });
      const timer = setTimeout(() => done(() => reject(new ChildFailedError(this.name, `no "${msg}" within ${timeoutMs} ms:\n${this.lastLines()}`))), timeoutMs);
      void this.exited.then((code) => done(() => reject(new ChildFailedError(this.name, `exited with ${code} before "${msg}":\n${this.lastLines()}`))));
    });
  }

  /** SIGTERM, then SIGKILL when still running after `graceMs`; resolves with the exit code. */
  async stop(graceMs: number): Promise<number | null> {
    if (!this.running) return this.exited;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => { if (this.running) this.proc.kill('SIGKILL'); }, graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

export class Children {
  private readonly all: Child[] = [];

  spawn(name: string, args: string[], o: SpawnOptions): Child {
    return this.spawnCommand(name, process.execPath, args, o);
  }

  /** Another program than node (e.g. a redis-server of the run's own). */
  spawnCommand(name: string, command: string, args: string[], o: SpawnOptions): Child {
    const proc = spawn(command, args, { env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const child = new Child(name, proc, o);
    this.all.push(child);
    return child;
  }

  get running(): Child[] {
    return this.all.filter((c) => c.running);
  }

  /** Stops every child still running, the latest started first. */
  async stopAll(graceMs: number): Promise<void> {
    for (const c of [...this.all].reverse()) if (c.running) await c.stop(graceMs);
  }

  /** Last resort when this process exits: no waiting possible. */
  killAllNow(): void {
    for (const c of this.all) if (c.running) c.proc.kill('SIGKILL');
  }
}
