/**
 * Requests the CLI sends to the nodes over the Redis control channel, and the nodes' answers.
 * Every node hears every request; the node that owns the thing acts and answers `done`, the
 * others answer `not-mine`, and a node that owns it but cannot do it answers `refused` with a
 * reason. Cluster-wide actions (block, customer rate, reload) are done by every node.
 */
export type ControlAction =
  | { action: 'disconnect'; session: string }
  | { action: 'block'; customer: string }
  | { action: 'unblock'; customer: string }
  | { action: 'pause'; provider: string }
  | { action: 'resume'; provider: string }
  | { action: 'provider-rate'; provider: string; rate: number }
  | { action: 'customer-rate'; customer: string; rate: number }
  | { action: 'reload-routes' };

export type ControlRequest = ControlAction & { requestId: string; sentAt: number };

export type ControlOutcome = 'done' | 'refused' | 'not-mine';

export interface ControlReply {
  requestId: string;
  node: string;
  outcome: ControlOutcome;
  /** What was done, or why not. */
  detail: string;
}

/** Whether one node's `done` settles the action, or every live node must answer. */
export function isClusterWide(a: ControlAction): boolean {
  return a.action === 'block' || a.action === 'unblock' || a.action === 'customer-rate' || a.action === 'reload-routes';
}

/** Parses a request off the channel; null for anything malformed (never trusted further). */
export function parseRequest(text: string): ControlRequest | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const r = v as Record<string, unknown>;
  if (typeof r.requestId !== 'string' || typeof r.sentAt !== 'number') return null;
  const s = (k: string) => typeof r[k] === 'string' && (r[k] as string).length > 0;
  const rate = typeof r.rate === 'number' && Number.isFinite(r.rate) && r.rate > 0;
  switch (r.action) {
    case 'disconnect': return s('session') ? (r as unknown as ControlRequest) : null;
    case 'block': case 'unblock': return s('customer') ? (r as unknown as ControlRequest) : null;
    case 'pause': case 'resume': return s('provider') ? (r as unknown as ControlRequest) : null;
    case 'provider-rate': return s('provider') && rate ? (r as unknown as ControlRequest) : null;
    case 'customer-rate': return s('customer') && rate ? (r as unknown as ControlRequest) : null;
    case 'reload-routes': return r as unknown as ControlRequest;
    default: return null;
  }
}

export interface Verdict {
  ok: boolean;
  /** One line for the operator. */
  summary: string;
  replies: readonly ControlReply[];
  /** Live nodes that did not answer in time. */
  silent: readonly string[];
}

/**
 * The overall answer from the nodes' replies. A single-owner action succeeds when one node
 * did it; a cluster-wide one when every live node did. Pure.
 */
export function judge(action: ControlAction, replies: readonly ControlReply[], liveNodes: readonly string[]): Verdict {
  const answered = new Set(replies.map((r) => r.node));
  const silent = liveNodes.filter((n) => !answered.has(n));
  const done = replies.filter((r) => r.outcome === 'done');
  const refused = replies.filter((r) => r.outcome === 'refused');
  const lines = (rs: readonly ControlReply[]) => rs.map((r) => `${r.node}: ${r.detail}`).join('; ');
  if (isClusterWide(action)) {
    if (replies.length === 0) return { ok: false, summary: 'refused: no node answered (is any gateway node running?)', replies, silent };
    if (refused.length > 0) return { ok: false, summary: `refused by ${lines(refused)}`, replies, silent };
    const tail = silent.length > 0 ? ` (no answer from ${silent.join(', ')})` : '';
    return { ok: silent.length === 0, summary: `${silent.length === 0 ? 'done' : 'partly done'}: ${lines(done)}${tail}`, replies, silent };
  }
  if (done.length > 0) return { ok: true, summary: `done: ${lines(done)}`, replies, silent };
  if (refused.length > 0) return { ok: false, summary: `refused: ${lines(refused)}`, replies, silent };
  if (replies.length === 0) return { ok: false, summary: 'refused: no node answered (is any gateway node running?)', replies, silent };
  const what = 'session' in action ? `session ${action.session}` : 'provider' in action ? `provider ${action.provider}` : action.action;
  const tail = silent.length > 0 ? `; no answer from ${silent.join(', ')}` : '';
  return { ok: false, summary: `refused: no node owns ${what} (asked ${[...answered].join(', ')}${tail})`, replies, silent };
}
