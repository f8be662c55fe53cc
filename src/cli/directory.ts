/**
 * `smsgw customer|provider add|set|remove|list`: the live directory (src/directory/) as an
 * operator changes it. A change is checked like a configuration file's entry, written to the
 * directory topic (acks=all), and the command waits until every live node says it applied it
 * (its status in Redis), or names the node that refused it and why.
 */
import { hostname, userInfo } from 'node:os';
import type { Redis } from 'ioredis';
import { hashPassword } from '../actors/session/password.js';
import { apiKeyDigest, apiKeyId, mintApiKey } from '../domain/api-keys.js';
import { validateCustomerEntry, validateProviderEntry } from '../config/validate.js';
import { isControlKey } from '../directory/controls.js';
import { decodeDirectoryRecord, directoryKey, DirectoryState, encodeDirectoryRecord, type DirectoryRecord, type EntryKind } from '../directory/records.js';
import { ConfigError } from '../errors.js';
import { replayTopic } from '../kafka/replay.js';
import { appendDurably } from '../kafka/topic-follower.js';
import type { KafkaClient } from '../kafka/client.js';
import { silentLogger } from '../log.js';
import type { NodeStatus } from '../control/status.js';
import { readCluster, readNodes } from './cluster.js';
import { withKafka } from './connections.js';
import { CliError, Exit, usageError } from './errors.js';
import { entryFromFlags, flagOf } from './entry-flags.js';
import type { CliOptions } from './options.js';
import { renderTable, duration } from './table.js';
import type { View } from './views.js';

export interface DirectoryOutput {
  view: View<unknown>;
  exitCode: number;
}

const VERBS = ['add', 'set', 'remove', 'list', 'key-add', 'key-revoke'] as const;
type Verb = (typeof VERBS)[number];
/** The verbs that change a customer's HTTP API keys (an entry `set` of its apiKeys). */
const KEY_VERBS: readonly Verb[] = ['key-add', 'key-revoke'];

export async function runDirectory(o: CliOptions, redis: Redis): Promise<DirectoryOutput> {
  const kind = o.command as EntryKind;
  const [verb, id, ...rest] = o.args as [Verb | undefined, string | undefined, ...string[]];
  if (verb === undefined || !VERBS.includes(verb)) throw usageError(`${kind} needs one of ${VERBS.join(', ')} (got ${verb === undefined ? 'nothing' : JSON.stringify(verb)})`);
  if (KEY_VERBS.includes(verb) && kind !== 'customer') throw usageError(`${verb} is for customers`);
  const extra = verb === 'key-revoke' ? 1 : 0;
  if (verb === 'list' ? id !== undefined : id === undefined || rest.length !== extra) {
    throw usageError(verb === 'list' ? `${kind} list takes no ${kind}` : verb === 'key-revoke' ? 'customer key-revoke needs <systemId> <key-id>' : `${kind} ${verb} needs one <${kind === 'customer' ? 'systemId' : 'id'}>`);
  }
  if ((verb === 'list' || verb === 'remove' || KEY_VERBS.includes(verb)) && Object.keys(o.entry).length > 0) throw usageError(`${kind} ${verb} takes no --${Object.keys(o.entry)[0]}`);
  const cluster = await readCluster(redis, o.prefix);
  if (!cluster) throw new CliError('CLUSTER_UNKNOWN', Exit.NOT_FOUND, `no gateway has registered under prefix ${JSON.stringify(o.prefix)} in Redis yet (wrong --prefix?)`);
  // A cluster description older than the directory: the topic follows the others' naming.
  const topic = (cluster.topics as { directory?: string }).directory ?? cluster.topics.events.replace(/message-events$/, 'gateway-directory');

  return withKafka(o.kafka, async (kafka) => {
    const state = await readDirectory(kafka, topic, o);
    if (verb === 'list') return { view: listView(kind, state, Date.now()), exitCode: Exit.OK };
    if (verb === 'key-add' || verb === 'key-revoke') {
      const k = keyChange(verb, id!, rest[0], state);
      const record = await change(kind, 'set', id!, {}, state, Date.now(), { apiKeys: k.apiKeys });
      await appendDurably(kafka, topic, [{ key: directoryKey(kind, id!), value: encodeDirectoryRecord(record) }]);
      const out = await waitApplied(redis, o, record, k.done);
      // The key itself is shown this once: the directory keeps only its digest.
      if (k.key === undefined) return out;
      return { exitCode: out.exitCode, view: { data: { key: k.key, id: k.id, ...(out.view.data as object) }, text: `API key for ${id} (shown once, keep it): ${k.key}\nkey id: ${k.id}\n${out.view.text}` } };
    }
    const record = await change(kind, verb, id!, o.entry, state);
    await appendDurably(kafka, topic, [{ key: directoryKey(kind, id!), value: encodeDirectoryRecord(record) }]);
    return waitApplied(redis, o, record, `${kind} ${id} ${verb === 'add' ? 'added' : verb === 'set' ? 'changed' : 'removed'}`);
  });
}

