/** What the integration specs connect to: the broker and Redis scripts/test.sh made sure of. */
import { randomBytes } from 'node:crypto';
import { validateConfig } from '../../src/config/validate.js';
import type { GatewayConfig } from '../../src/config/types.js';

export const brokers = (process.env.SMSGW_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix no other run shares, so specs never read each other's topics or keys. */
export function uniquePrefix(label: string): string {
  return `t-${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}.`;
}

export function kafkaConfigFor(prefix: string, partitions = 3): GatewayConfig['kafka'] {
  return validateConfig({
    listeners: [{ port: 0 }],
    kafka: { brokers, topicPrefix: prefix, partitions },
    customers: [{ systemId: 'x', password: 'x' }],
    providers: [{ id: 'p', host: '127.0.0.1', port: 1, systemId: 'p', password: 'p' }],
    routes: [{ provider: 'p' }],
  }).kafka;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 20000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
