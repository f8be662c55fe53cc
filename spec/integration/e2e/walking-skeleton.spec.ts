import { strict as assert } from 'node:assert';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import { createKafka } from '../../../src/kafka/client.js';
import { silentLogger } from '../../../src/log.js';
import { decodeRecord, type OutgoingRecord } from '../../../src/domain/records.js';
import { kafkaConfigFor, uniquePrefix, waitFor, brokers } from '../../support/env.js';
import { Esme } from '../../../scripts/lib/esme-client.js';
import { runNode, startGateway, writeConfig, type RunningGateway } from '../../support/gateway-process.js';

const ESME_ROK = 0x00;
const ESME_RINVBNDSTS = 0x04;
const ESME_RINVPASWD = 0x0e;
const ESME_RINVSYSID = 0x0f;

function gatewayConfig(prefix: string, providerPort: number) {
  return {
    node: { id: `spec-${prefix.slice(0, -1).replace(/[^A-Za-z0-9_.-]/g, '')}`, shutdownTimeoutMs: 20000 },
    listeners: [{ name: 'smpp', host: '127.0.0.1', port: 0 }],
    session: { enquireLinkIntervalMs: 0 },
    kafka: { brokers, topicPrefix: prefix, partitions: 3 },
    redis: { keyPrefix: prefix },
    customers: [{ systemId: 'acme', password: 'acmepw', bindTypes: ['transmitter', 'receiver', 'transceiver'] }],
    providers: [{ id: 'sim', host: '127.0.0.1', port: providerPort, systemId: 'gw', password: 'gwpass', rate: 500, window: 20 }],
    routes: [{ provider: 'sim' }],
    delivery: { retryIntervalMs: 200 },
  };
}

describe('walking skeleton: one message end to end through real Kafka, Redis and SMPP', function () {
  this.timeout(90000);
  const prefix = uniquePrefix('e2e');
  let sim: ProviderSimulator;
  let gw: RunningGateway;
  const esmes: Esme[] = [];
  const connect = async () => {
    const e = await Esme.connect(gw.port);
    esmes.push(e);
    return e;
  };

  before(async () => {
    sim = await startProviderSimulator({ host: '127.0.0.1', port: 0, systemId: 'gw', password: 'gwpass', receiptDelayMs: 50, logger: silentLogger });
    gw = await startGateway(gatewayConfig(prefix, sim.address.port));
  });
  after(async () => {
    esmes.forEach((e) => e.close());
    if (gw) await gw.stop();
    if (sim) await sim.close();
  });

  it('answers submit_sm with a gateway id and returns the matching receipt over the bind', async () => {
    const esme = await connect();
    const bind = await esme.bind('acme', 'acmepw');
    assert.equal(bind.command_status, ESME_ROK);
    const resp = await esme.submit('447700900123', 'hello from the spec');
    assert.equal(resp.command_status, ESME_ROK);
    const id = resp.message_id!;
    assert.match(id, /^[0-9a-f]{24}$/);

    const dlr = await waitFor('the receipt', () => esme.delivers.find((d) => d.receiptedMessageId === id), 30000);
    assert.equal(dlr.esmClass, 0x04);
    assert.equal(dlr.messageState, 2);
    assert.match(dlr.text, new RegExp(`^id:${id} sub:001 dlvrd:001 submit date:\\d{10} done date:\\d{10} stat:DELIVRD err:000`));
    // The receipt comes from the handset's number, to the sender.
    assert.equal(dlr.source, '447700900123');
    assert.equal(dlr.destination, 'GW-SPEC');

    const sent = sim.submitted.find((s) => s.pdu.destination_addr === '447700900123');
    assert.ok(sent, 'the provider received the message');
    assert.equal(sent.pdu.short_message?.toString('latin1'), 'hello from the spec');
  });

  it('refuses a wrong password with ESME_RINVPASWD and an unknown system_id with ESME_RINVSYSID, and keeps serving', async () => {
    const bad = await connect();
    assert.equal((await bad.bind('acme', 'nope')).command_status, ESME_RINVPASWD);
    const unknown = await connect();
    assert.equal((await unknown.bind('nobody', 'x')).command_status, ESME_RINVSYSID);
    const good = await connect();
    assert.equal((await good.bind('acme', 'acmepw', 'transmitter')).command_status, ESME_ROK);
    assert.equal((await good.submit('447700900124', 'still up')).command_status, ESME_ROK);
  });

  it('answers a submit before bind with ESME_RINVBNDSTS, and one on a receiver bind too', async () => {
    const e = await connect();
    assert.equal((await e.submit('447700900125', 'too early')).command_status, ESME_RINVBNDSTS);
    const r = await connect();
    assert.equal((await r.bind('acme', 'acmepw', 'receiver')).command_status, ESME_ROK);
    assert.equal((await r.submit('447700900126', 'receivers cannot send')).command_status, ESME_RINVBNDSTS);
    assert.equal(gw.proc.exitCode, null, 'the node is still running');
  });
});

