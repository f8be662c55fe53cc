import { strict as assert } from 'node:assert';
import { GatewayMetrics } from '../../../src/metrics/gateway-metrics.js';
import { nodeExposition } from '../../../src/metrics/aggregate.js';
import { newMessageId } from '../../../src/domain/ids.js';
import type { OutboxRecord } from '../../../src/domain/records.js';
import type { StageStats } from '../../../src/host/threads/protocol.js';
import { samples, total } from '../../support/prometheus-text.js';

const stats = (stage: string, handled: number, lag: Record<number, number>): StageStats => ({
  stage, groupId: 'g', assignment: Object.keys(lag).map(Number), handled, failures: 0, deadLettered: 1, actorDeaths: 0, lastError: null, lag,
});

describe('GatewayMetrics', () => {
  it('counts submits by customer and status name, and parts only of accepted ones', async () => {
    const m = new GatewayMetrics();
    m.submitAnswered('acme', 0, 0.004, 2);
    m.submitAnswered('acme', 0, 0.006, 1);
    m.submitAnswered('acme', 0x58, 0.001, 0);
    const text = await m.registry.metrics();
    assert.equal(total(text, 'smsgw_submits_total', { customer: 'acme', status: 'ESME_ROK' }), 2);
    assert.equal(total(text, 'smsgw_submits_total', { customer: 'acme', status: 'ESME_RTHROTTLED' }), 1);
    assert.equal(total(text, 'smsgw_parts_accepted_total', { customer: 'acme' }), 3);
    assert.equal(total(text, 'smsgw_submit_response_seconds_bucket', { status: 'ESME_ROK', le: '0.005' }), 1);
  });

  it('measures a receipt from the time its message id was made', async () => {
    const m = new GatewayMetrics();
    const now = Date.now();
    const receipt = { kind: 'receipt', customer: 'acme', messageId: newMessageId(now - 3000), stat: 'DELIVRD' } as OutboxRecord;
    m.delivered(receipt, now);
    m.delivered({ kind: 'mo', customer: 'acme' } as OutboxRecord, now);
    const text = await m.registry.metrics();
    assert.equal(total(text, 'smsgw_submit_to_receipt_seconds_sum', { stat: 'DELIVRD' }), 3);
    assert.equal(total(text, 'smsgw_deliveries_total', { kind: 'mo' }), 1);
  });

  it('shows a bind in one state at a time, and not at all once stopped here', async () => {
    const m = new GatewayMetrics();
    m.bindState('p', 'down');
    m.bindState('p', 'bound');
    let text = await m.registry.metrics();
    assert.deepEqual(samples(text, 'smsgw_provider_bind_state', { provider: 'p' }).filter((s) => s.value === 1).map((s) => s.labels.state), ['bound']);
    m.bindState('p', null);
    text = await m.registry.metrics();
    assert.equal(samples(text, 'smsgw_provider_bind_state').length, 0);
  });

  it('keeps retry reasons few: every temporary status is one reason', async () => {
    const m = new GatewayMetrics();
    m.providerRetry('p', 'status 0x14');
    m.providerRetry('p', 'status 0x8');
    m.providerRetry('p', 'no answer');
    const text = await m.registry.metrics();
    assert.deepEqual(samples(text, 'smsgw_provider_retries_total').map((s) => [s.labels.reason, s.value]), [['status', 2], ['no_answer', 1]]);
  });

  it('adds the threads of a node into one series each', async () => {
    const main = new GatewayMetrics();
    main.submitAnswered('acme', 0, 0.01, 1);
    const w1 = new GatewayMetrics();
    w1.observeStages(() => [stats('supplier', 5, { 0: 2 })]);
    w1.providerAnswered('p', 0, 0.002);
    const w2 = new GatewayMetrics();
    w2.observeStages(() => [stats('supplier', 7, { 1: 3, 2: 1 })]);
    w2.providerAnswered('p', 0, 0.003);
    const { text } = await nodeExposition(main.registry, [await w1.registry.getMetricsAsJSON(), await w2.registry.getMetricsAsJSON()]);
    assert.deepEqual(samples(text, 'smsgw_stage_records_total').map((s) => s.value), [12]);
    assert.deepEqual(samples(text, 'smsgw_dead_letters_total').map((s) => s.value), [2]);
    assert.deepEqual(samples(text, 'smsgw_consumer_lag_records').map((s) => s.value), [6]);
    assert.equal(total(text, 'smsgw_provider_submits_total', { provider: 'p' }), 2);
    assert.equal(total(text, 'smsgw_submits_total'), 1);
  });
});
