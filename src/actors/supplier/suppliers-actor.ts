/**
 * The actor of one partition of provider-outgoing-messages: the parent of the supplier actors
 * of the providers mapped to that partition. It starts them when the partition is assigned
 * (so their binds come up and receipts flow even without traffic) and they stop with it.
 *
 * Providers come and go at runtime (the live directory): a new one gets its supplier at once;
 * a removed one's supplier finishes the messages under way, lingers for their receipts
 * (supplier-actor.ts retireNow) and unbinds (retires), and records
 * for it that come after are handed back to the router with the provider excluded; a changed
 * one (anything but its rate) retires and a new supplier with the new settings takes over once
 * the old one is done, its records waiting (refused, retried) meanwhile.
 */
import type { ActorRef, ActorSpec } from '../../runtime/actor.js';
import type { ActorContext } from '../../runtime/context.js';
import type { GatewayConfig, ProviderConfig } from '../../config/types.js';
import { compileNumberOwners } from '../../domain/routing/number-owners.js';
import { UnavailableError } from '../../errors.js';
import { encodeRecord, type MessageRecord } from '../../domain/records.js';
import { lifecycleEvent } from '../../domain/lifecycle.js';
import { eventRecord } from '../event-record.js';
import { ownedProviders } from './ownership.js';
import { supplierActor, type SupplierDeps, type SupplierMessage } from './supplier-actor.js';
import { InFlight, stageSupervision, type RecordMessage, type WorkDone } from '../stage-message.js';
import { decodeOutgoing } from './decode.js';
import { supplierActorName } from './supplier-control.js';

interface Child {
  ref: ActorRef<SupplierMessage>;
  config: ProviderConfig;
}

interface Suppliers {
  children: Map<string, Child>;
  /** Providers whose supplier is retiring, with the settings of the one to start after it (null: removed). */
  retiring: Map<string, ProviderConfig | null>;
  /** Providers the live directory removed: their records go back to the router. */
  removed: Set<string>;
  /** How many suppliers each provider had here: a replacement's name is told apart by it. */
  generations: Map<string, number>;
  /** Records handed to a child and not yet answered by it. */
  work: InFlight;
}

/**
 * reconfigure: the providers of a changed configuration (a reload, the live directory).
 * retired: a child finished retiring.
 */
export type SuppliersControl = { type: 'reconfigure'; config: GatewayConfig } | { type: 'revoked' };
export type SuppliersMessage = RecordMessage | SuppliersControl | WorkDone | { type: 'retired'; provider: string };

