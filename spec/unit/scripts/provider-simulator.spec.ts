import { strict as assert } from 'node:assert';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseSimulatorArgs, startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import { SmppStatusError } from '../../../src/errors.js';
import { SmppClient, type BindType } from '../../../src/smpp/client.js';
import type { Pdu } from '../../../src/smpp/pdu.js';
import { parseReceiptText } from '../../../src/smpp/receipt.js';
import { Status } from '../../../src/smpp/status.js';

const simulatorScript = fileURLToPath(new URL('../../../scripts/provider-simulator.js', import.meta.url));

describe('scripts/provider-simulator', () => {
  let sim: ProviderSimulator | undefined;
  const clients: SmppClient[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop()));
    await sim?.close();
    sim = undefined;
  });

  async function bind(bindType: BindType = 'transceiver', password = 'pw', onRequest?: (pdu: Pdu) => void): Promise<SmppClient> {
    assert.ok(sim);
    const c = new SmppClient({
      host: sim.address.host, port: sim.address.port, systemId: 'acme', password, bindType,
      reconnect: { initialMs: 5000, maxMs: 5000 },
    });
    clients.push(c);
    c.on('request', (pdu, respond) => {
      onRequest?.(pdu);
      respond(Status.ESME_ROK);
    });
    const outcome = Promise.race([
      once(c, 'bound').then(() => undefined),
      once(c, 'bindFailed').then(([err]) => { throw err; }),
    ]);
    c.start();
    await outcome;
    return c;
  }

  it('accepts a bind and a submit, then delivers a receipt with receipted_message_id', async () => {
    sim = await startProviderSimulator({ systemId: 'acme', password: 'pw', receiptDelayMs: 20 });
    const receipts: Pdu[] = [];
    const client = await bind('transceiver', 'pw', (pdu) => receipts.push(pdu));
    const receiptSent = once(sim, 'receipt');
    const resp = await client.request('submit_sm', {
      source_addr: 'ACME', destination_addr: '4915112345678', registered_delivery: 1, data_coding: 0,
      short_message: Buffer.from('Hello receipt world, long text'),
    });
    assert.equal(resp.command_status, Status.ESME_ROK);
    const messageId = resp.message_id ?? '';
    assert.match(messageId, /^[0-9a-f]{8}$/);
    await receiptSent;
    const [dlr] = receipts;
    assert.ok(dlr);
    assert.equal(dlr.command, 'deliver_sm');
    assert.equal(dlr.esm_class, 0x04);
    assert.equal(dlr.receipted_message_id, messageId);
    assert.equal(dlr.message_state, 2);
    assert.equal(dlr.destination_addr, 'ACME');
    const parsed = parseReceiptText(dlr.short_message?.toString('latin1') ?? '');
    assert.equal(parsed?.id, messageId);
    assert.equal(parsed?.stat, 'DELIVRD');
    assert.equal(parsed?.text, 'Hello receipt world,');
    assert.equal(sim.submitted.length, 1);
    assert.equal(sim.counters.receiptsSent, 1);
  });

  it('holds a receipt until a receiver binds', async () => {
    sim = await startProviderSimulator({ receiptDelayMs: 10, receiptRetryMs: 50, idFormat: 'decimal' });
    const tx = await bind('transmitter');
    const resp = await tx.request('submit_sm', { destination_addr: '1', registered_delivery: 1, short_message: Buffer.from('x') });
    assert.match(resp.message_id ?? '', /^\d+$/);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(sim.counters.receiptsSent, 0);
    assert.ok(sim.counters.receiptRetries >= 1);
    const got: Pdu[] = [];
    await bind('receiver', 'pw', (pdu) => got.push(pdu));
    await once(sim, 'receipt');
    assert.equal(got[0]?.receipted_message_id, resp.message_id);
  });

  it('answers ESME_RTHROTTLED beyond maxSubmitsPerSecond', async () => {
    sim = await startProviderSimulator({ maxSubmitsPerSecond: 3 });
    const c = await bind();
    const results = await Promise.all(Array.from({ length: 5 }, () => c.request('submit_sm', { destination_addr: '1' })));
    const statuses = results.map((r) => r.command_status);
    assert.equal(statuses.filter((s) => s === Status.ESME_ROK).length, 3);
    assert.equal(statuses.filter((s) => s === Status.ESME_RTHROTTLED).length, 2);
    assert.equal(sim.counters.throttled, 2);
  });

  it('refuses a wrong password with ESME_RINVPASWD and a wrong system_id with ESME_RINVSYSID', async () => {
    sim = await startProviderSimulator({ systemId: 'acme', password: 'pw' });
    await assert.rejects(bind('transceiver', 'nope'), (err: unknown) => err instanceof SmppStatusError && err.commandStatus === Status.ESME_RINVPASWD);
    const other = new SmppClient({ host: sim.address.host, port: sim.address.port, systemId: 'intruder', password: 'pw', bindType: 'transmitter', reconnect: { initialMs: 5000, maxMs: 5000 } });
    clients.push(other);
    const failed = once(other, 'bindFailed');
    other.start();
    const [err] = await failed;
    assert.ok(err instanceof SmppStatusError);
    assert.equal(err.commandStatus, Status.ESME_RINVSYSID);
    assert.equal(sim.counters.bindsRefused, 2);
  });

  it('rejects every Nth submit and answers nothing when told to', async () => {
    sim = await startProviderSimulator({ rejectEvery: 2, rejectStatus: Status.ESME_RMSGQFUL });
    const c = await bind();
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await c.request('submit_sm', { destination_addr: '1' })).command_status);
    assert.deepEqual(statuses, [0, Status.ESME_RMSGQFUL, 0, Status.ESME_RMSGQFUL]);
    await Promise.all(clients.splice(0).map((x) => x.stop()));
    await sim.close();

    sim = await startProviderSimulator({ neverAnswer: true });
    const silent = new SmppClient({
      host: sim.address.host, port: sim.address.port, systemId: 'acme', password: 'pw', bindType: 'transmitter',
      connection: { responseTimeoutMs: 100 }, reconnect: { initialMs: 5000, maxMs: 5000 },
    });
    clients.push(silent);
    silent.start();
    await once(silent, 'bound');
    await assert.rejects(silent.request('submit_sm', { destination_addr: '1' }), (e: unknown) => (e as { code?: string }).code === 'TIMEOUT');
    assert.equal(sim.counters.ignored, 1);
  });

  it('named behaviours: rejecting refuses permanently, throttling answers ESME_RTHROTTLED beyond its rate, slow answers late; switchable at runtime', async () => {
    sim = await startProviderSimulator({ behaviour: 'rejecting' });
    const c = await bind('transmitter');
    assert.equal((await c.request('submit_sm', { destination_addr: '1' })).command_status, Status.ESME_RSUBMITFAIL);
    assert.equal(sim.counters.rejected, 1);

    sim.setBehaviour('throttling', { maxSubmitsPerSecond: 3 });
    const statuses = await Promise.all([1, 2, 3, 4, 5].map(() => c.request('submit_sm', { destination_addr: '1' }).then((r) => r.command_status)));
    assert.deepEqual(statuses.filter((x) => x === Status.ESME_ROK).length, 3);
    assert.deepEqual(statuses.filter((x) => x === Status.ESME_RTHROTTLED).length, 2);
    assert.equal(sim.behaviour, 'throttling');

    sim.setBehaviour('slow', { responseDelayMs: 150 });
    const answered: string[] = [];
    const taken = once(sim, 'submit');
    const slow = c.request('submit_sm', { destination_addr: 'slow' }).then((r) => answered.push(`slow:${r.command_status}`));
    await taken;
    sim.setBehaviour('happy');
    await c.request('submit_sm', { destination_addr: 'happy' }).then((r) => answered.push(`happy:${r.command_status}`));
    await slow;
    assert.deepEqual(answered, ['happy:0', 'slow:0'], 'the slow answer came after a later submit was answered');
    assert.throws(() => sim!.setBehaviour('sleepy' as never), /simulator.behaviour/);
    assert.throws(() => sim!.setBehaviour('dropping', { dropAfterSubmits: 0 }), /simulator.dropAfterSubmits/);
  });

  it('dropping keeps the n-th submit of a connection as accepted and drops the connection before answering', async () => {
    sim = await startProviderSimulator({ behaviour: 'dropping', dropAfterSubmits: 2 });
    const c = await bind('transmitter');
    assert.equal((await c.request('submit_sm', { destination_addr: '1' })).command_status, Status.ESME_ROK);
    const unbound = once(c, 'unbound');
    await assert.rejects(c.request('submit_sm', { destination_addr: '2' }), (e: unknown) => (e as { code?: string }).code !== undefined);
    await unbound;
    assert.equal(sim.counters.drops, 1);
    assert.equal(sim.counters.accepted, 2, 'the unanswered submit was taken: a retry will be a duplicate');
    assert.equal(sim.submitted[1]?.pdu.destination_addr, '2');
  });

  it('sends an MO over a receiving bind and reports the status the client answered; refuses when none is bound', async () => {
    sim = await startProviderSimulator();
    await assert.rejects(sim.sendMo({ from: '447700900001', to: '12345', text: 'hi' }), (e: unknown) => (e as { code?: string }).code === 'NO_RECEIVER');
    const got: Pdu[] = [];
    await bind('transceiver', 'pw', (pdu) => got.push(pdu));
    const status = await sim.sendMo({ from: '447700900001', to: '12345', text: 'héllo €' });
    assert.equal(status, Status.ESME_ROK);
    const [mo] = got;
    assert.ok(mo);
    assert.equal(mo.command, 'deliver_sm');
    assert.equal(mo.esm_class, 0);
    assert.equal(mo.source_addr, '447700900001');
    assert.equal(mo.destination_addr, '12345');
    assert.equal(mo.data_coding, 0);
    assert.equal(sim.mosSent[0]?.status, Status.ESME_ROK);
    assert.equal(sim.counters.moSent, 1);
    await sim.sendMo({ from: '1', to: '2', text: 'Привет', systemId: 'acme' });
    assert.equal(got[1]?.data_coding, 8);
  });

  it('parses its command line', () => {
    const parsed = parseSimulatorArgs(['--port', '0', '--receipt-delay-ms', '5', '--reject-status', '0x58', '--receipt-stat', 'undeliv', '--never-answer']);
    const slow = parseSimulatorArgs(['--behaviour', 'slow', '--response-delay-ms', '20', '--drop-after', '3']);
    assert.ok(!slow.help && slow.options.behaviour === 'slow' && slow.options.responseDelayMs === 20 && slow.options.dropAfterSubmits === 3);
    assert.throws(() => parseSimulatorArgs(['--behaviour', 'lazy']), /--behaviour/);
    assert.equal(parsed.help, false);
    if (!parsed.help) {
      assert.equal(parsed.options.port, 0);
      assert.equal(parsed.options.receiptDelayMs, 5);
      assert.equal(parsed.options.rejectStatus, 0x58);
      assert.equal(parsed.options.receiptStat, 'UNDELIV');
      assert.equal(parsed.options.neverAnswer, true);
      assert.equal(parsed.options.behaviour, 'never-answering');
    }
    assert.deepEqual(parseSimulatorArgs(['--help']), { help: true });
    assert.throws(() => parseSimulatorArgs(['--port', 'abc']), /--port/);
  });

  it('runs from the command line, logs where it listens and stops on SIGTERM', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [simulatorScript, '--help']);
    assert.match(stdout, /--receipt-delay-ms/);

    const child = spawn(process.execPath, [simulatorScript, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const listening = new Promise<{ port: number }>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        for (const line of stderr.split('\n')) {
          if (line.includes('provider simulator listening')) resolve(JSON.parse(line) as { port: number });
        }
      });
      child.once('exit', () => reject(new Error(`exited early: ${stderr}`)));
    });
    try {
      const line = await listening;
      assert.ok(line.port > 0);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      assert.equal(code, 0);
    }
  });
});
