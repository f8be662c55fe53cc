/**
 * Node-to-node delivery over Redis pub/sub, on the main thread where the sockets are: a node
 * whose delivery stage owns a customer's partition, but has no bind of that customer, asks a
 * node that has one to send the deliver_sm, and learns whether the customer took it.
 *
 * Each node subscribes to its inbox channel and its replies channel. A request nobody
 * subscribes to (the node is gone: PUBLISH reaches 0 clients) fails at once; one whose reply
 * does not come in time fails with a timeout. Either way the caller keeps the record (it is
 * only committed on success), so a lost reply can repeat a delivery but never lose one.
 */
import type { RedisClient } from '../../redis/client.js';
import { redisKeys, type RedisKeys } from '../../redis/keys.js';
import type { Logger } from '../../log.js';
import { GatewayError, TimeoutError, UnavailableError, errorMessage } from '../../errors.js';
import type { OutboxRecord } from '../../domain/records.js';

interface Request {
  id: number;
  from: string;
  record: OutboxRecord;
}

interface Reply {
  id: number;
  ok: boolean;
  code?: string;
  message?: string;
}

export interface NodeLinkOptions {
  redis: RedisClient;
  prefix: string;
  nodeId: string;
  /** Sends a record over a bind on this node only (never forwards again). */
  deliverLocal: (record: OutboxRecord) => Promise<void>;
  logger: Logger;
}

export class NodeLink {
  private readonly subscriber: RedisClient;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private nextId = 0;
  private readonly keys: RedisKeys;

  constructor(private readonly options: NodeLinkOptions) {
    this.keys = redisKeys(options.prefix);
    // A connection in subscriber mode can do nothing else; ioredis resubscribes after a reconnect.
    this.subscriber = options.redis.duplicate();
    let lastError = '';
    this.subscriber.on('error', (err: Error) => {
      if (err.message !== lastError) options.logger.warn('node link: redis error', { error: err.message });
      lastError = err.message;
    });
    this.subscriber.on('message', (channel: string, message: string) => this.onMessage(channel, message));
  }

  private inbox(node: string): string {
    return this.keys.nodeInbox(node);
  }

  private replies(node: string): string {
    return this.keys.nodeReplies(node);
  }

  async start(): Promise<void> {
    await this.subscriber.subscribe(this.inbox(this.options.nodeId), this.replies(this.options.nodeId));
  }

  async stop(): Promise<void> {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new UnavailableError('NODE_LINK_STOPPED', 'node link stopped'));
      this.pending.delete(id);
    }
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  /** Has `node` send `record` over one of its binds; rejects unless the customer took it. */
  async forward(node: string, record: OutboxRecord, timeoutMs: number): Promise<void> {
    const id = ++this.nextId;
    const request: Request = { id, from: this.options.nodeId, record };
    const answered = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TimeoutError(`node ${node} did not answer a delivery in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
    let receivers: number;
    try {
      receivers = await this.options.redis.publish(this.inbox(node), JSON.stringify(request));
    } catch (err) {
      this.settle({ id, ok: false, code: 'NODE_LINK_UNAVAILABLE', message: errorMessage(err) });
      return answered;
    }
    if (receivers === 0) this.settle({ id, ok: false, code: 'NODE_UNREACHABLE', message: `node ${node} is not listening` });
    return answered;
  }

  private onMessage(channel: string, message: string): void {
    try {
      if (channel === this.replies(this.options.nodeId)) this.settle(JSON.parse(message) as Reply);
      else if (channel === this.inbox(this.options.nodeId)) this.serve(JSON.parse(message) as Request);
    } catch (err) {
      this.options.logger.warn('node link: unreadable message', { channel, error: errorMessage(err) });
    }
  }

  private settle(reply: Reply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve();
    else p.reject(new GatewayError(reply.code ?? 'DELIVER_FAILED', reply.message ?? 'delivery failed on the remote node', { retriable: true }));
  }

  private serve(request: Request): void {
    const answer = (reply: Reply) => {
      this.options.redis.publish(this.replies(request.from), JSON.stringify(reply)).catch((err: unknown) =>
        this.options.logger.warn('node link: reply not sent', { to: request.from, error: errorMessage(err) }));
    };
    this.options.deliverLocal(request.record).then(
      () => answer({ id: request.id, ok: true }),
      (err: unknown) => answer({ id: request.id, ok: false, code: (err as { code?: string }).code ?? 'DELIVER_FAILED', message: errorMessage(err) }),
    );
  }
}