export function suppliersActor(partition: number, deps: SupplierDeps & { providerPartitions: number; recordTimeoutMs: number }): ActorSpec<Suppliers, SuppliersMessage> {
  return {
    kind: 'suppliers',
    supervision: stageSupervision,
    init: (ctx) => {
      const state: Suppliers = { children: new Map(), retiring: new Map(), removed: new Set(deps.config.removedProviders ?? []), generations: new Map(), work: new InFlight() };
      for (const provider of ownedProviders(deps.config.providers, [partition], deps.providerPartitions)) spawn(state, provider, ctx);
      ctx.log.info('provider binds owned', { partition, providers: [...state.children.keys()] });
      return state;
    },
    receive: (state, message, ctx) => {
      switch (message.type) {
        case 'workDone':
          state.work.finish(message);
          return state;
        case 'revoked':
          for (const c of state.children.values()) c.ref.tell({ type: 'revoked' });
          return state;
        case 'reconfigure':
          // Shared with the children: MO goes to the numbers' owners of now; a restart starts from now.
          deps.config = message.config;
          deps.numberOwners = compileNumberOwners(message.config.customers);
          state.removed = new Set(message.config.removedProviders ?? []);
          reconfigure(state, [...message.config.providers], ctx);
          return state;
        case 'retired': {
          const next = state.retiring.get(message.provider);
          state.retiring.delete(message.provider);
          if (next) spawn(state, next, ctx);
          return state;
        }
        case 'record':
          return onRecord(state, message, ctx);
      }
    },
  };

  function spawn(state: Suppliers, provider: ProviderConfig, ctx: ActorContext<SuppliersMessage>): void {
    const generation = state.generations.get(provider.id) ?? 0;
    state.generations.set(provider.id, generation + 1);
    // Operators address suppliers by supplierActorName; a replacement adds `~n` (actor-control.ts).
    const name = generation === 0 ? supplierActorName(provider.id) : `${supplierActorName(provider.id)}~${generation}`;
    state.children.set(provider.id, { ref: ctx.spawn(name, supplierActor(provider, deps)), config: provider });
  }

  function retire(state: Suppliers, id: string, next: ProviderConfig | null, ctx: ActorContext<SuppliersMessage>): void {
    const child = state.children.get(id);
    if (!child) return;
    state.children.delete(id);
    state.retiring.set(id, next);
    const self = ctx.self;
    child.ref.tell({ type: 'retire', onRetired: () => void self.tell({ type: 'retired', provider: id }) });
    ctx.log.info(next ? 'provider changed: its bind retires and starts again with the new settings' : 'provider removed: its bind retires', { partition, provider: id });
  }

  function reconfigure(state: Suppliers, providers: ProviderConfig[], ctx: ActorContext<SuppliersMessage>): void {
    const owned = new Map(ownedProviders(providers, [partition], deps.providerPartitions).map((p) => [p.id, p]));
    for (const id of [...state.children.keys()]) if (!owned.has(id)) retire(state, id, null, ctx);
    for (const [id, next] of state.retiring) if (next !== null && !owned.has(id)) state.retiring.set(id, null);
    for (const p of owned.values()) {
      const child = state.children.get(p.id);
      if (state.retiring.has(p.id)) state.retiring.set(p.id, p);
      else if (!child) {
        spawn(state, p, ctx);
        ctx.log.info('provider added: its bind starts', { partition, provider: p.id });
      } else if (sameExceptRate(child.config, p)) {
        if (child.config.rate !== p.rate) child.ref.tell({ type: 'setRate', rate: p.rate });
        child.config = p;
      } else retire(state, p.id, p, ctx);
    }
  }

  function onRecord(state: Suppliers, message: RecordMessage, ctx: ActorContext<SuppliersMessage>): Suppliers {
    const out = state.work.read(ctx, () => decodeOutgoing(message.record.value));
    if (out === undefined) return state;
    const child = state.children.get(out.provider);
    if (child) {
      state.work.start(ctx, child.ref.ask(message, deps.recordTimeoutMs), out.message.id, (done) => done);
      return state;
    }
    if (state.removed.has(out.provider) && !state.retiring.has(out.provider)) {
      // Routed before the provider was removed: the router picks again without it.
      state.work.start(ctx, handBack(out.message, out.provider), out.message.id, (done) => done);
      return state;
    }
    // A replacement under way, or a provider list this node does not share yet (a change in
    // progress): left uncommitted and tried again rather than sent to the wrong bind.
    state.work.refuse(ctx, new UnavailableError('PROVIDER_NOT_HERE', state.retiring.has(out.provider)
      ? `provider ${out.provider} is being replaced on partition ${partition}`
      : `provider ${out.provider} does not belong to partition ${partition} here`));
    return state;
  }

  async function handBack(m: MessageRecord, provider: string): Promise<void> {
    const reroute = { excluded: [...(m.reroute?.excluded ?? []), provider], reason: 'down' as const, lastStatus: null };
    await deps.writer.append([
      { topic: deps.topics.messages, key: m.id, value: encodeRecord({ ...m, reroute } satisfies MessageRecord) },
      eventRecord(deps.topics, lifecycleEvent(m.id, 'rerouted', deps.nodeId, { provider, reason: 'provider removed', status: null }, Date.now())),
    ]);
  }
}

/** Whether only the rate differs (the one setting a running bind takes without starting again). */
function sameExceptRate(a: ProviderConfig, b: ProviderConfig): boolean {
  const { rate: _a, ...restA } = a;
  const { rate: _b, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB);
}
