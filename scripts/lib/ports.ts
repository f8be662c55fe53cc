/**
 * Free loopback ports for the processes a script starts (brokers, Redis, gateway nodes), so two
 * runs on one machine (a fault harness, a benchmark, the test suite) never reach each other's.
 */
import { createServer } from 'node:net';

/** Whether nothing listens on 127.0.0.1:`port` (it can be bound now). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A port the system chose as free. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The first of `count` consecutive free ports (what `scripts/kafka.sh --base-port` takes: a
 * broker and a controller port per node), from a random start below the ephemeral range the
 * system hands out, so two runs starting at once seldom try the same block.
 */
export async function freePortBlock(count: number, random: () => number = Math.random): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20000 + 2 * Math.floor(random() * 6000);
    let free = true;
    for (let p = base; p < base + count && free; p++) free = await portFree(p);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports found between 20000 and 32000`);
}
