/**
 * Kafka and Redis for a benchmark: reused when they answer (the environment names them, or
 * the local ones of scripts/kafka.sh and scripts/redis.sh run), started through those same
 * scripts otherwise, and stopped at the end only when this run started them. The run's own
 * topics and keys (one unique prefix) are deleted at the end.
 */
import { execFile } from 'node:child_process';
import { Redis } from 'ioredis';
import { kafkajs } from '../../src/kafka/kafkajs.js';
const { Kafka, logLevel } = kafkajs;

export interface InfraState {
  brokers: string[];
  redisUrl: string;
  startedKafka: boolean;
  startedRedis: boolean;
}

function sh(root: string, script: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile('bash', [script, ...args], { cwd: root, env, maxBuffer: 10 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`bash ${script} ${args.join(' ')} failed: ${stderr.trim().split('\n').slice(-5).join('\n') || err.message}`));
      else resolve({ stdout, stderr });
    });
  });
}

export async function ensureInfra(root: string, env: { kafkaBrokers?: string; redisUrl?: string }, processEnv: NodeJS.ProcessEnv, log: (s: string) => void): Promise<InfraState> {
  let brokers: string[];
  let startedKafka = false;
  if (env.kafkaBrokers) {
    brokers = env.kafkaBrokers.split(',').map((b) => b.trim()).filter(Boolean);
    log(`kafka: using ${brokers.join(',')} (SMSGW_KAFKA_BROKERS)`);
  } else {
    const r = await sh(root, 'scripts/kafka.sh', ['start'], processEnv);
    startedKafka = /starting \(pid/.test(r.stderr);
    brokers = (r.stdout.trim().split('\n').pop() ?? '127.0.0.1:9092').split(',');
    log(`kafka: ${startedKafka ? 'started' : 'reusing'} ${brokers.join(',')}`);
  }
  const redisUrl = env.redisUrl ?? 'redis://127.0.0.1:6379';
  const r = await sh(root, 'scripts/redis.sh', ['ensure'], { ...processEnv, REDIS_URL: redisUrl });
  const startedRedis = /started at/.test(r.stderr);
  log(`redis: ${startedRedis ? 'started' : 'reusing'} ${redisUrl}`);
  return { brokers, redisUrl, startedKafka, startedRedis };
}

export async function releaseInfra(root: string, s: InfraState, processEnv: NodeJS.ProcessEnv, log: (s: string) => void): Promise<void> {
  if (s.startedKafka) {
    log('kafka: stopping the broker this run started');
    await sh(root, 'scripts/kafka.sh', ['stop'], processEnv).catch((e: unknown) => log(String(e)));
  }
  if (s.startedRedis) {
    log('redis: stopping the server this run started');
    await sh(root, 'scripts/redis.sh', ['stop'], { ...processEnv, REDIS_URL: s.redisUrl }).catch((e: unknown) => log(String(e)));
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
