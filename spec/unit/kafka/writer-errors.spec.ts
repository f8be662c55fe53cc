import { strict as assert } from 'node:assert';
import { isFatalToProducer } from '../../../src/kafka/writer.js';

describe('DurableWriter: which failures need a new producer', () => {
  it('sequence and producer-id errors do, however kafkajs wraps them', () => {
    const oos = Object.assign(new Error('The broker received an out of order sequence number'), { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    assert.equal(isFatalToProducer(oos), true);
    assert.equal(isFatalToProducer(Object.assign(new Error('retries exhausted'), { cause: oos })), true);
    assert.equal(isFatalToProducer(Object.assign(new Error('x'), { originalError: { type: 'UNKNOWN_PRODUCER_ID' } })), true);
  });

  it('ordinary failures (a broker away, a timeout) do not', () => {
    assert.equal(isFatalToProducer(Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' })), false);
    assert.equal(isFatalToProducer(Object.assign(new Error('not leader'), { type: 'NOT_LEADER_FOR_PARTITION' })), false);
    assert.equal(isFatalToProducer(undefined), false);
  });
});
