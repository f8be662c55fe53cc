/**
 * Kafka and Redis for a benchmark. By default the run starts its own: a one-broker cluster on
 * free ports with a data folder of its own (scripts/kafka.sh --name --base-port) and a
 * redis-server on a free port, both removed at the end, so a benchmark beside the test suite or
 * a fault harness neither disturbs their data nor counts their Redis commands as its own. When
 * the environment names a cluster (SMSGW_KAFKA_BROKERS) or a Redis (REDIS_URL), that one is
 * used and left running. The run's own topics and keys (one unique prefix) are deleted at the end.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { kafkajs } from '../../src/kafka/kafkajs.js';
import { freePort, freePortBlock } from '../lib/ports.js';
import { redisServerArgs, waitForRedis } from '../lib/redis-server.js';
const { Kafka, logLevel } = kafkajs;

export interface InfraState {
  brokers: string[];
  redisUrl: string;
  /** scripts/kafka.sh's arguments naming the cluster this run started; null: one it was given. */
  ownKafka: string[] | null;
  /** The redis-server this run started; null: one it was given. */
  ownRedis: ChildProcess | null;
}

function sh(root: string, script: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile('bash', [script, ...args], { cwd: root, env, maxBuffer: 10 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`bash ${script} ${args.join(' ')} failed: ${stderr.trim().split('\n').slice(-5).join('\n') || err.message}`));
      else resolve({ stdout, stderr });
    });
  });
}

async function startOwnRedis(log: (s: string) => void): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn('redis-server', redisServerArgs(port), { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) => {
    proc.once('error', (err) => reject(new Error(`redis-server could not start: ${err.message} (scripts/redis.sh ensure installs it)`)));
    proc.once('exit', (code) => reject(new Error(`redis-server exited at start (code ${code})`)));
  });
  failed.catch(() => undefined);
  const url = `redis://127.0.0.1:${port}`;
  try {
    await waitForRedis(url, 10_000, failed);
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
  log(`redis: started its own at ${url}`);
  return { url, proc };
}

export async function ensureInfra(root: string, env: { kafkaBrokers?: string; redisUrl?: string }, processEnv: NodeJS.ProcessEnv, log: (s: string) => void): Promise<InfraState> {
  let brokers: string[];
  let ownKafka: string[] | null = null;
  if (env.kafkaBrokers) {
    brokers = env.kafkaBrokers.split(',').map((b) => b.trim()).filter(Boolean);
    log(`kafka: using ${brokers.join(',')} (SMSGW_KAFKA_BROKERS)`);
  } else {
    ownKafka = ['--name', `bench-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`, '--base-port', String(await freePortBlock(2))];
    const r = await sh(root, 'scripts/kafka.sh', ['start', ...ownKafka], processEnv);
    brokers = r.stdout.trim().split('\n').pop()!.split(',');
    log(`kafka: started a broker of its own at ${brokers.join(',')} (${ownKafka.join(' ')})`);
  }
  if (env.redisUrl) {
    log(`redis: using ${env.redisUrl} (REDIS_URL)`);
    return { brokers, redisUrl: env.redisUrl, ownKafka, ownRedis: null };
  }
  try {
    const redis = await startOwnRedis(log);
    return { brokers, redisUrl: redis.url, ownKafka, ownRedis: redis.proc };
  } catch (err) {
    if (ownKafka) await sh(root, 'scripts/kafka.sh', ['wipe', ...ownKafka], processEnv).catch(() => undefined);
    throw err;
  }
}

export async function releaseInfra(root: string, s: InfraState, processEnv: NodeJS.ProcessEnv, log: (s: string) => void): Promise<void> {
  if (s.ownKafka) {
    log('kafka: stopping the broker this run started and deleting its data');
    await sh(root, 'scripts/kafka.sh', ['wipe', ...s.ownKafka], processEnv).catch((e: unknown) => log(String(e)));
  }
  const proc = s.ownRedis;
  if (proc && proc.exitCode === null && proc.signalCode === null) {
    log('redis: stopping the server this run started');
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  }
}

/** Deletes the topics and Redis keys that start with the run's prefix; returns how many. */
export async function deleteRunData(s: InfraState, prefix: string): Promise<{ topics: number; keys: number }> {
  const kafka = new Kafka({ clientId: 'smsgw-bench-cleanup', brokers: s.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  let topics: string[] = [];
  try {
    await admin.connect();
    topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const redis = new Redis(s.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  let keys = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (batch.length) keys += await redis.del(...batch);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return { topics: topics.length, keys };
}
