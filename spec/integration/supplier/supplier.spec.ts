import { strict as assert } from 'node:assert';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import type { Esme } from '../../../scripts/lib/esme-client.js';
import { Status } from '../../../src/smpp/status.js';
import { Redis } from 'ioredis';
import { brokers, redisUrl, uniquePrefix, waitFor } from '../../support/env.js';
import { redisKeys } from '../../../src/redis/keys.js';
import { concatInfoOf } from '../../../src/smpp/udh.js';
import { createKafka } from '../../../src/kafka/client.js';
import { DurableWriter, type OutRecord } from '../../../src/kafka/writer.js';
import { topicNames } from '../../../src/kafka/topics.js';
import { silentLogger } from '../../../src/log.js';
import { startGateway, type RunningGateway } from '../../support/gateway-process.js';
import { bindCustomer, outboundConfig, receiptsFor, routedRecord, submitMany, textOf } from './support.js';

describe('supplier: a provider throttling with ESME_RTHROTTLED', function () {
  this.timeout(120000);
  const prefix = uniquePrefix('throttle');
  const RATE = 50;
  const N = 400;
  let sim: ProviderSimulator;
  let gw: RunningGateway;
  let esme: Esme;

  before(async () => {
    // Refuses anything over the contracted rate, and now and then a submit within it.
    sim = await startProviderSimulator({ systemId: 'gw', password: 'gwpass', receiptDelayMs: 20, behaviour: 'throttling', maxSubmitsPerSecond: RATE, throttleEvery: 97 });
    gw = await startGateway(outboundConfig(prefix, [{ id: 'p', port: sim.address.port, rate: RATE, window: 10 }], [{ provider: 'p' }]));
    await waitFor('provider bind', () => sim.boundSessions > 0);
    esme = await bindCustomer(gw.port);
  });
  after(async () => {
    esme?.close();
    await gw?.stop();
    await sim?.close();
  });

  it('ends with every message delivered once and the send rate over the steady part within 10% of the configured rate', async () => {
    const sent = await submitMany(esme, 'rate', N);
    const stats = await receiptsFor(esme, sent, 90000);
    assert.deepEqual(sent.filter((s) => stats.get(s.id) !== 'DELIVRD'), []);
    const texts = sim.submitted.map((s) => textOf(s.pdu));
    assert.equal(texts.length, N, 'each message accepted exactly once');
    assert.equal(new Set(texts).size, N);
    assert.ok(sim.counters.throttled >= 4, `the provider throttled (${sim.counters.throttled} times)`);
    assert.equal(sim.counters.submits, N + sim.counters.throttled, 'nothing sent but the messages and their throttled retries');

    // The steady part: the middle 80% of the accepted submits, by the time the provider took them.
    const at = sim.submitted.map((s) => s.at.getTime()).sort((a, b) => a - b);
    const from = Math.floor(N * 0.1);
    const to = Math.ceil(N * 0.9) - 1;
    const rate = ((to - from) * 1000) / (at[to]! - at[from]!);
    assert.ok(Math.abs(rate - RATE) <= RATE * 0.1, `measured ${rate.toFixed(1)}/s against ${RATE}/s`);
  });
});

