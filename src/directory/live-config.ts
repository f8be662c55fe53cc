/**
 * The configuration a node runs: its file's, with the customers and providers of the live
 * directory. Routes and customer groups stay the file's; references to a customer or provider
 * the directory removed are left out (a route with no provider left, or restricted to customers
 * who are all gone, is left out whole) and reported. A reference to one the directory never
 * had is the file's mistake (`unknown`). Pure.
 */
import type { CustomerConfig, GatewayConfig, ProviderConfig, RouteConfig } from '../config/types.js';
import { validateCustomerEntry, validateProviderEntry } from '../config/validate.js';
import { compileRoutes } from '../domain/routing/route-table.js';
import { compileNumberOwners } from '../domain/routing/number-owners.js';
import { ConfigError, errorMessage } from '../errors.js';
import type { DirectoryState } from './records.js';

export interface LiveConfig {
  config: GatewayConfig;
  /** What was left out because the directory removed it (an operator's doing): worth a warning. */
  removed: string[];
  /** References to customers or providers the directory never had: a mistake in the file. */
  unknown: { field: string; id: string }[];
  /** Directory entries that do not pass the checks (written by a newer or broken tool): skipped. */
  invalid: { key: string; error: string }[];
}

/**
 * Refuses a file whose routes or customer groups name a customer or provider that neither the
 * file nor the directory has (a typo, most likely): ConfigError naming the field.
 */
export function checkReferences(file: GatewayConfig, state: DirectoryState): void {
  const customers = new Set(file.customers.map((c) => c.systemId));
  const providers = new Set(file.providers.map((p) => p.id));
  const known = (kind: 'customer' | 'provider', id: string) => (kind === 'customer' ? customers : providers).has(id) || state.get(kind, id) !== undefined;
  for (const [name, members] of Object.entries(file.customerGroups)) {
    members.forEach((c, j) => {
      if (!known('customer', c)) throw new ConfigError(`customerGroups.${name}[${j}]`, 'names no customer of the file or the live directory', c);
    });
  }
  file.routes.forEach((r, i) => {
    r.providers.forEach((p, j) => {
      // As compileRoutes names it: `provider` for a static route's one provider.
      const field = r.providers.length === 1 && r.kind === 'static' ? `routes[${i}].provider` : `routes[${i}].providers[${j}]`;
      if (!known('provider', p.id)) throw new ConfigError(field, 'names no provider of the file or the live directory', p.id);
    });
    r.customers.forEach((c, j) => {
      if (!known('customer', c)) throw new ConfigError(`routes[${i}].customers[${j}]`, 'names no customer of the file or the live directory', c);
    });
  });
}

export function liveConfig(file: GatewayConfig, state: DirectoryState): LiveConfig {
  const invalid: LiveConfig['invalid'] = [];
  const customers: CustomerConfig[] = state.has('customer') ? [] : [...file.customers];
  for (const r of state.has('customer') ? state.live('customer') : []) {
    try {
      customers.push(validateCustomerEntry(r.entry, `customer ${r.id}`));
    } catch (err) {
      invalid.push({ key: `customer/${r.id}`, error: errorMessage(err) });
    }
  }
  const providers: ProviderConfig[] = state.has('provider') ? [] : [...file.providers];
  for (const r of state.has('provider') ? state.live('provider') : []) {
    try {
      const p = validateProviderEntry(r.entry, `provider ${r.id}`);
      providers.push(r.slot === undefined ? p : Object.freeze({ ...p, slot: r.slot }));
    } catch (err) {
      invalid.push({ key: `provider/${r.id}`, error: errorMessage(err) });
    }
  }
  // Two customers claiming one number: the later in id order loses its numbers' MO until fixed.
  const kept = keepNumberOwners(customers, invalid);

  const customerIds = new Set(kept.map((c) => c.systemId));
  const providerIds = new Set(providers.map((p) => p.id));
  const removed: string[] = [];
  const unknown: LiveConfig['unknown'] = [];
  const gone = (kind: 'customer' | 'provider', id: string, field: string): void => {
    if (state.get(kind, id) !== undefined) removed.push(`${field}: ${kind} ${id} removed`);
    else unknown.push({ field, id });
  };

  const customerGroups: Record<string, string[]> = {};
  for (const [name, members] of Object.entries(file.customerGroups)) {
    customerGroups[name] = members.filter((c, j) => customerIds.has(c) || (gone('customer', c, `customerGroups.${name}[${j}]`), false));
  }
  const routes: RouteConfig[] = [];
  file.routes.forEach((r, i) => {
    const at = `routes[${i}]`;
    const routeProviders = r.providers.filter((p, j) => providerIds.has(p.id) || (gone('provider', p.id, `${at}.providers[${j}]`), false));
    const routeCustomers = r.customers.filter((c, j) => customerIds.has(c) || (gone('customer', c, `${at}.customers[${j}]`), false));
    if (routeProviders.length === 0) return void removed.push(`${at} (${r.name}) left out: no provider left`);
    if (r.kind === 'weighted' && !routeProviders.some((p) => p.weight > 0)) return void removed.push(`${at} (${r.name}) left out: no weighted provider left`);
    // Emptied of its customers it would serve every customer: it served only those, so it goes.
    if (r.customers.length > 0 && routeCustomers.length === 0 && r.customerGroups.length === 0) return void removed.push(`${at} (${r.name}) left out: its customers were removed`);
    routes.push(routeProviders.length === r.providers.length && routeCustomers.length === r.customers.length ? r : { ...r, providers: routeProviders, customers: routeCustomers });
  });

  const removedProviders = state.all('provider').filter((r) => r.entry === null).map((r) => r.id);
  const config: GatewayConfig = Object.freeze({
    ...file, customers: Object.freeze(kept), providers: Object.freeze(providers), removedProviders: Object.freeze(removedProviders),
    customerGroups: Object.freeze(customerGroups), routes: Object.freeze(routes),
  });
  compileRoutes(config);
  return { config, removed, unknown, invalid };
}

function keepNumberOwners(customers: CustomerConfig[], invalid: LiveConfig['invalid']): CustomerConfig[] {
  const kept: CustomerConfig[] = [];
  for (const c of customers) {
    try {
      compileNumberOwners([...kept, c]);
      kept.push(c);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      kept.push({ ...c, numbers: [] });
      invalid.push({ key: `customer/${c.systemId}`, error: `numbers not taken: ${err.message}` });
    }
  }
  return kept;
}
