/**
 * Live mode: redraws every view in place (cursor home, clear) every interval, until q, Ctrl-C
 * or --count refreshes. Without a terminal (piped), each refresh is printed after the last.
 */
import type { Redis } from 'ioredis';
import { Exit } from './errors.js';
import type { CliOptions } from './options.js';

const CLEAR = '\x1b[H\x1b[2J';

export async function runTop(o: CliOptions, _redis: Redis, render: () => Promise<string>): Promise<number> {
  const tty = Boolean(process.stdout.isTTY);
  let stop = false;
  let wake: (() => void) | undefined;
  const quit = () => {
    stop = true;
    wake?.();
  };
  process.once('SIGINT', quit);
  if (process.stdin.isTTY) {
    process.stdin.setRawMode(true);
    process.stdin.resume();
    process.stdin.on('data', (b: Buffer) => {
      if (b[0] === 0x71 /* q */ || b[0] === 0x03 /* Ctrl-C */) quit();
    });
  }
  try {
    for (let n = 1; !stop; n++) {
      const body = await render();
      const header = `smsgw top — ${new Date().toISOString()} — every ${o.intervalMs} ms${tty ? ', q to quit' : ''}`;
      process.stdout.write(`${tty ? CLEAR : n > 1 ? '\n' : ''}${header}\n\n${body}\n`);
      if (o.count !== null && n >= o.count) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, o.intervalMs);
      });
    }
  } finally {
    if (process.stdin.isTTY) {
      process.stdin.setRawMode(false);
      process.stdin.pause();
    }
  }
  return Exit.OK;
}
