/**
 * What each command does, given open connections. Views read what the nodes publish (and
 * Kafka for lag, outbox and trace); actions go through the control channel.
 */
import type { Redis } from 'ioredis';
import type { LifecycleEvent } from '../domain/records.js';
import { decodeRecord } from '../domain/records.js';
import { decodeEvents } from '../domain/lifecycle.js';
import { messageIdTime } from '../domain/ids.js';
import { readTopicSince } from '../kafka/topic-since.js';
import { consumerLag, type PartitionLag } from '../kafka/lag.js';
import { partitionForKey } from '../kafka/key-history.js';
import { deadLetterPartitions, openReplayer, readDeadLetterLog, type DeadLetterLog } from '../kafka/dead-letter-log.js';
import type { DeadLetter } from '../kafka/dead-letters.js';
import type { KafkaClient } from '../kafka/client.js';
import { silentLogger } from '../log.js';
import { errorMessage } from '../errors.js';
import type { ControlAction } from '../control/protocol.js';
import type { ClusterDescription, NodeStatus } from '../control/status.js';
import { ask, readCluster, readNodes } from './cluster.js';
import { withKafka } from './connections.js';
import { CliError, Exit, usageError } from './errors.js';
import { expectArgs, type CliOptions } from './options.js';
import { heldSummary } from '../redis/stores/held-summary.js';
import { actorsView, deadLetterRows, deadLettersView, lagView, nodesView, outboxView, providersView, replayView, sessionsView, traceView, type ReplayRow, type View } from './views.js';
import { deadLetterRequest, refPartition, type DeadLetterRef } from './dead-letter-args.js';

export interface Output {
  view: View<unknown>;
  exitCode: number;
}

const ok = (view: View<unknown>): Output => ({ view, exitCode: Exit.OK });

export async function runView(name: string, o: CliOptions, redis: Redis): Promise<Output> {
  const nodes = await readNodes(redis, o.prefix);
  const now = Date.now();
  switch (name) {
    case 'nodes': return ok(withEmptyNote(nodesView(nodes, now), nodes, o));
    case 'actors': {
      const chosen = o.node === null ? nodes : nodes.filter((n) => n.nodeId === o.node);
      if (o.node !== null && chosen.length === 0) {
        throw new CliError('NODE_NOT_FOUND', Exit.NOT_FOUND, `no live node ${o.node} (live: ${nodes.map((n) => n.nodeId).join(', ') || 'none'})`);
      }
      return ok(withEmptyNote(actorsView(chosen, now), nodes, o));
    }
    case 'sessions': return ok(withEmptyNote(sessionsView(nodes, now), nodes, o));
    case 'providers': return ok(withEmptyNote(providersView(nodes), nodes, o));
    case 'lag': {
      const cluster = await needCluster(redis, o);
      const topic = deadLetterTopic(cluster);
      const [lag, dead] = await withKafka(o.kafka, async (k) => [await consumerLag(k, cluster.stages), await readDeadLetters(k, topic, o)] as const);
      return ok(lagView(lag, nodes, { topic, letters: dead === null ? null : dead.entries.flatMap((e) => (e.letter ? [e.letter] : [])) }));
    }
    case 'outbox': {
      const cluster = await needCluster(redis, o);
      const delivery = cluster.stages.filter((s) => s.topic === cluster.topics.deliveries);
      const lag: PartitionLag[] = await withKafka(o.kafka, (k) => consumerLag(k, delivery));
      const partitions = lag.length;
      const held = new Map(await Promise.all(cluster.customers.map(async (c) => [c, await heldSummary(redis, o.prefix, c)] as const)));
      return ok(outboxView(cluster.customers, (c) => partitionForKey(cluster.topics.deliveries, c, partitions), lag, held, now));
    }
    default:
      throw usageError(`${name} is not a view`);
  }
}

/** top: every view, one after the other. Kafka trouble shows in its section rather than ending top. */
export async function allViews(o: CliOptions, redis: Redis): Promise<string> {
  const sections: string[] = [];
  for (const name of ['nodes', 'providers', 'sessions', 'lag', 'outbox', 'actors']) {
    let body: string;
    try {
      body = (await runView(name, o, redis)).view.text;
    } catch (err) {
      if (!(err instanceof CliError) || err.exitCode === Exit.REDIS_UNREACHABLE) throw err;
      body = `(${err.message})`;
    }
    sections.push(`== ${name} ==\n${body}`);
  }
  return sections.join('\n\n');
}

