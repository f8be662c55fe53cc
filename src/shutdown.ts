/**
 * The stop on SIGTERM/SIGINT shared by the processes the project runs (a gateway node, a
 * stage runner): one graceful stop, bounded by a timeout, then exit 0 (or 1 when it failed or
 * took too long). A second signal during the stop is ignored.
 */
import { errorMessage } from './errors.js';
import type { Logger } from './log.js';

export function stopOnSignals(o: { logger: Logger; timeoutMs: number; stop: () => Promise<void>; beforeStop?: () => void }): void {
  let signalled = false;
  const onSignal = (signal: string) => {
    if (signalled) return;
    signalled = true;
    o.beforeStop?.();
    o.logger.info('signal received', { signal });
    const timer = setTimeout(() => {
      o.logger.error('shutdown took too long; exiting', { timeoutMs: o.timeoutMs });
      process.exit(1);
    }, o.timeoutMs);
    timer.unref();
    o.stop().then(() => process.exit(0), (err: unknown) => {
      o.logger.error('shutdown failed', { error: errorMessage(err) });
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}
