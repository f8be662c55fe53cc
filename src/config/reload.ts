/**
 * What a running node takes from a changed configuration: routes, routing, customer groups and
 * provider rates. Everything else (listeners, Kafka, customers, the provider list and their
 * connections) needs a restart, so a new file that changes the provider list is refused rather
 * than half applied. Pure: the node reads the file (GatewayNode.reload).
 */
import { ConfigError } from '../errors.js';
import { compileRoutes } from '../domain/routing/route-table.js';
import type { GatewayConfig } from './types.js';

/** The running configuration with the reloadable parts of `next`; throws ConfigError naming the field. */
export function mergeReload(running: GatewayConfig, next: GatewayConfig): GatewayConfig {
  const ids = running.providers.map((p) => p.id).join(',');
  if (next.providers.map((p) => p.id).join(',') !== ids) {
    throw new ConfigError('providers', `the provider list (${ids}) cannot change without a restart`, next.providers.map((p) => p.id));
  }
  const merged: GatewayConfig = {
    ...running,
    routes: next.routes,
    routing: next.routing,
    customerGroups: next.customerGroups,
    providers: running.providers.map((p, i) => ({ ...p, rate: next.providers[i]!.rate })),
  };
  // Against the running customers: a route may not name a customer this node does not serve.
  compileRoutes(merged);
  return Object.freeze(merged);
}