describe('supplier: refusals, silence and dropped connections', function () {
  this.timeout(120000);
  const prefix = uniquePrefix('supplier');
  let sim: ProviderSimulator;
  let gw: RunningGateway;
  let esme: Esme;

  before(async () => {
    sim = await startProviderSimulator({ systemId: 'gw', password: 'gwpass', receiptDelayMs: 20 });
    gw = await startGateway(outboundConfig(prefix, [{
      id: 'p', port: sim.address.port, window: 5, maxAttempts: 3, retryDelayMs: 50, responseTimeoutMs: 400,
    }], [{ provider: 'p' }]));
    await waitFor('provider bind', () => sim.boundSessions > 0);
    esme = await bindCustomer(gw.port);
  });
  after(async () => {
    esme?.close();
    await gw?.stop();
    await sim?.close();
  });
  afterEach(() => sim.setBehaviour('happy'));

  it('a permanent refusal becomes a REJECTD receipt carrying the status', async () => {
    sim.setBehaviour('rejecting', { rejectStatus: Status.ESME_RINVDSTADR });
    const sent = await submitMany(esme, 'rejected', 3);
    const stats = await receiptsFor(esme, sent);
    assert.deepEqual(sent.map((s) => stats.get(s.id)), ['REJECTD', 'REJECTD', 'REJECTD']);
    const dlr = esme.delivers.find((d) => d.receiptedMessageId === sent[0]!.id)!;
    assert.match(dlr.text, /err:011/);
    assert.equal(sim.counters.rejected, 3, 'never retried');
  });

  it('temporary refusals are retried until accepted', async () => {
    sim.setBehaviour('rejecting', { rejectStatus: Status.ESME_RSYSERR, rejectEvery: 2 });
    const before = sim.submitted.length;
    // One at a time: each message's first send or its retry is the refused one, never both.
    const sent = [];
    for (let i = 0; i < 6; i++) {
      const [one] = await submitMany(esme, `temporary${i}`, 1);
      await receiptsFor(esme, [one!]);
      sent.push(one!);
    }
    const stats = await receiptsFor(esme, sent);
    assert.ok(sim.counters.rejected >= 3, `refused ${sim.counters.rejected} times`);
    assert.deepEqual(sent.filter((s) => stats.get(s.id) !== 'DELIVRD'), []);
    assert.deepEqual(sim.submitted.slice(before).map((s) => textOf(s.pdu)).sort(), sent.map((s) => s.text).sort());
  });

  it('a provider that never answers: each submit times out, is retried up to maxAttempts, then an UNDELIV receipt', async () => {
    sim.setBehaviour('never-answering');
    const ignoredBefore = sim.counters.ignored;
    const sent = await submitMany(esme, 'silent', 2);
    const stats = await receiptsFor(esme, sent);
    assert.deepEqual(sent.map((s) => stats.get(s.id)), ['UNDELIV', 'UNDELIV']);
    assert.equal(sim.counters.ignored - ignoredBefore, 2 * 3, 'three sends of each');
  });

  it('a connection dropped with submits in flight: they are sent again after the rebind and every message arrives', async () => {
    sim.setBehaviour('dropping', { dropAfterSubmits: 4 });
    const before = sim.submitted.length;
    const sent = await submitMany(esme, 'dropped', 12);
    const stats = await receiptsFor(esme, sent);
    assert.deepEqual(sent.filter((s) => stats.get(s.id) !== 'DELIVRD'), []);
    assert.ok(sim.counters.drops >= 2, `connections dropped: ${sim.counters.drops}`);
    const texts = sim.submitted.slice(before).map((s) => textOf(s.pdu));
    for (const s of sent) assert.ok(texts.includes(s.text), `${s.text} reached the provider`);
    // The submit taken when the connection dropped is sent again: the provider holds it twice.
    assert.ok(texts.length > sent.length, 'duplicates towards the provider, as documented');
  });

  it('a slow provider: submits wait for their answers within the window and all arrive', async () => {
    sim.setBehaviour('slow', { responseDelayMs: 200 });
    const sent = await submitMany(esme, 'slow', 10);
    const stats = await receiptsFor(esme, sent);
    assert.deepEqual(sent.filter((s) => stats.get(s.id) !== 'DELIVRD'), []);
  });
});

describe('supplier: a routed record handed over again', function () {
  this.timeout(120000);
  const prefix = uniquePrefix('resend');
  let sim: ProviderSimulator;
  let gw: RunningGateway;

  before(async () => {
    sim = await startProviderSimulator({ systemId: 'gw', password: 'gwpass', receiptDelayMs: 20 });
    gw = await startGateway(outboundConfig(prefix, [{ id: 'p', port: sim.address.port }], [{ provider: 'p' }]));
    await waitFor('provider bind', () => sim.boundSessions > 0);
  });
  after(async () => {
    await gw?.stop();
    await sim?.close();
  });

  it('is not sent to the provider again once the provider took it (as after a crash or a lost offset commit)', async () => {
    const kafka = createKafka({ brokers }, 'spec-resend', silentLogger);
    const writer = new DurableWriter(kafka, { maxPending: 100, maxBatch: 100, logger: silentLogger });
    await writer.start();
    const topic = topicNames(prefix).providerOutgoing;
    const routed = (id: string, to: string): OutRecord => routedRecord(topic, id, to);
    try {
      await writer.append(routed('01aaaaaaaaaaaaaaaaaaaa01', '447700900001'));
      await waitFor('the first copy sent', () => sim.submitted.length >= 1);
      // The same record again, then another message: the second must go, the copy must not.
      await writer.append([routed('01aaaaaaaaaaaaaaaaaaaa01', '447700900001'), routed('01aaaaaaaaaaaaaaaaaaaa02', '447700900002')]);
      await waitFor('the next message sent', () => sim.submitted.some((s) => s.pdu.destination_addr === '447700900002'));
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(sim.submitted.map((s) => s.pdu.destination_addr), ['447700900001', '447700900002']);
    } finally {
      await writer.stop();
    }
  });

  it('a message whose earlier send was abandoned after its first part goes on from the second (a partition that moved)', async () => {
    const kafka = createKafka({ brokers }, 'spec-resend-partial', silentLogger);
    const writer = new DurableWriter(kafka, { maxPending: 100, maxBatch: 100, logger: silentLogger });
    const redis = new Redis(redisUrl);
    await writer.start();
    const id = '01aaaaaaaaaaaaaaaaaaaa05';
    const before = sim.submitted.length;
    try {
      // What the earlier owner left when its send was abandoned: the provider took part 1 of 2.
      await redis.set(redisKeys(prefix).sent('p', id), JSON.stringify({ partial: { providerMessageIds: ['taken-1'], parts: 2 }, at: Date.now() }));
      await writer.append(routedRecord(topicNames(prefix).providerOutgoing, id, '447700900005', 'x'.repeat(200)));
      await waitFor('the second part at the provider', () => sim.submitted.length > before);
      await new Promise((r) => setTimeout(r, 1000));
      const parts = sim.submitted.slice(before).map((s) => concatInfoOf(s.pdu));
      assert.deepEqual(parts.map((c) => c && [c.seq, c.total]), [[2, 2]]);
      const settled = JSON.parse((await redis.get(redisKeys(prefix).sent('p', id)))!) as { providerMessageIds: string[] };
      assert.equal(settled.providerMessageIds.length, 2);
      assert.equal(settled.providerMessageIds[0], 'taken-1');
    } finally {
      redis.disconnect();
      await writer.stop();
    }
  });

  it('copies handed over while the first is still being sent wait for it and are not sent (as after a consumer restart)', async () => {
    const kafka = createKafka({ brokers }, 'spec-resend-busy', silentLogger);
    const writer = new DurableWriter(kafka, { maxPending: 100, maxBatch: 100, logger: silentLogger });
    await writer.start();
    const topic = topicNames(prefix).providerOutgoing;
    const before = sim.submitted.length;
    sim.setBehaviour('slow', { responseDelayMs: 1500 });
    try {
      const copy = routedRecord(topic, '01aaaaaaaaaaaaaaaaaaaa03', '447700900003');
      // Read in one batch, the copies are handled side by side with the first while the
      // provider takes its time to answer it.
      await writer.append([copy, copy, copy]);
      await writer.append(routedRecord(topic, '01aaaaaaaaaaaaaaaaaaaa04', '447700900004'));
      await waitFor('the next message sent', () => sim.submitted.some((s) => s.pdu.destination_addr === '447700900004'), 20000);
      await new Promise((r) => setTimeout(r, 2000));
      assert.deepEqual(sim.submitted.slice(before).map((s) => s.pdu.destination_addr), ['447700900003', '447700900004']);
    } finally {
      sim.setBehaviour('happy');
      await writer.stop();
    }
  });
});

