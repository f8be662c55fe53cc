/**
 * The actor of one partition of provider-outgoing-messages: the parent of the supplier actors
 * of the providers mapped to that partition. It starts them when the partition is assigned
 * (so their binds come up and receipts flow even without traffic) and they stop with it.
 */
import type { ActorRef, ActorSpec } from '../../runtime/actor.js';
import { UnavailableError } from '../../errors.js';
import { ownedProviders } from './ownership.js';
import { supplierActor, type SupplierDeps, type SupplierMessage } from './supplier-actor.js';
import { InFlight, stageSupervision, type RecordMessage, type WorkDone } from '../stage-message.js';
import { decodeOutgoing } from './decode.js';
import { supplierActorName } from './supplier-control.js';

interface Suppliers {
  children: Map<string, ActorRef<SupplierMessage>>;
  /** Records handed to a child and not yet answered by it. */
  work: InFlight;
}

/** reconfigure: new provider rates from a configuration reload, passed to the binds owned here. */
export type SuppliersControl = { type: 'reconfigure'; providers: { id: string; rate: number }[] } | { type: 'revoked' };
export type SuppliersMessage = RecordMessage | SuppliersControl | WorkDone;

export function suppliersActor(partition: number, deps: SupplierDeps & { providerPartitions: number; recordTimeoutMs: number }): ActorSpec<Suppliers, SuppliersMessage> {
  return {
    kind: 'suppliers',
    supervision: stageSupervision,
    init: (ctx) => {
      const children: Suppliers['children'] = new Map();
      for (const provider of ownedProviders(deps.config.providers, [partition], deps.providerPartitions)) {
        children.set(provider.id, ctx.spawn(supplierActorName(provider.id), supplierActor(provider, deps)));
      }
      ctx.log.info('provider binds owned', { partition, providers: [...children.keys()] });
      return { children, work: new InFlight() };
    },
    receive: (state, message, ctx) => {
      const { children } = state;
      if (message.type === 'workDone') {
        state.work.finish(message);
        return state;
      }
      if (message.type === 'revoked') {
        for (const ref of children.values()) ref.tell({ type: 'revoked' });
        return state;
      }
      if (message.type === 'reconfigure') {
        for (const p of message.providers) children.get(p.id)?.tell({ type: 'setRate', rate: p.rate });
        return state;
      }
      const out = state.work.read(ctx, () => decodeOutgoing(message.record.value));
      if (out === undefined) return state;
      const ref = children.get(out.provider);
      if (!ref) {
        // The router placed it by a provider list this node does not share (a configuration
        // change in progress); leave it uncommitted rather than send it to the wrong bind.
        state.work.refuse(ctx, new UnavailableError('PROVIDER_NOT_HERE', `provider ${out.provider} does not belong to partition ${partition} here`));
        return state;
      }
      state.work.start(ctx, ref.ask(message, deps.recordTimeoutMs), out.message.id, (done) => done);
      return state;
    },
  };
}
