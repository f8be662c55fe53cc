#!/usr/bin/env node
/**
 * `node dist/src/main.js --config config/demo.yaml`: starts one gateway node. Reads the
 * environment once, here. Exit codes: 0 clean stop, 78 bad configuration, 1 start-up failure,
 * 2 usage.
 */
import { readCommandLine } from './command-line.js';
import { unwatchFile, watchFile } from 'node:fs';
import { loadConfig } from './config/load.js';
import { ConfigError, errorMessage } from './errors.js';
import { createLogger } from './log.js';
import { startNode, type GatewayNode } from './node.js';
import { stopOnSignals } from './shutdown.js';

const USAGE = `usage: node dist/src/main.js [--config <file.yaml|file.json>]
  starts one gateway node (default config: $SMSGW_CONFIG, else config/demo.yaml)
  env: SMSGW_CONFIG, SMSGW_KAFKA_BROKERS, REDIS_URL, SMSGW_NODE_ID, SMSGW_LOG_LEVEL, SMSGW_THREADS
  exit 0 clean stop, 1 start-up failure, 2 usage, 78 bad configuration`;

async function main(): Promise<void> {
  const { values } = readCommandLine(process.argv.slice(2), USAGE, {
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
  });
  const path = values.config ?? process.env.SMSGW_CONFIG ?? 'config/demo.yaml';
  let config;
  try {
    // Routes may name customers and providers of the live directory: checked once it is read.
    config = await loadConfig(path, process.env, { references: 'directory' });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`configuration error in ${path}: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel, base: { node: config.nodeId } });
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { error: errorMessage(reason) }));
  process.on('uncaughtException', (err) => logger.error('uncaught exception', { error: errorMessage(err), stack: err.stack }));

  let node: GatewayNode;
  try {
    // Every reload (file change, SIGHUP, reload-routes) reads the same file with the environment as it was at start-up.
    const env = { ...process.env };
    node = await startNode(config, logger, { reloadConfig: () => loadConfig(path, env, { references: 'directory' }) });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`configuration error in ${path}: ${err.message}\n`);
      process.exit(78);
    }
    logger.error('start-up failed', { error: errorMessage(err), code: (err as { code?: string }).code });
    process.exit(1);
  }
  // Routes, customers and providers follow the file (and SIGHUP) without a restart.
  const reload = (why: string) => {
    logger.info('configuration reload requested', { why, path });
    node.reload(why).catch((err: unknown) => logger.error('configuration reload failed', { error: errorMessage(err) }));
  };
  watchFile(path, { interval: 500 }, (now, before) => {
    if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) reload('file changed');
  });
  process.on('SIGHUP', () => reload('SIGHUP'));

  stopOnSignals({ logger, timeoutMs: config.shutdownTimeoutMs, stop: () => node.stop(), beforeStop: () => unwatchFile(path) });
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${errorMessage(err)}\n`);
  process.exit(1);
});