export async function runAction(o: CliOptions, redis: Redis): Promise<Output> {
  const action = actionOf(o);
  const verdict = await ask(redis, o.prefix, action, o.timeoutMs);
  const exitCode = verdict.ok ? Exit.OK : verdict.replies.length === 0 ? Exit.NO_ANSWER : Exit.REFUSED;
  return { view: { data: verdict, text: verdict.summary }, exitCode };
}

export function actionOf(o: CliOptions): ControlAction {
  switch (o.command) {
    case 'disconnect': return { action: 'disconnect', session: expectArgs(o, ['session'])[0]! };
    case 'block': return { action: 'block', customer: expectArgs(o, ['customer'])[0]! };
    case 'unblock': return { action: 'unblock', customer: expectArgs(o, ['customer'])[0]! };
    case 'pause': return { action: 'pause', provider: expectArgs(o, ['provider'])[0]! };
    case 'resume': return { action: 'resume', provider: expectArgs(o, ['provider'])[0]! };
    case 'reload-routes':
      expectArgs(o, []);
      return { action: 'reload-routes' };
    case 'rate': {
      const [what, id, n] = expectArgs(o, ['provider|customer', 'id', 'per-second']) as [string, string, string];
      const rate = Number(n);
      if (!Number.isFinite(rate) || rate <= 0) throw usageError(`rate: <per-second> must be a number > 0 (got ${JSON.stringify(n)})`);
      if (what === 'provider') return { action: 'provider-rate', provider: id, rate };
      if (what === 'customer') return { action: 'customer-rate', customer: id, rate };
      throw usageError(`rate: first argument must be provider or customer (got ${JSON.stringify(what)})`);
    }
    default:
      throw usageError(`${o.command} is not an action`);
  }
}

export async function runTrace(o: CliOptions, redis: Redis): Promise<Output> {
  const [messageId] = expectArgs(o, ['message-id']) as [string];
  const cluster = await needCluster(redis, o);
  // A message's events are in records written since it was made (its id says when; a minute
  // allows for clocks of other nodes), spread over the partitions: writers fold the events of
  // one produce request into one record.
  const made = messageIdTime(messageId);
  const events: LifecycleEvent[] = [];
  const partitions = new Set<number>();
  await withKafka(o.kafka, (k) => readTopicSince(k, cluster.topics.events, made === undefined ? 0 : made - 60_000, (partition, value) => {
    for (const ev of decodeEvents(value)) {
      if (ev.messageId !== messageId) continue;
      events.push(ev);
      partitions.add(partition);
    }
  }, silentLogger, o.timeoutMs * 6));
  if (events.length === 0) throw new CliError('MESSAGE_NOT_FOUND', Exit.NOT_FOUND, `no events for message ${messageId} in ${cluster.topics.events}`);
  return ok(traceView(messageId, [...partitions].sort((a, b) => a - b), events));
}

/**
 * `dead-letters`: lists the dead-letter topic; `dead-letters replay ...` writes the chosen dead
 * letters back to the topics they came from (they stay in the dead-letter topic).
 */
export async function runDeadLetters(o: CliOptions, redis: Redis): Promise<Output> {
  const request = deadLetterRequest(o.args, o.all);
  const cluster = await needCluster(redis, o);
  const topic = deadLetterTopic(cluster);
  return withKafka(o.kafka, async (k) => {
    if (request.kind === 'list') return ok(deadLettersView(await readDeadLetters(k, topic, o) ?? noTopic(topic)));
    const chosen = request.all ? await everyDeadLetter(k, topic, o) : await namedDeadLetters(k, topic, request.refs, o);
    return ok(replayView(topic, await replay(k, chosen)));
  });
}

/** The dead-letter topic the nodes named; derived from the prefix for a description older than the topic. */
function deadLetterTopic(cluster: ClusterDescription): string {
  return (cluster.topics as Partial<ClusterDescription['topics']>).deadLetters ?? cluster.topics.events.replace(/message-events$/, 'dead-letters');
}

function readDeadLetters(k: KafkaClient, topic: string, o: CliOptions, only?: number[]): Promise<DeadLetterLog | null> {
  return readDeadLetterLog(k, topic, { ...(only ? { only } : {}), timeoutMs: o.timeoutMs * 6, logger: silentLogger });
}

function noTopic(topic: string): never {
  throw new CliError('DEAD_LETTER_TOPIC_MISSING', Exit.NOT_FOUND, `no dead-letter topic ${topic} in Kafka (the nodes create it at start-up)`);
}

type Chosen = { ref: string; letter: DeadLetter };