describe('graceful stop: SIGTERM unbinds sessions and leaves nothing acknowledged but unwritten', function () {
  this.timeout(90000);
  const prefix = uniquePrefix('term');

  it('every submit answered ESME_ROK before the stop is in the messages topic; the customer is unbound; exit 0', async () => {
    const sim = await startProviderSimulator({ host: '127.0.0.1', port: 0, systemId: 'gw', password: 'gwpass', receiptDelayMs: 50, logger: silentLogger });
    const gw = await startGateway(gatewayConfig(prefix, sim.address.port));
    const esme = await Esme.connect(gw.port);
    try {
      assert.equal((await esme.bind('acme', 'acmepw')).command_status, ESME_ROK);
      // A stream of submits still in flight when the signal arrives.
      const acked: string[] = [];
      const inFlight: Promise<unknown>[] = [];
      let sending = true;
      const pump = (async () => {
        for (let i = 0; sending && i < 2000; i++) {
          const p = esme.submit(`4477009${String(i).padStart(5, '0')}`, `msg ${i}`).then(
            (r) => { if (r.command_status === ESME_ROK && r.message_id) acked.push(r.message_id); },
            () => undefined,
          );
          inFlight.push(p);
          if (inFlight.length % 10 === 0) await p;
        }
      })();
      await waitFor('some acknowledged submits', () => acked.length >= 50);
      const code = await gw.stop('SIGTERM');
      sending = false;
      await pump;
      await Promise.allSettled(inFlight);
      assert.equal(code, 0, `exit code; logs:\n${gw.logs.slice(-10).join('\n')}`);
      assert.ok(esme.unbindReceived, 'the gateway sent unbind to the customer');

      // Read back the whole messages topic: each acknowledged id must be there.
      const kafka = createKafka(kafkaConfigFor(prefix), 'spec-reader', silentLogger);
      const consumer = kafka.consumer({ groupId: `${prefix}reader` });
      await consumer.connect();
      // Single-part messages are routed where they are accepted: their whole-message record is the routed one.
      await consumer.subscribe({ topic: `${prefix}provider-outgoing-messages`, fromBeginning: true });
      const stored = new Set<string>();
      await consumer.run({ eachMessage: async ({ message }) => { stored.add(decodeRecord<OutgoingRecord>(message.value!).message.id); } });
      try {
        await waitFor('acknowledged messages in Kafka', () => acked.every((id) => stored.has(id)), 30000);
      } finally {
        await consumer.disconnect();
      }
      assert.ok(acked.length >= 50);
    } finally {
      esme.close();
      await sim.close();
    }
  });
});

describe('bad configuration stops start-up with a message naming the field', function () {
  this.timeout(30000);
  const base = () => gatewayConfig('t-badcfg.', 2776) as Record<string, unknown> & ReturnType<typeof gatewayConfig>;

  const expectRefused = async (config: unknown, field: RegExp) => {
    const { exited, logs } = runNode(writeConfig(config));
    const code = await exited;
    assert.equal(code, 78, logs.join('\n'));
    assert.match(logs.join('\n'), field);
  };

  it('a missing field', async () => {
    const c = base();
    const { host: _host, ...provider } = c.providers[0]!;
    await expectRefused({ ...c, providers: [provider] }, /configuration error .*providers\[0\]\.host: is required/);
  });

  it('a route to an unknown provider', async () => {
    await expectRefused({ ...base(), routes: [{ provider: 'ghost' }] }, /routes\[0\]\.provider: names no provider of the file or the live directory \(got "ghost"\)/);
  });

  it('a value of the wrong type', async () => {
    const c = base();
    await expectRefused({ ...c, listeners: [{ host: '127.0.0.1', port: '2775' }] }, /listeners\[0\]\.port: must be an integer \(got "2775"\)/);
  });
});
