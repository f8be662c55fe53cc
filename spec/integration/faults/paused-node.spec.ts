/**
 * A gateway node that hangs (SIGSTOP) longer than its Kafka session and its send claims, while
 * it holds a provider's queue: its partitions move to the other node, which sends the queue.
 * Woken (SIGCONT), the paused node must find itself fenced and send none of its old queue: the
 * provider takes every message once, and nothing the successor sent arrives a second time. The
 * submits it had in flight when it stopped were answered during the pause: it must take those
 * answers, not time them out, and must not fail (UNDELIV) messages that aged out only because it
 * was frozen, when the provider or its successor had them.
 */
import { strict as assert } from 'node:assert';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import { Esme } from '../../../scripts/lib/esme-client.js';
import { uniquePrefix, waitFor } from '../../support/env.js';
import { startGateway, type RunningGateway } from '../../support/gateway-process.js';
import { outboundConfig } from '../supplier/support.js';
import { Status } from '../../../src/smpp/status.js';

const MESSAGES = 40;
const WINDOW = 5;

describe('a paused node wakes fenced: its partitions moved, it sends none of its old queue', function () {
  this.timeout(240000);
  const prefix = uniquePrefix('pause');
  let sim: ProviderSimulator;
  const nodes: RunningGateway[] = [];
  let esme: Esme | undefined;
  let paused: RunningGateway | undefined;

  before(async () => {
    // Answers a second late, so that submits are in flight whenever the node stops.
    sim = await startProviderSimulator({ systemId: 'gw', password: 'gwpass', receiptDelayMs: 20, behaviour: 'slow', responseDelayMs: 1000 });
    // 3 parts a second through a window of 5: the supplier holds 20 messages claimed at once
    // (4x its window), most of them waiting for their turn in the throttle. The retry age limit
    // is shorter than the pause: a message in flight at the stop is past it at the wake.
    const base = outboundConfig(prefix, [{
      id: 'sim', port: sim.address.port, rate: 3, window: WINDOW, responseTimeoutMs: 4000, maxRetryAgeMs: 20000,
    }], [{ provider: 'sim' }]);
    for (const id of ['a', 'b']) nodes.push(await startGateway({ ...base, node: { ...base.node, id: `pause-${id}`, threads: 1 } }, 60000));
    await waitFor('the provider bound', () => sim.counters.binds > 0, 60000, 200);
  });
  after(async () => {
    esme?.close();
    if (paused?.proc.pid) process.kill(paused.proc.pid, 'SIGCONT');
    await Promise.all(nodes.map((n) => n.stop()));
    await sim?.close();
  });

  it('sends every message once: nothing the successor sent is sent again after the wake', async () => {
    const owner = await waitFor('the node holding the provider', () => nodes.find((n) => n.logs.some((l) => l.includes('"provider bound"'))), 30000, 200);
    const other = nodes.find((n) => n !== owner)!;
    esme = await Esme.connect(other.port);
    assert.equal((await esme.bind('acme', 'acmepw')).command_status, Status.ESME_ROK);
    const texts = Array.from({ length: MESSAGES }, (_, i) => `queued-${i}`);
    for (const [i, text] of texts.entries()) {
      assert.equal((await esme.submit(`4477009${String(i).padStart(5, '0')}`, text)).command_status, Status.ESME_ROK);
    }
    // The owner has its queue: some sent, the rest claimed and waiting for the throttle.
    await waitFor('the first messages at the provider', () => sim.submitted.length >= 3, 30000, 50);
    paused = owner;
    process.kill(owner.proc.pid!, 'SIGSTOP');
    const pausedAt = Date.now();
    const before = sim.submitted.length;
    assert.ok(before < MESSAGES / 2, `the queue was still long at the pause (${before} of ${MESSAGES} sent)`);
    // Longer than the Kafka session (10 s) and the send claims (10 s): the other node takes the
    // partition, waits for the claims to lapse and sends the queue.
    const textOf = (s: { pdu: { short_message?: Buffer } }) => s.pdu.short_message?.toString('latin1') ?? '';
    await waitFor('every message at the provider, sent by the successor', () => new Set(sim.submitted.map(textOf)).size === MESSAGES, 120000, 200);
    const successorDone = sim.submitted.length;
    process.kill(owner.proc.pid!, 'SIGCONT');
    paused = undefined;
    const wokeAt = Date.now();
    assert.ok(wokeAt - pausedAt > 20000, 'paused longer than its session and its claims');
    // Awake: the old queue's turn comes at once (its throttle's time has long passed).
    await new Promise((r) => setTimeout(r, 8000));
    const afterWake = sim.submitted.filter((s) => s.at.getTime() >= wokeAt);
    assert.deepEqual(afterWake.map(textOf), [], 'nothing sent after the wake: the successor had sent it all');
    const counts = new Map<string, number>();
    for (const s of sim.submitted) counts.set(textOf(s), (counts.get(textOf(s)) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([t]) => t);
    // Only submits already written when the node stopped may go twice (their answers unread).
    assert.ok(twice.length <= WINDOW, `sent twice: ${twice.join(', ')} (successor done at ${successorDone})`);
    assert.deepEqual([...counts.keys()].sort(), [...texts].sort(), 'every message taken');
    // Every message the provider took comes back delivered, and none failed by the woken node.
    const statOf = (text: string) => /stat:(\w+)/.exec(text)?.[1];
    await waitFor('a receipt for every message', () => new Set(esme!.delivers.map((d) => d.receiptedMessageId)).size >= MESSAGES, 60000, 200);
    const failed = esme.delivers.filter((d) => statOf(d.text) !== 'DELIVRD');
    assert.deepEqual(failed.map((d) => `${d.receiptedMessageId} ${statOf(d.text)}`), [], 'receipts other than DELIVRD');
  });
});
