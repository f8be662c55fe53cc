/**
 * The operator's controls of a provider bind, as the control plane sends them to the bind's
 * supplier actor (over a worker thread's port) and the answer it gets back. Both sides use
 * these types; the answer crosses a thread as plain data, so it is checked, not cast.
 */
import { GatewayError } from '../../errors.js';

export type SupplierControl =
  | { type: 'control'; action: 'pause' }
  | { type: 'control'; action: 'resume' }
  | { type: 'control'; action: 'rate'; rate: number };

/** How the bind stands after the control. */
export interface SupplierControlReply {
  provider: string;
  paused: boolean;
  rate: number;
}

/** The actors that take these controls: kind `supplier`, named after their provider. */
export const SUPPLIER_KIND = 'supplier';

export function supplierActorName(provider: string): string {
  return `supplier-${provider}`;
}

/** A supplier's answer as it came over the thread port. */
export function readSupplierControlReply(value: unknown): SupplierControlReply {
  const v = value as Partial<SupplierControlReply> | null;
  if (typeof v !== 'object' || v === null || typeof v.provider !== 'string' || typeof v.paused !== 'boolean' || typeof v.rate !== 'number') {
    throw new GatewayError('CONTROL_REPLY_INVALID', `a supplier answered a control with ${JSON.stringify(value)}`);
  }
  return { provider: v.provider, paused: v.paused, rate: v.rate };
}
