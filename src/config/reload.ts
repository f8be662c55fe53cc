/**
 * What a running node takes from a changed configuration file: routes, routing, customer
 * groups, and its customers and providers (which go to the live directory, src/directory/, and
 * from there to every node). Everything else (listeners, Kafka, Redis, threads, the admin
 * listener) needs a restart and stays as it was started. Pure: the node reads the file
 * (GatewayNode.reload) and checks the references against the directory (live-config.ts).
 */
import type { GatewayConfig } from './types.js';

/** The running file configuration with the reloadable parts of `next`. */
export function mergeReload(running: GatewayConfig, next: GatewayConfig): GatewayConfig {
  return Object.freeze({
    ...running,
    routes: next.routes,
    routing: next.routing,
    customerGroups: next.customerGroups,
    customers: next.customers,
    providers: next.providers,
  });
}
