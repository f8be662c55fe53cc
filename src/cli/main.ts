#!/usr/bin/env node
/**
 * `smsgw`: the operator's CLI. Runs anywhere that reaches the gateway's Redis and Kafka:
 * views read what the nodes publish, actions travel over the Redis control channel.
 * Exit codes: src/cli/errors.ts (Exit).
 */
import type { Redis } from 'ioredis';
import { errorMessage } from '../errors.js';
import { allViews, runAction, runDeadLetters, runTrace, runView, type Output } from './commands.js';
import { connectRedisOnce } from './connections.js';
import { CliError, Exit } from './errors.js';
import { commandHelp, generalHelp } from './help.js';
import { parseOptions, type CliOptions } from './options.js';
import { runTop } from './top.js';
import { runDirectory } from './directory.js';

const VIEWS = new Set(['nodes', 'actors', 'sessions', 'providers', 'lag', 'outbox']);

async function main(): Promise<number> {
  let o: CliOptions;
  try {
    o = parseOptions(process.argv.slice(2), process.env);
  } catch (err) {
    const code = fail(err);
    // A usage error is followed by the usage, as every script of the project does.
    if (code === Exit.USAGE) process.stderr.write(generalHelp());
    return code;
  }
  if (o.help || o.command === null) {
    process.stdout.write(o.command ? commandHelp(o.command) : generalHelp());
    return o.command === null && !o.help ? Exit.USAGE : Exit.OK;
  }
  let redis: Redis | undefined;
  try {
    redis = await connectRedisOnce(o.redis);
    if (o.command === 'top') return await runTop(o, redis, () => allViews(o, redis!));
    let out: Output;
    if (VIEWS.has(o.command)) out = await runView(o.command, o, redis);
    else if (o.command === 'trace') out = await runTrace(o, redis);
    else if (o.command === 'dead-letters') out = await runDeadLetters(o, redis);
    else if (o.command === 'customer' || o.command === 'provider') out = await runDirectory(o, redis);
    else out = await runAction(o, redis);
    const text = o.json ? JSON.stringify(out.view.data, null, 2) : out.view.text;
    (out.exitCode === Exit.OK ? process.stdout : process.stderr).write(`${text}\n`);
    return out.exitCode;
  } catch (err) {
    return fail(err);
  } finally {
    redis?.disconnect();
  }
}

function fail(err: unknown): number {
  const code = err instanceof CliError ? err.exitCode : 1;
  process.stderr.write(`smsgw: ${errorMessage(err)}\n`);
  return code;
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`smsgw: ${errorMessage(err)}\n`);
  process.exit(1);
});
