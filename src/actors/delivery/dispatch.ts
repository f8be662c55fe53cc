/**
 * Where a receipt or MO goes out, on the main thread: a receipt of a message sent with Kannel's
 * dlr-url to that URL (src/http/dlr-url.ts); otherwise to the customer's webhook when it has
 * one (src/http/webhook.ts; with `preferSmpp`, only while it has no receiving bind anywhere);
 * otherwise over a receiving bind of the customer on this node when there is one, else
 * through a node the session registry names as holding a receiver or transceiver bind of the
 * customer (NodeLink). The promise settles with the customer's answer, which decides whether
 * the delivery stage commits the record.
 */
import type { OutboxRecord } from '../../domain/records.js';
import { UnavailableError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { LocalSessions } from '../session/local-sessions.js';
import type { SessionRegistry } from '../../redis/stores/session-registry.js';
import type { NodeLink } from './node-link.js';
import type { GatewayMetrics } from '../../metrics/gateway-metrics.js';
import type { WebhookConfig } from '../../config/types.js';
import type { DeliveredBy } from '../../host/stage.js';
import { postWebhook } from '../../http/webhook.js';
import { callDlrUrl } from '../../http/dlr-url.js';

export interface DispatchDeps {
  nodeId: string;
  local: LocalSessions;
  registry: Pick<SessionRegistry, 'list'>;
  link: Pick<NodeLink, 'forward'>;
  responseTimeoutMs: number;
  logger: Logger;
  /** Counts what customers accepted here (a forwarded record is counted by the node that sent it over its bind). */
  metrics?: GatewayMetrics;
  /** The customer's webhook, if it takes its deliveries by HTTP (read at each delivery: customers change live). */
  webhookOf?: (customer: string) => WebhookConfig | undefined;
}

/** Errors that say "not there", as opposed to "there, but the customer did not take it". */
const NOT_THERE = new Set(['CUSTOMER_NOT_BOUND', 'SESSION_GONE', 'NODE_UNREACHABLE', 'NODE_LINK_UNAVAILABLE']);

export class DeliveryDispatch {
  private rotation = 0;

  constructor(private readonly deps: DispatchDeps) {}

  /** Over a bind on this node only. */
  async deliverLocal(record: OutboxRecord): Promise<void> {
    const session = this.deps.local.receiverFor(record.customer);
    if (!session) throw new UnavailableError('CUSTOMER_NOT_BOUND', `no receiving bind of ${record.customer} on node ${this.deps.nodeId}`);
    await session.ref.ask<void>({ type: 'deliver', record }, this.deps.responseTimeoutMs);
    this.deps.metrics?.delivered(record, Date.now());
  }

  /** By webhook, or over a bind on this node, else on another node that has one; resolves with the way it went. */
  async deliver(record: OutboxRecord): Promise<DeliveredBy> {
    // A message sent with Kannel's dlr-url has its receipts told there, whoever the customer is.
    if (record.kind === 'receipt' && record.dlr) {
      await callDlrUrl({ ...record, dlr: record.dlr }, this.deps.responseTimeoutMs);
      this.deps.metrics?.delivered(record, Date.now());
      return 'http';
    }
    const hook = this.deps.webhookOf?.(record.customer);
    if (hook && !hook.preferSmpp) return this.deliverByWebhook(hook, record);
    if (!hook) return this.deliverBySmpp(record);
    try {
      return await this.deliverBySmpp(record);
    } catch (err) {
      if ((err as { code?: string }).code !== 'CUSTOMER_NOT_BOUND') throw err;
      return this.deliverByWebhook(hook, record);
    }
  }

  private async deliverByWebhook(hook: WebhookConfig, record: OutboxRecord): Promise<DeliveredBy> {
    await postWebhook(hook, record, this.deps.responseTimeoutMs);
    this.deps.metrics?.delivered(record, Date.now());
    return 'http';
  }

  private async deliverBySmpp(record: OutboxRecord): Promise<DeliveredBy> {
    if (this.deps.local.receiverFor(record.customer)) {
      await this.deliverLocal(record);
      return 'smpp';
    }
    let nodes: string[];
    try {
      const entries = await this.deps.registry.list(record.customer);
      nodes = [...new Set(entries.filter((e) => e.bindType !== 'transmitter' && e.node !== this.deps.nodeId).map((e) => e.node))];
    } catch (err) {
      throw new UnavailableError('CUSTOMER_NOT_BOUND', `session registry unavailable: ${errorMessage(err)}`, err);
    }
    // Rotate the starting node so deliveries spread over the nodes holding binds.
    const start = this.rotation++ % Math.max(1, nodes.length);
    for (const node of [...nodes.slice(start), ...nodes.slice(0, start)]) {
      try {
        // The remote waits up to responseTimeoutMs for the customer; allow for the hops.
        await this.deps.link.forward(node, record, this.deps.responseTimeoutMs + 2000);
        return 'smpp';
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (!NOT_THERE.has(code)) throw err;
        this.deps.logger.debug('delivery: node named by the registry has no bind', { node, customer: record.customer, code });
      }
    }
    throw new UnavailableError('CUSTOMER_NOT_BOUND', `no receiving bind of ${record.customer} on any node`);
  }
}
