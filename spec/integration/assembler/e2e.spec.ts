import { strict as assert } from 'node:assert';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import { Esme } from '../../../scripts/lib/esme-client.js';
import { silentLogger } from '../../../src/log.js';
import { buildConcatUdh, parseConcatUdh } from '../../../src/smpp/udh.js';
import { brokers, uniquePrefix, waitFor } from '../../support/env.js';
import { startGateway, type RunningGateway } from '../../support/gateway-process.js';

const ESME_ROK = 0;
const DESTINATION = '447700900555';

describe('assembler end to end: a 3-part message over two binds, re-split for the provider, a receipt per part', function () {
  this.timeout(120000);
  const prefix = uniquePrefix('asm-e2e');
  let sim: ProviderSimulator;
  let gw: RunningGateway;
  const esmes: Esme[] = [];

  before(async () => {
    sim = await startProviderSimulator({ host: '127.0.0.1', port: 0, systemId: 'gw', password: 'gwpass', receiptDelayMs: 50, logger: silentLogger });
    gw = await startGateway({
      node: { id: `spec-${prefix.slice(0, -1).replace(/[^A-Za-z0-9_.-]/g, '')}`, shutdownTimeoutMs: 20000 },
      listeners: [{ name: 'smpp', host: '127.0.0.1', port: 0 }],
      session: { enquireLinkIntervalMs: 0 },
      kafka: { brokers, topicPrefix: prefix, partitions: 3 },
      redis: { keyPrefix: prefix },
      customers: [{ systemId: 'acme', password: 'acmepw' }],
      providers: [{ id: 'sim', host: '127.0.0.1', port: sim.address.port, systemId: 'gw', password: 'gwpass', rate: 500, window: 20 }],
      routes: [{ provider: 'sim' }],
      delivery: { retryIntervalMs: 200 },
    });
  });
  after(async () => {
    esmes.forEach((e) => e.close());
    if (gw) await gw.stop();
    if (sim) await sim.close();
  });

  it('joins the parts, sends them re-split to the provider, and returns one receipt for each part id', async () => {
    const [a, b] = [await Esme.connect(gw.port), await Esme.connect(gw.port)];
    esmes.push(a, b);
    assert.equal((await a.bind('acme', 'acmepw')).command_status, ESME_ROK);
    assert.equal((await b.bind('acme', 'acmepw')).command_status, ESME_ROK);

    const texts = ['A'.repeat(153), 'B'.repeat(153), 'C'.repeat(40)];
    const partPdu = (seq: number) => ({
      esm_class: 0x40,
      short_message: Buffer.concat([buildConcatUdh({ ref: 0x5a, total: 3, seq }), Buffer.from(texts[seq - 1]!, 'latin1')]),
    });
    // Out of order, over two binds: part 3 and part 1 on one, part 2 on the other.
    const r3 = await a.submit(DESTINATION, '', partPdu(3));
    const r2 = await b.submit(DESTINATION, '', partPdu(2));
    const r1 = await a.submit(DESTINATION, '', partPdu(1));
    for (const r of [r1, r2, r3]) assert.equal(r.command_status, ESME_ROK);
    const ids = [r1.message_id!, r2.message_id!, r3.message_id!];
    assert.equal(new Set(ids).size, 3);

    const sent = await waitFor('the provider got 3 parts', () => {
      const got = sim.submitted.filter((s) => s.pdu.destination_addr === DESTINATION);
      return got.length >= 3 && got;
    }, 60000);
    const provider = sent.map((s) => {
      const sm = s.pdu.short_message!;
      const udh = parseConcatUdh(sm);
      assert.ok(udh && (s.pdu.esm_class! & 0x40), 'each provider part carries a concatenation UDH');
      return { ...udh, text: sm.subarray(udh.udhLength).toString('latin1') };
    }).sort((x, y) => x.seq - y.seq);
    assert.deepEqual(provider.map((p) => [p.seq, p.total]), [[1, 3], [2, 3], [3, 3]]);
    assert.equal(new Set(provider.map((p) => p.ref)).size, 1, 'one reference for all provider parts');
    assert.equal(provider.map((p) => p.text).join(''), texts.join(''));

    const receiptsFor = () => [...a.delivers, ...b.delivers].filter((d) => d.receiptedMessageId && ids.includes(d.receiptedMessageId));
    await waitFor('a receipt for each part id', () => new Set(receiptsFor().map((d) => d.receiptedMessageId)).size === 3, 60000);
    await new Promise((r) => setTimeout(r, 1500)); // a second receipt for one id would come now
    const receipts = receiptsFor();
    assert.deepEqual(receipts.map((d) => d.receiptedMessageId).sort(), [...ids].sort(), 'exactly one receipt per part id');
    assert.ok(receipts.every((d) => d.esmClass === 0x04 && d.messageState === 2 && /stat:DELIVRD/.test(d.text)));
    for (const d of receipts) assert.match(d.text, new RegExp(`^id:${d.receiptedMessageId} `));
  });
});
