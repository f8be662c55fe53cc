/**
 * The routing table: ordered routes, first match wins. Pure: data in, decision out.
 */
import type { RouteConfig } from '../../config/types.js';

export interface RoutableMessage {
  customer: string;
  destination: string;
}

export type RouteDecision =
  | { ok: true; provider: string; routeIndex: number }
  | { ok: false; reason: string };

export function chooseRoute(routes: readonly RouteConfig[], m: RoutableMessage): RouteDecision {
  const dest = m.destination.replace(/^\+/, '');
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i]!;
    if (r.customers.length > 0 && !r.customers.includes(m.customer)) continue;
    if (r.destinationPrefixes.length > 0 && !r.destinationPrefixes.some((p) => dest.startsWith(p))) continue;
    return { ok: true, provider: r.provider, routeIndex: i };
  }
  return { ok: false, reason: `no route for customer ${m.customer} to ${m.destination}` };
}
