/**
 * The SMPP load generator's command line: see HELP in options.ts, or run with --help.
 *
 *   node dist/scripts/loadgen/main.js --port 2775 --rate 500 --duration 30 --json out.json --html out.html
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ConfigError, errorMessage } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { NoBindError, runLoadgen, type ProgressSnapshot } from './generator.js';
import { HELP, parseLoadgenArgs, type LoadgenOptions } from './options.js';
import { renderHtml } from './report-html.js';
import { progressLine, renderText } from './report.js';

export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2, noBind: 3 });

/** The `msg` of the --mark-phases lines. */
export const PHASE_MARK = 'loadgen phase';

function progressWriter(o: LoadgenOptions): { onProgress?: (p: ProgressSnapshot) => void; intervalMs: number; end: () => void } {
  const out = process.stderr;
  if (o.progress === 'off') return { intervalMs: 1000, end: () => undefined };
  if (o.progress === 'tty') {
    let wrote = false;
    return {
      intervalMs: 1000,
      onProgress: (p) => {
        out.write(`\r${progressLine(p.elapsedMs, p.live, p.sentPerSec, p.receiptsPerSec, p.phase)}\x1b[K`);
        wrote = true;
      },
      end: () => { if (wrote) out.write('\n'); },
    };
  }
  return {
    intervalMs: o.progressEverySec * 1000,
    onProgress: (p) => out.write(`${progressLine(p.elapsedMs, p.live, p.sentPerSec, p.receiptsPerSec, p.phase)}\n`),
    end: () => undefined,
  };
}

export async function main(argv: string[]): Promise<number> {
  let options: LoadgenOptions;
  try {
    const parsed = parseLoadgenArgs(argv, { isTTY: Boolean(process.stderr.isTTY) });
    if (parsed.help) {
      process.stdout.write(HELP);
      return EXIT.ok;
    }
    options = parsed.options;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`loadgen: ${err.message}\n\n${HELP}`);
    return EXIT.usage;
  }

  const progress = progressWriter(options);
  const logger = createLogger({ level: options.logLevel, base: { component: 'loadgen' } });
  let report;
  try {
    const onPhase = options.markPhases
      ? (phase: 'send' | 'done') => { process.stderr.write(`${JSON.stringify({ msg: PHASE_MARK, phase, pid: process.pid })}\n`); }
      : undefined;
    report = await runLoadgen(options, { logger, onProgress: progress.onProgress, progressIntervalMs: progress.intervalMs, onPhase });
  } catch (err) {
    progress.end();
    if (err instanceof NoBindError) {
      process.stderr.write(`loadgen: ${err.message}\n`);
      return EXIT.noBind;
    }
    throw err;
  }
  progress.end();
  if (options.json) writeFileSync(options.json, JSON.stringify(report, null, 2) + '\n');
  if (options.html) writeFileSync(options.html, renderHtml(report));
  if (options.printSummary) process.stdout.write(renderText(report));
  return report.verdict.ok ? EXIT.ok : EXIT.failed;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      process.stderr.write(`loadgen failed: ${errorMessage(err)}\n`);
      process.exitCode = 1;
    },
  );
}
