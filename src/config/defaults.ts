/**
 * Where a gateway looks for Kafka and Redis and how it names its keys and topics when its
 * configuration says nothing. The CLI starts from the same values, so `smsgw nodes` after
 * `npm start` finds the node without flags.
 */
export const DEFAULT_BROKERS: readonly string[] = ['127.0.0.1:9092'];
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_KEY_PREFIX = 'smsgw:';
export const DEFAULT_TOPIC_PREFIX = 'smsgw.';
