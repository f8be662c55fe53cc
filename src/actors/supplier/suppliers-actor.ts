/**
 * The actor of one partition of provider-outgoing-messages: the parent of the supplier actors
 * of the providers mapped to that partition. It starts them when the partition is assigned
 * (so their binds come up and receipts flow even without traffic) and they stop with it.
 */
import type { ActorRef, ActorSpec } from '../../runtime/actor.js';
import { decodeRecord, type OutgoingRecord } from '../../domain/records.js';
import { ownedProviders } from './ownership.js';
import { supplierActor, type SupplierDeps, type SupplierMessage } from './supplier-actor.js';
import { replyWhenDone, type RecordMessage } from '../stage-message.js';

type Children = Map<string, ActorRef<SupplierMessage>>;

/** reconfigure: new provider rates from a configuration reload, passed to the binds owned here. */
export type SuppliersMessage = RecordMessage | { type: 'reconfigure'; providers: { id: string; rate: number }[] } | { type: 'revoked' };

export function suppliersActor(partition: number, deps: SupplierDeps & { providerPartitions: number; recordTimeoutMs: number }): ActorSpec<Children, SuppliersMessage> {
  return {
    kind: 'suppliers',
    init: (ctx) => {
      const children: Children = new Map();
      for (const provider of ownedProviders(deps.config.providers, [partition], deps.providerPartitions)) {
        children.set(provider.id, ctx.spawn(`supplier-${provider.id}`, supplierActor(provider, deps)));
      }
      ctx.log.info('provider binds owned', { partition, providers: [...children.keys()] });
      return children;
    },
    receive: (children, message, ctx) => {
      if (message.type === 'revoked') {
        for (const ref of children.values()) ref.tell({ type: 'revoked' });
        return children;
      }
      if (message.type === 'reconfigure') {
        for (const p of message.providers) children.get(p.id)?.tell({ type: 'setRate', rate: p.rate });
        return children;
      }
      const out = decodeRecord<OutgoingRecord>(message.record.value);
      const ref = children.get(out.provider);
      if (!ref) {
        // The router placed it by a provider list this node does not share (a configuration
        // change in progress); leave it uncommitted rather than send it to the wrong bind.
        throw new Error(`provider ${out.provider} does not belong to partition ${partition} here`);
      }
      replyWhenDone(ctx, ref.ask(message, deps.recordTimeoutMs));
      return children;
    },
  };
}
