/**
 * A redis-server of a run's own (a benchmark, the fault harness, a spec that restarts Redis
 * empty): how it is started, and waiting until it answers. Nothing is kept on disk, as with the
 * gateway's shared Redis.
 */
import { Redis } from 'ioredis';

/** redis-server's arguments for a throw-away server on 127.0.0.1:`port`. */
export function redisServerArgs(port: number): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
}

/**
 * Resolves once the Redis at `url` answers PING; rejects after `timeoutMs`, or as soon as
 * `failed` rejects (the server exited at start).
 */
export async function waitForRedis(url: string, timeoutMs = 10_000, failed?: Promise<never>): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const answer = probe.connect().then(() => probe.ping(), () => 'no');
      if ((await (failed ? Promise.race([failed, answer]) : answer)) === 'PONG') return;
      probe.disconnect();
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${url} in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    probe.disconnect();
  }
}
