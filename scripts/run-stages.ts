#!/usr/bin/env node
/**
 * Runs chosen stages on worker threads without the customer edge: a process that only
 * assembles, or only routes, for operators who scale one stage apart from the SMPP listeners
 * (and for the specs, which kill such a process to test a stage's failover).
 *
 *   node dist/scripts/run-stages.js --config config/demo.yaml --stage assembler [--stage router] [--threads 2]
 *
 * A stage is a built-in name (assembler, router, supplier, correlator, delivery) or the path
 * of a module exporting `stage`. Topics are created if missing. Prints one JSON line on stdout
 * when every worker is bound (`{"msg":"stages started",...}`); logs go to stderr. SIGTERM or
 * SIGINT drains and commits, then exits 0. Exit codes as the node's: 78 bad configuration or
 * arguments, 1 start-up failure.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readCommandLine } from '../src/command-line.js';
import { loadConfig } from '../src/config/load.js';
import type { GatewayConfig } from '../src/config/types.js';
import { ConfigError, UnavailableError, errorMessage } from '../src/errors.js';
import { createKafka } from '../src/kafka/client.js';
import { ensureTopics } from '../src/kafka/topics.js';
import { createLogger } from '../src/log.js';
import { StagePool } from '../src/host/threads/stage-pool.js';
import { stopOnSignals } from '../src/shutdown.js';

const BUILT_IN = ['assembler', 'router', 'supplier', 'correlator', 'delivery'];

const USAGE = `usage: run-stages --config <file> --stage <name|module path> [--stage ...] [--threads n]
  built-in stages: ${BUILT_IN.join(', ')}
  env: SMSGW_KAFKA_BROKERS, REDIS_URL, SMSGW_NODE_ID, SMSGW_LOG_LEVEL, SMSGW_THREADS
`;

function stageUrl(name: string): string {
  if (BUILT_IN.includes(name)) return new URL(`../src/actors/${name}/stage.js`, import.meta.url).href;
  if (name.endsWith('.js')) return pathToFileURL(resolve(name)).href;
  throw new ConfigError('--stage', `must be one of ${BUILT_IN.join(', ')} or a .js module path`, name);
}

async function main(): Promise<void> {
  const { values } = readCommandLine(process.argv.slice(2), USAGE, {
    options: {
      config: { type: 'string', short: 'c' },
      stage: { type: 'string', short: 's', multiple: true },
      threads: { type: 'string', short: 't' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  let config: GatewayConfig;
  let stages: string[];
  let threads: number;
  try {
    if (!values.config) throw new ConfigError('--config', 'is required');
    if (!values.stage?.length) throw new ConfigError('--stage', 'name at least one stage');
    config = await loadConfig(values.config, process.env);
    stages = values.stage.map(stageUrl);
    threads = values.threads === undefined ? config.threads : Number(values.threads);
    if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new ConfigError('--threads', 'must be an integer from 1 to 64', values.threads);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`configuration error: ${err.message}\n${USAGE}`);
      process.exit(78);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel, base: { node: config.nodeId, process: 'run-stages' } });
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: errorMessage(reason) }));

  let pool: StagePool;
  try {
    const kafka = createKafka(config.kafka, `${config.kafka.clientId}-${config.nodeId}-setup`, logger);
    await ensureTopics(kafka, config.kafka, logger);
    pool = new StagePool({
      threads, nodeId: config.nodeId, config, stages, logger,
      // No customer sessions live here: a delivery stage run this way leaves each receipt for a
      // node that holds the customer's bind.
      deliver: async (record) => {
        throw new UnavailableError('CUSTOMER_NOT_BOUND', `no customer sessions in a stage-only process (customer ${record.customer})`);
      },
    });
    pool.on('givenUp', (index, error) => logger.error('a stage worker keeps dying', { worker: index, error: error.message }));
    await pool.start();
  } catch (err) {
    logger.error('start-up failed', { error: errorMessage(err), code: (err as { code?: string }).code });
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify({ msg: 'stages started', node: config.nodeId, pid: process.pid, threads, stages: values.stage })}\n`);

  stopOnSignals({ logger, timeoutMs: config.shutdownTimeoutMs, stop: () => pool.stop() });
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${errorMessage(err)}\n`);
  process.exit(1);
});
