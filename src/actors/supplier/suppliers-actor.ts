/**
 * The parent of this node's supplier actors. It follows the partition assignment of
 * provider-outgoing-messages: a supplier runs (and keeps its provider bound, receiving
 * receipts) exactly while this node owns its provider's partition.
 */
import type { ActorRef, ActorSpec } from '../../runtime/actor.js';
import type { ActorContext } from '../../runtime/context.js';
import { decodeRecord, type OutgoingRecord } from '../../domain/records.js';
import { ownedProviders } from './ownership.js';
import { supplierActor, type SupplierDeps, type SupplierMessage } from './supplier-actor.js';
import { replyWhenDone, type RecordMessage } from '../stage-message.js';

export type SuppliersMessage = RecordMessage | { type: 'assigned'; partitions: number[] };

type Children = Map<string, ActorRef<SupplierMessage>>;

export function suppliersActor(deps: SupplierDeps & { providerPartitions: number; recordTimeoutMs: number }): ActorSpec<Children, SuppliersMessage> {
  const spawn = (children: Children, id: string, ctx: ActorContext<SuppliersMessage>): ActorRef<SupplierMessage> | undefined => {
    const existing = children.get(id);
    if (existing) return existing;
    const provider = deps.config.providers.find((p) => p.id === id);
    if (!provider) return undefined;
    const ref = ctx.spawn(`supplier-${id}`, supplierActor(provider, deps));
    children.set(id, ref);
    return ref;
  };
  return {
    kind: 'suppliers',
    init: () => new Map(),
    receive: async (children, message, ctx) => {
      if (message.type === 'assigned') {
        const owned = new Set(ownedProviders(deps.config.providers, message.partitions, deps.providerPartitions).map((p) => p.id));
        for (const [id, ref] of children) {
          if (!owned.has(id)) {
            children.delete(id);
            ctx.log.info('supplier released', { provider: id });
            await ref.stop({ drain: false });
          }
        }
        for (const id of owned) spawn(children, id, ctx);
        return children;
      }
      // A record can only come from a partition this node holds, even if the assignment
      // event has not reached us yet, so it may start its supplier.
      const out = decodeRecord<OutgoingRecord>(message.record.value);
      const ref = spawn(children, out.provider, ctx);
      if (!ref) {
        ctx.log.error('record for a provider not in the configuration; left uncommitted', { provider: out.provider });
        throw new Error(`unknown provider ${out.provider}`);
      }
      replyWhenDone(ctx, ref.ask(message, deps.recordTimeoutMs));
      return children;
    },
  };
}
