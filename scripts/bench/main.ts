/**
 * The whole benchmark in one command: see BENCH_HELP in options.ts, or run with --help.
 *
 *   node dist/scripts/bench/main.js --scenario steady --duration 20
 *   npm run bench -- --scenario throttled
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError, errorMessage } from '../../src/errors.js';
import { runBench } from './orchestrator.js';
import { BENCH_HELP, parseBenchArgs, type BenchOptions } from './options.js';

export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2, setup: 3, interrupted: 130 });

/** The repository root: dist/scripts/bench/main.js is three folders down. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export async function main(argv: string[]): Promise<number> {
  let options: BenchOptions;
  if (argv.length === 0) {
    // A benchmark takes minutes and starts brokers: it runs only when asked for by name.
    process.stderr.write(`bench: name a scenario\n\n${BENCH_HELP}`);
    return EXIT.usage;
  }
  try {
    const parsed = parseBenchArgs(argv);
    if (parsed.help) {
      process.stdout.write(BENCH_HELP);
      return EXIT.ok;
    }
    options = parsed.options;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`bench: ${err.message}\n\n${BENCH_HELP}`);
    return EXIT.usage;
  }

  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) return;
    process.stderr.write(`\nbench: ${signal}: stopping what was started...\n`);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const { markdown, dir, report } = await runBench(options, {
      kafkaBrokers: process.env.SMSGW_KAFKA_BROKERS,
      redisUrl: process.env.REDIS_URL,
      processEnv: process.env,
      log: (line) => process.stderr.write(`${line}\n`),
      signal: abort.signal,
      root: ROOT,
    });
    process.stdout.write(`\n${markdown}\nreports: ${dir}/index.html (summary.md, bench.json, one JSON/HTML per run)\n`);
    return report.verdict.ok ? EXIT.ok : EXIT.failed;
  } catch (err) {
    if (abort.signal.aborted) return EXIT.interrupted;
    process.stderr.write(`bench failed: ${errorMessage(err)}\n`);
    return EXIT.setup;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      process.stderr.write(`bench failed: ${errorMessage(err)}\n`);
      process.exitCode = 1;
    },
  );
}
