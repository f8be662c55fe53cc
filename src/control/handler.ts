/**
 * A node's side of the control channel: hears every request, acts on what it owns and answers.
 * Sessions live on the main thread's actor system; provider binds and routers live on the
 * stage workers and are reached through the pool (src/host/threads/actor-control.ts).
 */
import type { GatewayConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { RedisClient } from '../redis/client.js';
import { errorMessage } from '../errors.js';
import type { ActorSystem } from '../runtime/system.js';
import type { StagePool } from '../host/threads/stage-pool.js';
import { readSupplierControlReply, SUPPLIER_KIND, supplierActorName, type SupplierControl } from '../actors/supplier/supplier-control.js';
import type { ActorControlResult } from '../host/threads/protocol.js';
import type { CustomerControls } from './customer-controls.js';
import { ProviderControls } from './provider-controls.js';
import type { ControlJournal } from '../directory/live-directory.js';
import type { ControlOutcome, ControlReply, ControlRequest } from './protocol.js';
import type { ReloadResult } from '../node-types.js';
import { parseRequest } from './protocol.js';
import { controlKeys } from '../redis/keys.js';

export interface HandlerDeps {
  nodeId: string;
  config: GatewayConfig;
  redis: RedisClient;
  system: ActorSystem;
  pool: StagePool;
  controls: CustomerControls;
  /** Where provider controls are journalled besides Redis (the live directory). */
  journal?: ControlJournal;
  /** The node's one reload (GatewayNode.reload): the file watch and SIGHUP use it too. */
  reload: () => Promise<ReloadResult>;
  log: Logger;
}

const ACTOR_TIMEOUT_MS = 3000;
/** A session asked to go is given this long to answer its unbind before the socket is cut. */
const UNBIND_TIMEOUT_MS = 2000;

type Answer = { outcome: ControlOutcome; detail: string };

export class ControlHandler {
  private subscriber: RedisClient | undefined;
  private readonly providerControls: ProviderControls;

  constructor(private deps: HandlerDeps) {
    this.providerControls = new ProviderControls(deps.redis, deps.config.redis.keyPrefix, deps.journal);
  }

  /** Customers and providers changed (live directory): later commands check against them. */
  reconfigure(config: GatewayConfig): void {
    this.deps = { ...this.deps, config };
  }

  async start(): Promise<void> {
    const keys = controlKeys(this.deps.config.redis.keyPrefix);
    // A subscribed connection can do nothing else: a connection of its own.
    const sub = this.deps.redis.duplicate();
    this.subscriber = sub;
    sub.on('error', () => undefined); // the main connection reports Redis trouble already
    sub.on('message', (_channel: string, text: string) => void this.onMessage(text));
    await sub.subscribe(keys.requests);
  }

  async stop(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  private async onMessage(text: string): Promise<void> {
    const request = parseRequest(text);
    if (!request) {
      this.deps.log.warn('malformed control request ignored', { length: text.length });
      return;
    }
    let answer: Answer;
    try {
      answer = await this.handle(request);
    } catch (err) {
      answer = { outcome: 'refused', detail: errorMessage(err) };
    }
    if (answer.outcome !== 'not-mine') this.deps.log.info('control request', { ...request, ...answer });
    const reply: ControlReply = { requestId: request.requestId, node: this.deps.nodeId, ...answer };
    const keys = controlKeys(this.deps.config.redis.keyPrefix);
    await this.deps.redis.publish(keys.replies(request.requestId), JSON.stringify(reply)).catch((err: unknown) =>
      this.deps.log.warn('control reply not sent', { error: errorMessage(err) }));
  }

  private async handle(r: ControlRequest): Promise<Answer> {
    const { controls, config } = this.deps;
    switch (r.action) {
      case 'disconnect': {
        const closed = this.closeSessions((g) => g.session === r.session);
        if (closed.length === 0) return { outcome: 'not-mine', detail: `no session ${r.session} here` };
        return { outcome: 'done', detail: `session ${r.session} of ${closed[0]} unbound and closed` };
      }
      case 'block': {
        if (!knownCustomer(config, r.customer)) return { outcome: 'refused', detail: `no customer ${r.customer} in the configuration` };
        await controls.block(r.customer);
        const closed = this.closeSessions((g) => g.customer === r.customer);
        return { outcome: 'done', detail: `${r.customer} blocked; ${closed.length} session(s) closed here` };
      }
      case 'unblock':
        await controls.unblock(r.customer);
        return { outcome: 'done', detail: `${r.customer} unblocked` };
      case 'customer-rate': {
        const c = config.customers.find((x) => x.systemId === r.customer);
        if (!c) return { outcome: 'refused', detail: `no customer ${r.customer} in the configuration` };
        await controls.setRate(r.customer, r.rate);
        return { outcome: 'done', detail: `${r.customer} rate ${r.rate}/s (configured ${c.rate ?? 'unlimited'})` };
      }
      case 'pause': case 'resume': case 'provider-rate': {
        if (!config.providers.some((p) => p.id === r.provider)) return { outcome: 'refused', detail: `no provider ${r.provider} in the configuration` };
        // Kept first (every node writes the same), so the next owner of the bind honours it too.
        if (r.action === 'pause') await this.providerControls.pause(r.provider);
        else if (r.action === 'resume') await this.providerControls.resume(r.provider);
        else await this.providerControls.setRate(r.provider, r.rate);
        const message: SupplierControl = r.action === 'provider-rate' ? { type: 'control', action: 'rate', rate: r.rate } : { type: 'control', action: r.action };
        const results = await this.onWorkers(SUPPLIER_KIND, message, supplierActorName(r.provider));
        const [first] = results;
        if (first === undefined) return { outcome: 'not-mine', detail: `provider ${r.provider} is not bound from here` };
        if (!first.ok) return { outcome: 'refused', detail: `provider ${r.provider}: ${first.error.message}` };
        const v = readSupplierControlReply(first.value);
        return { outcome: 'done', detail: `provider ${r.provider} ${v.paused ? 'paused' : 'sending'} at ${v.rate}/s` };
      }
      case 'reload-routes':
        return this.reloadRoutes();
    }
  }

  private async reloadRoutes(): Promise<Answer> {
    const r = await this.deps.reload();
    // A ConfigError's message names its field already.
    if (!r.ok) return { outcome: 'refused', detail: r.error };
    return { outcome: 'done', detail: `${r.routes} route(s) installed; ${r.actors} stage actor(s) told on ${r.workers} worker thread(s)` };
  }

  private async onWorkers<M>(kind: string, message: M, name?: string): Promise<ActorControlResult[]> {
    const answers = await this.deps.pool.control({ kind, message, timeoutMs: ACTOR_TIMEOUT_MS, ...(name === undefined ? {} : { name }) });
    return answers.flatMap((a) => a.results);
  }

  /** Asks the matching session actors of this node to unbind and close; their customers. */
  private closeSessions(match: (gauges: Readonly<Record<string, number | string>>) => boolean): string[] {
    const customers: string[] = [];
    for (const a of this.deps.system.snapshot()) {
      if (a.kind !== 'session' || !match(a.gauges)) continue;
      const ref = this.deps.system.lookup(a.address);
      if (ref?.tell({ type: 'shutdown', unbindTimeoutMs: UNBIND_TIMEOUT_MS })) customers.push(String(a.gauges.customer));
    }
    return customers;
  }
}

function knownCustomer(config: GatewayConfig, customer: string): boolean {
  return config.customers.some((c) => c.systemId === customer);
}
