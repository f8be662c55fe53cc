/**
 * The operator CLI run as a user runs it (`node dist/src/cli/main.js ...` as a child process)
 * against a gateway process on the real broker and Redis, with the provider simulator behind
 * it and customers on SMPP loopback sockets.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { startProviderSimulator, type ProviderSimulator } from '../../../scripts/provider-simulator.js';
import { Esme } from '../../../scripts/lib/esme-client.js';
import { silentLogger } from '../../../src/log.js';
import { controlKeys } from '../../../src/redis/keys.js';
import { brokers, redisUrl, uniquePrefix, waitFor } from '../../support/env.js';
import { runNode, writeConfig, type RunningGateway } from '../../support/gateway-process.js';

const ESME_ROK = 0x00;
const ESME_RBINDFAIL = 0x0d;
const ESME_RTHROTTLED = 0x58;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function gatewayConfig(prefix: string, providerPort: number, routes: unknown[]) {
  return {
    node: { id: 'cli-node', shutdownTimeoutMs: 20000, threads: 2 },
    listeners: [{ name: 'smpp', host: '127.0.0.1', port: 0 }],
    session: { enquireLinkIntervalMs: 0 },
    kafka: { brokers, topicPrefix: prefix, partitions: 3 },
    redis: { keyPrefix: prefix },
    customers: [
      { systemId: 'acme', password: 'acmepw', bindTypes: ['transmitter', 'receiver', 'transceiver'] },
      { systemId: 'globex', password: 'globexpw', bindTypes: ['transmitter', 'receiver', 'transceiver'] },
    ],
    providers: [{ id: 'sim', host: '127.0.0.1', port: providerPort, systemId: 'gw', password: 'gwpass', rate: 500, window: 20 }],
    routes,
    delivery: { retryIntervalMs: 200 },
  };
}

describe('smsgw CLI against a running gateway', function () {
  this.timeout(120000);
  const prefix = uniquePrefix('cli');
  let sim: ProviderSimulator;
  let gw: RunningGateway;
  let configPath: string;
  let redis: Redis;
  const esmes: Esme[] = [];

  const cli = (args: string[], env: Record<string, string> = {}): Promise<Run> => new Promise((resolve) => {
    execFile(process.execPath, ['dist/src/cli/main.js', '--prefix', prefix, ...args], {
      env: { ...process.env, REDIS_URL: redisUrl, SMSGW_KAFKA_BROKERS: brokers.join(','), ...env }, timeout: 90000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
  const json = async <T>(args: string[]): Promise<T> => {
    const r = await cli([...args, '--json']);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };
  const connect = async (customer = 'acme', as: 'transceiver' | 'transmitter' | 'receiver' = 'transceiver') => {
    const e = await Esme.connect(gw.port);
    esmes.push(e);
    const bind = await e.bind(customer, `${customer}pw`, as);
    return { e, status: bind.command_status };
  };
  type SessionRow = { id: string; customer: string; bindType: string; remote: string; submits: number };
  const sessions = () => json<SessionRow[]>(['sessions']);

  before(async () => {
    sim = await startProviderSimulator({ host: '127.0.0.1', port: 0, systemId: 'gw', password: 'gwpass', receiptDelayMs: 20, logger: silentLogger });
    configPath = writeConfig(gatewayConfig(prefix, sim.address.port, [{ provider: 'sim' }]));
    gw = await startNode();
    redis = new Redis(redisUrl);
    await waitFor('the supplier to bind', async () => (await json<{ state: string }[]>(['providers'])).some((p) => p.state === 'bound'), 60000, 500);
  });
  const startNode = async (): Promise<RunningGateway> => {
    const { proc, logs, exited } = runNode(configPath);
    const port = await waitFor('the gateway to start', () => {
      if (proc.exitCode !== null) throw new Error(`gateway exited:\n${logs.join('\n')}`);
      const line = logs.find((l) => l.includes('"gateway node started"'));
      return line ? (JSON.parse(line) as { listeners: { port: number }[] }).listeners[0]!.port : undefined;
    }, 60000);
    return { proc, port, adminPort: null, httpPort: null, logs, exited, stop: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    } };
  };
  after(async () => {
    esmes.forEach((e) => e.close());
    if (gw) await gw.stop();
    if (sim) await sim.close();
    redis?.disconnect();
  });

  it('nodes: the node with its version, threads, memory and listener', async () => {
    const nodes = await json<{ node: string; version: string; threads: number; rss: number; listeners: string[] }[]>(['nodes']);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    assert.equal(nodes.length, 1);
    assert.equal(nodes[0]!.node, 'cli-node');
    assert.equal(nodes[0]!.version, pkg.version);
    assert.equal(nodes[0]!.threads, 3, 'the main thread and two workers');
    assert.ok(nodes[0]!.rss > 0);
    assert.deepEqual(nodes[0]!.listeners, [`127.0.0.1:${gw.port}`]);
    const text = await cli(['nodes']);
    assert.match(text.stdout, /^NODE\s+VERSION\s+HOST\s+PID\s+UP\s+THREADS/);
    assert.match(text.stdout, /cli-node/);
  });

  it('actors: every stage actor per thread, and a clear error for an unknown node', async () => {
    const actors = await json<{ node: string; thread: number | string; kind: string; address: string; status: string }[]>(['actors', '--node', 'cli-node']);
    for (const kind of ['router', 'suppliers', 'supplier', 'correlator', 'delivery']) assert.ok(actors.some((a) => a.kind === kind), `an actor of kind ${kind}`);
    assert.ok(actors.some((a) => a.address === 'actor://cli-node-w0/supplier-p0-g1/supplier-sim' || a.address.endsWith('/supplier-sim')));
    assert.deepEqual(new Set(actors.map((a) => String(a.thread))), new Set(['0', '1']));
    const missing = await cli(['actors', '--node', 'nope']);
    assert.equal(missing.code, 6);
    assert.match(missing.stderr, /no live node nope \(live: cli-node\)/);
  });

  it('providers: the bind, its owner, window and contracted rate', async () => {
    const [p] = await json<{ provider: string; node: string; state: string; window: number; rate: number; paused: boolean }[]>(['providers']);
    assert.deepEqual({ provider: p!.provider, node: p!.node, state: p!.state, window: p!.window, rate: p!.rate, paused: p!.paused },
      { provider: 'sim', node: 'cli-node', state: 'bound', window: 20, rate: 500, paused: false });
  });

  it('sessions and trace: a bound customer is listed with its remote address; a submitted message\'s whole story is read back', async () => {
    const { e, status } = await connect('acme');
    assert.equal(status, ESME_ROK);
    const resp = await e.submit('447700900123', 'trace me');
    assert.equal(resp.command_status, ESME_ROK);
    const id = resp.message_id!;
    await waitFor('the receipt', () => e.delivers.find((d) => d.receiptedMessageId === id), 30000);
    const row = await waitFor('the session with its counters', async () => (await sessions()).find((s) => s.customer === 'acme' && s.submits >= 1), 20000, 300);
    assert.equal(row.bindType, 'transceiver');
    assert.match(row.remote, /^127\.0\.0\.1:\d+$/);

    const trace = await waitFor('every event of the message', async () => {
      const t = await json<{ events: { type: string; detail?: Record<string, unknown> }[] }>(['trace', id]);
      return t.events.some((x) => x.type === 'delivered') ? t : undefined;
    }, 30000, 500);
    assert.deepEqual(trace.events.map((x) => x.type), ['accepted', 'routed', 'submitted', 'receipt', 'delivered']);
    const submitted = trace.events.find((x) => x.type === 'submitted')!;
    assert.equal(submitted.detail!.provider, 'sim');
    assert.equal(submitted.detail!.providerMessageId, sim.submitted.find((s) => s.pdu.short_message?.toString('latin1') === 'trace me')!.messageId);
    const text = await cli(['trace', id]);
    assert.match(text.stdout, new RegExp(`^message ${id} \\(message-events partitions? [\\d, ]+\\)\\nTIME\\s+EVENT\\s+NODE\\s+DETAIL`));
    const unknown = await cli(['trace', 'ffffffffffffffffffffffff']);
    assert.equal(unknown.code, 6);
    assert.match(unknown.stderr, /no events for message ffffffffffffffffffffffff/);
  });

  it('lag: every stage partition with its owner, and nothing left behind once the traffic is done', async () => {
    type Lag = { stage: string; partition: number; owner: string | null; lag: number; committed: string | null };
    const rows = await waitFor('no lag on the router', async () => {
      const r = await json<Lag[]>(['lag']);
      return r.filter((x) => x.stage === 'router').every((x) => x.lag === 0) ? r : undefined;
    }, 30000, 500);
    assert.deepEqual(new Set(rows.map((r) => r.stage)), new Set(['assembler', 'router', 'supplier', 'correlator', 'delivery']));
    assert.equal(rows.length, 15, 'three partitions of five stages');
    assert.ok(rows.every((r) => r.owner?.startsWith('cli-node/w')), 'every partition owned by a worker of the node');
    // Single-part messages are routed at the edge; the supplier read what it sent.
    assert.ok(rows.some((r) => r.stage === 'supplier' && r.committed !== null), 'the supplier committed what it sent');
  });

  it('pause stops the submits to the provider (the record waits in Kafka); resume sends it', async () => {
    const paused = await cli(['pause', 'sim']);
    assert.equal(paused.code, 0, paused.stderr);
    assert.match(paused.stdout, /done: cli-node: provider sim paused/);
    const { e } = await connect('globex', 'transmitter');
    const resp = await e.submit('447700900200', 'held by pause');
    assert.equal(resp.command_status, ESME_ROK);
    await waitFor('the message to wait in the supplier partition', async () =>
      (await json<{ stage: string; lag: number }[]>(['lag'])).some((l) => l.stage === 'supplier' && l.lag > 0), 30000, 300);
    assert.ok(!sim.submitted.some((s) => s.pdu.short_message?.toString('latin1') === 'held by pause'), 'nothing sent while paused');
    // The view shows what the node last published (every 1.5 s).
    await waitFor('the providers view to show the pause', async () => (await json<{ paused: boolean }[]>(['providers']))[0]!.paused === true, 10000, 300);

    const resumed = await cli(['resume', 'sim']);
    assert.equal(resumed.code, 0, resumed.stderr);
    await waitFor('the held message at the provider', () => sim.submitted.some((s) => s.pdu.short_message?.toString('latin1') === 'held by pause'), 30000);
  });

  it('outbox: a receipt for a customer with no receiving bind is held, with its partition and age', async () => {
    type Row = { customer: string; partition: number; waiting: number; held: number; oldestAgeMs: number | null };
    // globex is bound as a transmitter only (previous test): its receipt cannot go out.
    const row = await waitFor('globex\'s receipt held', async () =>
      (await json<Row[]>(['outbox'])).find((r) => r.customer === 'globex' && r.held > 0), 30000, 500);
    assert.ok(row.oldestAgeMs !== null && row.oldestAgeMs >= 0);
    const text = await cli(['outbox']);
    assert.match(text.stdout, /^CUSTOMER\s+PARTITION\s+WAITING\s+HELD\s+OLDEST/);
    assert.match(text.stdout, /\nglobex\s+\d+\s+\d+\s+[1-9]\d*\s+\d/);
    // Once globex binds a receiver, the outbox empties.
    const { status } = await connect('globex', 'receiver');
    assert.equal(status, ESME_ROK);
    await waitFor('globex\'s outbox to empty', async () =>
      (await json<Row[]>(['outbox'])).find((r) => r.customer === 'globex' && r.held === 0 && r.waiting === 0), 30000, 500);
  });

  it('rate provider: the bind\'s throttle in effect changes; an unknown provider is refused with the reason', async () => {
    const r = await cli(['rate', 'provider', 'sim', '37']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /provider sim sending at 37\/s/);
    await waitFor('the new rate in the providers view', async () => (await json<{ rate: number }[]>(['providers']))[0]!.rate === 37, 10000, 300);
    const unknown = await cli(['pause', 'nosuch']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /refused: cli-node: no provider nosuch in the configuration/);
  });

  it('rate customer: the new rate throttles the customer\'s submits on every node (kept in Redis)', async () => {
    const r = await cli(['rate', 'customer', 'acme', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /acme rate 1\/s \(configured unlimited\)/);
    assert.equal(await redis.hget(controlKeys(prefix).customerRates, 'acme'), '1');
    const { e } = await connect('acme', 'transmitter');
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await e.submit('447700900300', `r${i}`)).command_status);
    assert.ok(statuses.includes(ESME_RTHROTTLED), `some submits throttled: ${statuses.join(',')}`);
    await cli(['rate', 'customer', 'acme', '100000']);
  });

  it('disconnect: the session is unbound and closed, and leaves the sessions view', async () => {
    const { e } = await connect('acme', 'receiver');
    const mine = await waitFor('three acme sessions', async () => {
      const s = (await sessions()).filter((x) => x.customer === 'acme' && x.bindType === 'receiver');
      return s.length > 0 ? s[s.length - 1] : undefined;
    }, 20000, 300);
    const r = await cli(['disconnect', mine.id]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`session ${mine.id} of acme unbound and closed`));
    await waitFor('the socket closed', () => e.closed, 10000);
    await waitFor('the session gone from the view', async () => !(await sessions()).some((s) => s.id === mine.id), 20000, 300);
    const none = await cli(['disconnect', 'cli-node-9999']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no node owns session cli-node-9999/);
  });

  it('block: binds refused with ESME_RBINDFAIL and existing sessions closed, kept in Redis; unblock lets it in again', async () => {
    const { e } = await connect('acme');
    const r = await cli(['block', 'acme']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /acme blocked; \d+ session\(s\) closed here/);
    await waitFor('the blocked customer\'s session closed', () => e.closed, 10000);
    assert.equal(await redis.sismember(controlKeys(prefix).blocked, 'acme'), 1);
    assert.equal((await connect('acme')).status, ESME_RBINDFAIL);
    assert.equal((await connect('globex', 'transmitter')).status, ESME_ROK, 'other customers unaffected');
    await waitFor('no acme session', async () => !(await sessions()).some((s) => s.customer === 'acme'), 20000, 300);

    const u = await cli(['unblock', 'acme']);
    assert.equal(u.code, 0, u.stderr);
    assert.equal((await connect('acme')).status, ESME_ROK);
  });

  it('reload-routes: the node reads its file again; a destination outside the new routes becomes unroutable', async () => {
    writeFileSync(configPath, JSON.stringify(gatewayConfig(prefix, sim.address.port, [{ provider: 'sim', destinationPrefixes: ['44'] }]), null, 2));
    const r = await cli(['reload-routes']);
    assert.equal(r.code, 0, r.stderr);
    // 3 router and 3 supplier partition actors over the two worker threads.
    assert.match(r.stdout, /done: cli-node: 1 route\(s\) installed; 6 stage actor\(s\) told on 2 worker thread\(s\)/);
    const { e } = await connect('globex', 'transmitter');
    const resp = await e.submit('33612345678', 'no route now');
    assert.equal(resp.command_status, ESME_ROK);
    const t = await waitFor('the unroutable event', async () => {
      const x = await cli(['trace', resp.message_id!, '--json']);
      const events = x.code === 0 ? (JSON.parse(x.stdout) as { events: { type: string }[] }).events : [];
      return events.some((ev) => ev.type === 'unroutable') ? events : undefined;
    }, 30000, 500);
    // globex has a receiver bound by now, so the UNDELIV receipt may follow as 'delivered'.
    assert.deepEqual(t.map((ev) => ev.type).slice(0, 2), ['accepted', 'unroutable']);

    // The same reload as the file watch and SIGHUP: a bad file is refused with the field named.
    const good = readFileSync(configPath, 'utf8');
    writeFileSync(configPath, JSON.stringify(gatewayConfig(prefix, sim.address.port, [{ provider: 'nosuch' }]), null, 2));
    const refused = await cli(['reload-routes']);
    writeFileSync(configPath, good);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /refused by cli-node: routes\[0\]\.provider: names no provider of the file or the live directory \(got "nosuch"\)/);
  });

  it('pause and rate provider outlive the bind: the node restarted binds the provider paused at the operator\'s rate', async () => {
    assert.equal((await cli(['pause', 'sim'])).code, 0);
    assert.equal((await cli(['rate', 'provider', 'sim', '41'])).code, 0);
    await gw.stop();
    gw = await startNode();
    type Row = { state: string; paused: boolean; rate: number };
    const row = await waitFor('the provider bound again', async () => (await json<Row[]>(['providers'])).find((p) => p.state !== 'down'), 60000, 500);
    assert.deepEqual({ paused: row.paused, rate: row.rate }, { paused: true, rate: 41 });
    assert.ok(gw.logs.some((l) => l.includes('"provider bind started as an operator left it"')), 'the kept controls applied');
    const { e } = await connect('globex');
    assert.equal((await e.submit('447700900201', 'paused across a restart')).command_status, ESME_ROK);
    // Valid for 1 s only: its time passes while the provider is paused.
    const brief = await e.submit('447700900202', 'expires while paused', { validity_period: '000000000001000R' });
    assert.equal(brief.command_status, ESME_ROK);
    await new Promise((r) => setTimeout(r, 2000));
    const sent = (text: string) => sim.submitted.some((s) => s.pdu.short_message?.toString('latin1') === text);
    assert.ok(!sent('paused across a restart'), 'nothing sent while paused');
    assert.equal((await cli(['resume', 'sim'])).code, 0);
    await waitFor('the message at the provider once resumed', () => sent('paused across a restart'), 30000);
    const dlr = await waitFor('the receipt of the expired one', () => e.delivers.find((d) => d.receiptedMessageId === brief.message_id), 30000);
    assert.match(dlr.text, /stat:EXPIRED/);
    assert.ok(!sent('expires while paused'), 'past its validity: never sent');
  });

  it('top: refreshes every view, --count times', async () => {
    const r = await cli(['top', '--count', '2', '--interval', '200']);
    assert.equal(r.code, 0, r.stderr);
    for (const section of ['nodes', 'providers', 'sessions', 'lag', 'outbox', 'actors']) {
      assert.equal(r.stdout.split(`== ${section} ==`).length - 1, 2, `${section} twice`);
    }
    assert.match(r.stdout, /smsgw top — /);
  });

  it('clear errors and exit codes: Redis or Kafka unreachable, bad usage; help for every command', async () => {
    const noRedis = await cli(['nodes', '--redis', 'redis://127.0.0.1:1']);
    assert.equal(noRedis.code, 3);
    assert.match(noRedis.stderr, /^smsgw: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
    const noKafka = await cli(['lag', '--brokers', '127.0.0.1:1']);
    assert.equal(noKafka.code, 4);
    assert.match(noKafka.stderr, /^smsgw: cannot reach Kafka at 127\.0\.0\.1:1: /);
    const bad = await cli(['rate', 'provider', 'sim', 'fast']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /<per-second> must be a number > 0 \(got "fast"\)/);
    assert.equal((await cli(['frobnicate'])).code, 2);
    const wrongPrefix = await cli(['lag', '--prefix', 'nobody-here.']);
    assert.equal(wrongPrefix.code, 6);
    for (const command of ['nodes', 'actors', 'sessions', 'providers', 'lag', 'outbox', 'top', 'disconnect', 'block', 'unblock', 'pause', 'resume', 'rate', 'reload-routes', 'trace']) {
      const h = await cli([command, '--help']);
      assert.equal(h.code, 0);
      assert.match(h.stdout, new RegExp(`^usage: smsgw ${command}`));
    }
  });
});