async function everyDeadLetter(k: KafkaClient, topic: string, o: CliOptions): Promise<Chosen[]> {
  const log = await readDeadLetters(k, topic, o) ?? noTopic(topic);
  const byRef = new Map(log.entries.map((e) => [`${e.partition}:${e.offset}`, e.letter]));
  // In the order they were set aside.
  return deadLetterRows(log).map((r) => ({ ref: r.ref, letter: byRef.get(r.ref)! }));
}

/** The dead letters the operator named, every one checked before anything is written. */
async function namedDeadLetters(k: KafkaClient, topic: string, refs: readonly DeadLetterRef[], o: CliOptions): Promise<Chosen[]> {
  // Where each one is and that its offset is in the log, from the offsets alone; then only those partitions are read.
  const partitions = await deadLetterPartitions(k, topic) ?? noTopic(topic);
  const places = refs.map((ref) => {
    const partition = refPartition(ref, topic, partitions.length);
    const name = `${partition}:${ref.offset}`;
    const p = partitions.find((x) => x.partition === partition);
    if (!p) throw new CliError('DEAD_LETTER_NOT_FOUND', Exit.NOT_FOUND, `no dead letter ${name}: ${topic} has partitions 0..${partitions.length - 1}`);
    const offset = BigInt(ref.offset);
    if (offset < BigInt(p.start) || offset >= BigInt(p.end)) {
      throw new CliError('DEAD_LETTER_NOT_FOUND', Exit.NOT_FOUND, `no dead letter ${name}: partition ${partition} of ${topic} ${BigInt(p.end) > BigInt(p.start) ? `holds offsets ${p.start}..${BigInt(p.end) - 1n}` : 'is empty'}`);
    }
    return { partition, offset: ref.offset, name };
  });
  const log = await readDeadLetters(k, topic, o, [...new Set(places.map((x) => x.partition))]) ?? noTopic(topic);
  // `5` and `0:5` on a topic of one partition are one dead letter.
  return places.filter((x, i) => places.findIndex((y) => y.name === x.name) === i).map(({ partition, offset, name }) => {
    const entry = log.entries.find((e) => e.partition === partition && e.offset === offset);
    if (!entry) throw new CliError('DEAD_LETTER_NOT_FOUND', Exit.NOT_FOUND, `no dead letter ${name}: no record at that offset of ${topic} (a transaction marker or an aborted write)`);
    if (!entry.letter) throw new CliError('DEAD_LETTER_NOT_FOUND', Exit.NOT_FOUND, `no dead letter ${name}: the record there has no dead-letter headers`);
    return { ref: name, letter: entry.letter };
  });
}

/** Writes each back with acks=all, in order; a failure names what was already replayed. */
async function replay(k: KafkaClient, chosen: readonly Chosen[]): Promise<ReplayRow[]> {
  if (chosen.length === 0) return [];
  const replayer = await openReplayer(k);
  const rows: ReplayRow[] = [];
  try {
    const missing = await replayer.missingTopics(chosen.map((c) => c.letter));
    if (missing.length > 0) throw new CliError('TOPIC_NOT_FOUND', Exit.NOT_FOUND, `nothing replayed: no topic ${missing.join(', ')} in Kafka to write back to`);
    for (const { ref, letter } of chosen) {
      let to;
      try {
        to = await replayer.replay(letter);
      } catch (err) {
        const before = rows.length === 0 ? 'nothing replayed before it' : `replayed before it: ${rows.map((r) => `${r.ref} to ${r.to.topic} ${r.to.partition}:${r.to.offset}`).join(', ')}`;
        throw new CliError('REPLAY_FAILED', Exit.KAFKA_UNREACHABLE, `Kafka did not take the replay of ${ref} to ${letter.topic} (${before}): ${errorMessage(err)}`, err);
      }
      rows.push({ ref, stage: letter.stage, messageId: letter.messageId, from: { topic: letter.topic, partition: letter.partition, offset: letter.offset }, to });
    }
  } finally {
    await replayer.close();
  }
  return rows;
}

async function needCluster(redis: Redis, o: CliOptions): Promise<ClusterDescription> {
  const cluster = await readCluster(redis, o.prefix);
  if (!cluster) {
    throw new CliError('CLUSTER_UNKNOWN', Exit.NOT_FOUND, `no gateway has registered under prefix ${JSON.stringify(o.prefix)} in Redis yet (wrong --prefix?)`);
  }
  return cluster;
}

function withEmptyNote<T>(view: View<T>, nodes: readonly NodeStatus[], o: CliOptions): View<T> {
  if (nodes.length > 0) return view;
  return { data: view.data, text: `${view.text}\n(no live node under prefix ${JSON.stringify(o.prefix)})` };
}