async function readDirectory(kafka: KafkaClient, topic: string, o: CliOptions): Promise<DirectoryState> {
  const state = new DirectoryState();
  await replayTopic(kafka, topic, async (records) => {
    // The operator's controls share the topic (src/directory/controls.ts); the entries are what is listed.
    for (const r of records) if (r.value !== null && !isControlKey(r.key)) state.apply(decodeDirectoryRecord(r.value));
  }, { timeoutMs: Math.max(30000, o.timeoutMs * 6), logger: silentLogger });
  return state;
}

/** A customer's API keys after minting one (`key` and its id given back) or revoking the one whose id is `keyId`. */
export function keyChange(verb: 'key-add' | 'key-revoke', systemId: string, keyId: string | undefined, state: DirectoryState): { apiKeys: string[]; key?: string; id: string; done: string } {
  const live = state.get('customer', systemId)?.entry;
  if (!live) throw new CliError('ENTRY_NOT_FOUND', Exit.NOT_FOUND, `no customer ${systemId} in the directory (\`smsgw customer list\` shows them)`);
  const keys = Array.isArray(live.apiKeys) ? (live.apiKeys as string[]) : [];
  if (verb === 'key-add') {
    const key = mintApiKey();
    const digest = apiKeyDigest(key);
    return { apiKeys: [...keys, digest], key, id: apiKeyId(digest), done: `API key ${apiKeyId(digest)} added to ${systemId}` };
  }
  const left = keys.filter((d) => apiKeyId(d) !== keyId);
  if (left.length === keys.length) throw new CliError('KEY_NOT_FOUND', Exit.NOT_FOUND, `${systemId} has no API key ${JSON.stringify(keyId)} (\`smsgw customer list --json\` shows the key ids)`);
  return { apiKeys: left, id: keyId!, done: `API key ${keyId} of ${systemId} revoked` };
}

/** The record an operator's change writes, checked as a configuration file's entry would be. */
export async function change(
  kind: EntryKind, verb: Exclude<Verb, 'list' | 'key-add' | 'key-revoke'>, id: string, flags: Readonly<Record<string, string>>, state: DirectoryState, now = Date.now(),
  fields: Record<string, unknown> = {},
): Promise<DirectoryRecord> {
  const existing = state.get(kind, id);
  const live = existing?.entry ?? null;
  if (verb === 'add' && live !== null) throw new CliError('ENTRY_EXISTS', Exit.REFUSED, `${kind} ${id} exists already; change it with \`smsgw ${kind} set ${id} ...\``);
  if (verb !== 'add' && live === null) throw new CliError('ENTRY_NOT_FOUND', Exit.NOT_FOUND, `no ${kind} ${id} in the directory (\`smsgw ${kind} list\` shows them)`);
  const base: DirectoryRecord = {
    kind, id, entry: null, seed: existing?.seed ?? null, at: now, by: `cli:${safeUser()}@${hostname()}`,
    ...(kind === 'provider' ? { slot: existing?.slot ?? state.nextSlot() } : {}),
  };
  if (verb === 'remove') return base;
  const given = { ...gatherWebhook(entryFromFlags(kind, flags), live), ...fields };
  const merged: Record<string, unknown> = { ...(verb === 'set' ? live : {}), ...given, [kind === 'customer' ? 'systemId' : 'id']: id };
  for (const [k, v] of Object.entries(merged)) if (v === null) delete merged[k];
  if (kind === 'customer' && given.password !== undefined) delete merged.passwordHash;
  if (kind === 'customer' && given.passwordHash !== undefined) delete merged.password;
  try {
    if (kind === 'customer') {
      validateCustomerEntry(merged, kind);
      // Stored hashed: the directory topic never holds a customer's password.
      if (typeof merged.password === 'string') merged.passwordHash = await hashPassword(merged.password);
      delete merged.password;
    } else validateProviderEntry(merged, kind);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const field = err.field.startsWith(`${kind}.`) ? err.field.slice(kind.length + 1).split(/[.[]/)[0]! : '';
    const flag = flagOf(kind, field);
    const why = err.message.slice(err.field.length + 2);
    throw new CliError('ENTRY_INVALID', Exit.USAGE, flag ? `--${flag}: ${why}` : `${kind} ${id}: ${err.field === kind ? '' : `${err.field.slice(kind.length + 1)}: `}${why}`, err);
  }
  return { ...base, entry: merged };
}

/** `webhook.url` and friends from the flags, merged over the live webhook into one `webhook` (null: removed). */
function gatherWebhook(given: Record<string, unknown>, live: Record<string, unknown> | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let hook: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(given)) {
    if (!k.startsWith('webhook.')) {
      out[k] = v;
      continue;
    }
    hook ??= { ...((live?.webhook as Record<string, unknown> | undefined) ?? {}) };
    hook[k.slice('webhook.'.length)] = v;
  }
  if (hook) out.webhook = hook.url === 'none' ? null : hook;
  return out;
}