/** A record of provider-outgoing-messages for provider p, as the router writes it. */
describe('supplier: validity period and schedule', function () {
  this.timeout(120000);
  const prefix = uniquePrefix('validity');
  let sim: ProviderSimulator;
  let gw: RunningGateway;
  let esme: Esme;
  const stat = (id: string) => {
    const d = esme.delivers.find((x) => x.receiptedMessageId === id);
    return d ? /stat:(\w+)/.exec(d.text)?.[1] : undefined;
  };

  before(async () => {
    sim = await startProviderSimulator({ systemId: 'gw', password: 'gwpass', receiptDelayMs: 20 });
    gw = await startGateway(outboundConfig(prefix, [{ id: 'p', port: sim.address.port, maxRetryAgeMs: 600000 }], [{ provider: 'p' }]));
    await waitFor('provider bind', () => sim.boundSessions > 0);
    esme = await bindCustomer(gw.port);
  });
  after(async () => {
    esme?.close();
    await gw?.stop();
    await sim?.close();
  });

  it('the provider gets the customer\'s schedule and validity as absolute UTC times', async () => {
    const before = Date.now();
    // Relative: due in 1 minute, valid for 2 hours, from the moment the gateway accepted it.
    const r = await esme.submit('447700900901', 'timed', { schedule_delivery_time: '000000000100000R', validity_period: '000000020000000R' });
    assert.equal(r.command_status, Status.ESME_ROK);
    const got = await waitFor('the submit at the provider', () => sim.submitted.find((s) => textOf(s.pdu) === 'timed'), 30000);
    const at = (t: string | undefined) => {
      const m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)000\+$/.exec(t ?? '');
      assert.ok(m, `an absolute UTC time: ${t}`);
      return Date.UTC(2000 + Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
    };
    const schedule = at(got.pdu.schedule_delivery_time);
    const validity = at(got.pdu.validity_period);
    assert.ok(schedule >= before + 60000 - 1000 && schedule <= Date.now() + 60000, `schedule ${new Date(schedule).toISOString()}`);
    assert.ok(validity >= before + 7200000 - 1000 && validity <= Date.now() + 7200000, `validity ${new Date(validity).toISOString()}`);
    assert.equal(await waitFor('its receipt', () => stat(r.message_id!), 30000), 'DELIVRD');
  });

  it('a message whose validity passes while its provider is down is never sent: its receipt says EXPIRED', async () => {
    await sim.close();
    // brief first: a stage consumer fetches a partition's next batch only once every record of
    // the last one finished, so a brief message fetched after a lasting one alone would wait
    // behind it (an hour) before its own expiry could be seen.
    const brief = await esme.submit('447700900903', 'brief', { validity_period: '000000000003000R' });
    const lasting = await esme.submit('447700900902', 'lasting', { validity_period: '000000010000000R' });
    assert.equal(brief.command_status, Status.ESME_ROK);
    assert.equal(await waitFor('the EXPIRED receipt', () => stat(brief.message_id!), 30000), 'EXPIRED');
    const dlr = esme.delivers.find((x) => x.receiptedMessageId === brief.message_id)!;
    assert.equal(dlr.messageState, 3, 'message_state EXPIRED');
    assert.equal(stat(lasting.message_id!), undefined, 'a message still valid waits for the provider');
    assert.ok(!sim.submitted.some((s) => textOf(s.pdu) === 'brief'));
  });
});