/** Waits until every live node applied the change (its status names a directory record this new), or one refused it. */
async function waitApplied(redis: Redis, o: CliOptions, record: DirectoryRecord, done: string): Promise<DirectoryOutput> {
  const deadline = Date.now() + Math.max(o.timeoutMs, 10000);
  let nodes: NodeStatus[] = [];
  for (;;) {
    nodes = await readNodes(redis, o.prefix);
    const refused = nodes.filter((n) => n.directory?.error && (n.directory.appliedAt < record.at));
    const applied = nodes.filter((n) => (n.directory?.appliedAt ?? 0) >= record.at);
    if (nodes.length > 0 && applied.length === nodes.length) {
      return { view: { data: { done, nodes: applied.map((n) => n.nodeId) }, text: `${done}; in force on ${applied.length} of ${nodes.length} nodes (${applied.map((n) => n.nodeId).join(', ')})` }, exitCode: Exit.OK };
    }
    if (refused.length > 0 || Date.now() > deadline || nodes.length === 0) {
      const lines = [`${done} in the directory; in force on ${applied.length} of ${nodes.length} nodes`,
        ...refused.map((n) => `  ${n.nodeId} did not apply it: ${n.directory!.error}`),
        ...nodes.filter((n) => !applied.includes(n) && !refused.includes(n)).map((n) => `  ${n.nodeId}: not yet`)];
      if (nodes.length === 0) lines.push('  (no live node: each takes it when it starts)');
      return { view: { data: { done, applied: applied.map((n) => n.nodeId), refused: refused.map((n) => ({ node: n.nodeId, error: n.directory!.error })) }, text: lines.join('\n') }, exitCode: refused.length > 0 ? Exit.REFUSED : nodes.length === 0 ? Exit.OK : Exit.NO_ANSWER };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function listView(kind: EntryKind, state: DirectoryState, now: number): View<unknown> {
  const rows: Record<string, unknown>[] = state.live(kind).map((r) => ({ ...withDefaults(kind, r.entry!), source: r.by.startsWith('file:') ? 'file' : 'cli', updatedAt: r.at, updatedBy: r.by, ...(r.slot !== undefined ? { slot: r.slot } : {}) }));
  // Never a password or its hash, nor a webhook's secret, not even in --json; API keys by their ids.
  for (const row of rows) {
    delete row.password;
    delete row.passwordHash;
    if (row.webhook) row.webhook = { ...(row.webhook as object), secret: '<hidden>' };
    if (Array.isArray(row.apiKeys)) row.apiKeys = (row.apiKeys as string[]).map(apiKeyId);
  }
  const s = (v: unknown) => (Array.isArray(v) ? (v.length === 0 ? '-' : v.join(',')) : v === undefined ? '-' : String(v));
  const text = kind === 'customer'
    ? renderTable(['SYSTEM ID', 'BIND TYPES', 'RATE', 'MAX BINDS', 'NUMBERS', 'ALLOWED IPS', 'SOURCE', 'UPDATED'],
      rows.map((r) => [s(r.systemId), s(r.bindTypes), r.rate === undefined ? 'unlimited' : s(r.rate), s(r.maxBinds), s(r.numbers), s(r.allowedIps), s(r.source), `${duration(now - (r.updatedAt as number))} ago`]))
    : renderTable(['ID', 'HOST', 'SYSTEM ID', 'BIND', 'RATE', 'WINDOW', 'SLOT', 'SOURCE', 'UPDATED'],
      rows.map((r) => [s(r.id), `${s(r.host)}:${s(r.port)}`, s(r.systemId), s(r.bindType), s(r.rate), s(r.window), s(r.slot), s(r.source), `${duration(now - (r.updatedAt as number))} ago`]));
  return { data: rows, text };
}

/** The entry as a node runs it (defaults filled in); as stored when it does not pass the checks. */
function withDefaults(kind: EntryKind, entry: Record<string, unknown>): Record<string, unknown> {
  try {
    const full = kind === 'customer' ? validateCustomerEntry(entry, kind) : validateProviderEntry(entry, kind);
    return JSON.parse(JSON.stringify(full)) as Record<string, unknown>;
  } catch {
    return { ...entry };
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
