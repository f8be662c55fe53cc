/**
 * The routing table. Pure: `compileRoutes` turns configuration into a table (or throws a
 * ConfigError naming the field), `chooseRoute` turns a message, the time and the providers
 * currently unavailable into a decision. The node swaps tables at runtime by compiling the
 * new configuration and handing the table to the router; a table that does not compile is
 * never installed.
 *
 * Decisions:
 * - Routes are tried in order; the default route (at most one, no filters) only when no
 *   other route is eligible, wherever it stands in the list.
 * - A route is eligible when every filter it sets matches and at least one of its providers
 *   is available. A route whose providers are all unavailable is skipped, and the decision
 *   then says so (`providers_unavailable`) rather than "no route", so the caller can hold the
 *   message instead of failing it.
 * - `failover`: the first available provider in order. A provider that rejects a message is
 *   added to `unavailable` by the caller and the decision taken again.
 * - `weighted`: the available providers by weight, with a number in [0, 1) that is the
 *   context's `random` when given, else a hash of the message id, so one message always goes
 *   the same way (redeliveries included) and many messages spread by weight.
 * - Price: the chosen provider's price on the route, else the route's price. In `cheapest`
 *   mode the eligible route with the lowest price wins (ties: the earlier route); routes
 *   without a price rank after every priced one.
 */
import { ConfigError } from '../../errors.js';
import type { CustomerConfig, ProviderConfig, RouteConfig, RouteKind, RoutingConfig } from '../../config/types.js';
import { encodingClass, type EncodingClass } from '../encoding-class.js';
import { stableUnit } from '../hash.js';
import { clockFor, compileWindow, inWindow, type CompiledWindow, type LocalClock } from './time-window.js';

/** What compileRoutes reads: a validated GatewayConfig qualifies. */
export interface RoutingInput {
  routes: readonly RouteConfig[];
  routing: Pick<RoutingConfig, 'mode' | 'timeZone'>;
  customerGroups: Readonly<Record<string, readonly string[]>>;
  providers: readonly Pick<ProviderConfig, 'id' | 'slot'>[];
  customers: readonly Pick<CustomerConfig, 'systemId'>[];
}

export interface CompiledProvider {
  id: string;
  weight: number;
  price: number | undefined;
}

export interface CompiledRoute {
  index: number;
  name: string;
  kind: RouteKind;
  isDefault: boolean;
  providers: readonly CompiledProvider[];
  /** undefined: any customer. */
  customers: ReadonlySet<string> | undefined;
  destinationPrefixes: readonly string[];
  destinationPattern: RegExp | undefined;
  sourcePrefixes: readonly string[];
  sourcePattern: RegExp | undefined;
  windows: readonly CompiledWindow[];
  clock: LocalClock;
  encodings: ReadonlySet<EncodingClass> | undefined;
}

export interface RouteTable {
  mode: RoutingConfig['mode'];
  /** Every route but the default, in order. */
  routes: readonly CompiledRoute[];
  defaultRoute: CompiledRoute | undefined;
}

export interface RoutableMessage {
  /** Gateway message id: drives the weighted choice when no random number is given. */
  id: string;
  customer: string;
  source: string;
  destination: string;
  dataCoding: number;
}

export interface RouteContext {
  /** Milliseconds since the epoch, for time windows. */
  now: number;
  /** Providers that are down or refused this message. */
  unavailable?: ReadonlySet<string>;
  /** A number in [0, 1) for the weighted choice; the message id's hash when absent. */
  random?: number;
}

export type RouteDecision =
  | { ok: true; provider: string; route: string; routeIndex: number; kind: RouteKind; price: number | undefined }
  | { ok: false; code: 'no_route' | 'providers_unavailable'; reason: string };

export function compileRoutes(input: RoutingInput): RouteTable {
  const providerIds = new Set(input.providers.map((p) => p.id));
  const customerIds = new Set(input.customers.map((c) => c.systemId));
  const defaultClock = clockFor(input.routing.timeZone, 'routing.timeZone');
  const names = new Map<string, number>();
  const compiled = input.routes.map((r, i) => {
    const at = `routes[${i}]`;
    const seen = names.get(r.name);
    if (seen !== undefined) throw new ConfigError(`${at}.name`, `is also the name of routes[${seen}]`, r.name);
    names.set(r.name, i);
    return compileRoute(r, i, at, { providerIds, customerIds, groups: input.customerGroups, defaultClock });
  });
  const defaults = compiled.filter((r) => r.isDefault);
  if (defaults.length > 1) throw new ConfigError(`routes[${defaults[1]!.index}].default`, `only one route may be the default (routes[${defaults[0]!.index}] is)`, true);
  return Object.freeze({
    mode: input.routing.mode,
    routes: Object.freeze(compiled.filter((r) => !r.isDefault)),
    defaultRoute: defaults[0],
  });
}

interface CompileEnv {
  providerIds: ReadonlySet<string>;
  customerIds: ReadonlySet<string>;
  groups: Readonly<Record<string, readonly string[]>>;
  defaultClock: LocalClock;
}

function compileRoute(r: RouteConfig, index: number, at: string, env: CompileEnv): CompiledRoute {
  const path = (k: string) => `${at}.${k}`;
  if (r.providers.length === 0) throw new ConfigError(path('providers'), 'must name at least one provider');
  if (r.kind === 'static' && r.providers.length !== 1) throw new ConfigError(path('providers'), 'a static route has exactly one provider', r.providers.map((p) => p.id));
  const providers = r.providers.map((p, j): CompiledProvider => {
    const field = r.providers.length === 1 && r.kind === 'static' ? path('provider') : path(`providers[${j}]`);
    if (!env.providerIds.has(p.id)) throw new ConfigError(field, 'names no configured provider', p.id);
    if (!(p.weight >= 0) || !Number.isFinite(p.weight)) throw new ConfigError(`${field}.weight`, 'must be a number >= 0', p.weight);
    if (p.price !== undefined && !(p.price >= 0)) throw new ConfigError(`${field}.price`, 'must be a number >= 0', p.price);
    return { id: p.id, weight: p.weight, price: p.price ?? r.price };
  });
  const dup = providers.findIndex((p, j) => providers.findIndex((q) => q.id === p.id) !== j);
  if (dup >= 0) throw new ConfigError(path(`providers[${dup}]`), 'names a provider already on this route', providers[dup]!.id);
  if (r.kind === 'weighted' && !providers.some((p) => p.weight > 0)) throw new ConfigError(path('providers'), 'a weighted route needs a provider with a weight above 0');
  if (r.price !== undefined && !(r.price >= 0)) throw new ConfigError(path('price'), 'must be a number >= 0', r.price);

  let customers: Set<string> | undefined;
  if (r.customers.length > 0 || r.customerGroups.length > 0) {
    customers = new Set();
    r.customers.forEach((c, j) => {
      if (!env.customerIds.has(c)) throw new ConfigError(path(`customers[${j}]`), 'names no configured customer', c);
      customers!.add(c);
    });
    r.customerGroups.forEach((g, j) => {
      const members = Object.hasOwn(env.groups, g) ? env.groups[g] : undefined;
      if (!members) throw new ConfigError(path(`customerGroups[${j}]`), 'names no group in customerGroups', g);
      for (const c of members) customers!.add(c);
    });
  }
  r.destinationPrefixes.forEach((p, j) => {
    if (!/^\d+$/.test(p)) throw new ConfigError(path(`destinationPrefixes[${j}]`), 'must be digits', p);
  });
  const windows = r.timeWindows.map((w, j) => compileWindow(w, path(`timeWindows[${j}]`)));
  const route: CompiledRoute = {
    index, name: r.name, kind: r.kind, isDefault: r.default, providers,
    customers,
    destinationPrefixes: r.destinationPrefixes,
    destinationPattern: pattern(r.destinationPattern, path('destinationPattern')),
    sourcePrefixes: r.sourcePrefixes,
    sourcePattern: pattern(r.sourcePattern, path('sourcePattern')),
    windows,
    clock: r.timeZone === undefined ? env.defaultClock : clockFor(r.timeZone, path('timeZone')),
    encodings: r.encodings.length > 0 ? new Set(r.encodings) : undefined,
  };
  if (route.isDefault) {
    const filters = [
      route.customers && 'customers', route.destinationPrefixes.length && 'destinationPrefixes', route.destinationPattern && 'destinationPattern',
      route.sourcePrefixes.length && 'sourcePrefixes', route.sourcePattern && 'sourcePattern', windows.length && 'timeWindows', route.encodings && 'encodings',
    ].filter(Boolean);
    if (filters.length > 0) throw new ConfigError(path('default'), `the default route takes every message and has no filters (found ${filters.join(', ')})`, true);
  }
  return Object.freeze(route);
}

function pattern(source: string | undefined, field: string): RegExp | undefined {
  if (source === undefined) return undefined;
  try {
    return new RegExp(source);
  } catch (err) {
    throw new ConfigError(field, `is not a valid regular expression: ${(err as Error).message}`, source);
  }
}

/** Why a route did not take a message: the first filter that failed. */
export type FilterMiss = 'customer' | 'destination' | 'source' | 'time' | 'encoding';

export function filterMiss(r: CompiledRoute, m: RoutableMessage, now: number): FilterMiss | undefined {
  if (r.customers && !r.customers.has(m.customer)) return 'customer';
  const dest = m.destination.replace(/^\+/, '');
  if (r.destinationPrefixes.length > 0 && !r.destinationPrefixes.some((p) => dest.startsWith(p))) return 'destination';
  if (r.destinationPattern && !r.destinationPattern.test(dest)) return 'destination';
  const src = m.source.replace(/^\+/, '');
  if (r.sourcePrefixes.length > 0 && !r.sourcePrefixes.some((p) => src.startsWith(p))) return 'source';
  if (r.sourcePattern && !r.sourcePattern.test(src)) return 'source';
  if (r.encodings && !r.encodings.has(encodingClass(m.dataCoding))) return 'encoding';
  if (r.windows.length > 0) {
    const t = r.clock(now);
    if (!r.windows.some((w) => inWindow(w, t))) return 'time';
  }
  return undefined;
}

/** The provider a route gives a message, or undefined when all of its providers are unavailable. */
export function pickProvider(r: CompiledRoute, unavailable: ReadonlySet<string>, unit: number): CompiledProvider | undefined {
  const up = r.providers.filter((p) => !unavailable.has(p.id));
  if (r.kind !== 'weighted') return up[0];
  const weighted = up.filter((p) => p.weight > 0);
  const total = weighted.reduce((sum, p) => sum + p.weight, 0);
  if (total <= 0) return undefined;
  let target = Math.min(Math.max(unit, 0), 1 - Number.EPSILON) * total;
  for (const p of weighted) {
    if (target < p.weight) return p;
    target -= p.weight;
  }
  return weighted[weighted.length - 1];
}

export function chooseRoute(table: RouteTable, m: RoutableMessage, ctx: RouteContext): RouteDecision {
  const unavailable = ctx.unavailable ?? new Set<string>();
  const unit = ctx.random ?? stableUnit(m.id);
  let best: { route: CompiledRoute; provider: CompiledProvider } | undefined;
  const down: string[] = [];
  const consider = (route: CompiledRoute): boolean => {
    if (filterMiss(route, m, ctx.now) !== undefined) return false;
    const provider = pickProvider(route, unavailable, unit);
    if (!provider) {
      down.push(route.name);
      return false;
    }
    if (!best || cheaper(provider.price, best.provider.price)) best = { route, provider };
    return true;
  };
  for (const route of table.routes) {
    if (consider(route) && table.mode === 'first') break;
  }
  if (!best && table.defaultRoute) consider(table.defaultRoute);
  if (best) {
    const { route, provider } = best;
    return { ok: true, provider: provider.id, route: route.name, routeIndex: route.index, kind: route.kind, price: provider.price };
  }
  const what = `customer ${m.customer} from ${m.source || '(no source)'} to ${m.destination} (${encodingClass(m.dataCoding)})`;
  if (down.length > 0) {
    const ids = [...new Set(down.flatMap((name) => routeNamed(table, name)?.providers.map((p) => p.id) ?? []))];
    return { ok: false, code: 'providers_unavailable', reason: `routes ${down.join(', ')} match ${what} but their providers ${ids.join(', ')} are unavailable` };
  }
  return { ok: false, code: 'no_route', reason: `no route for ${what}` };
}

function cheaper(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined) return false;
  return b === undefined || a < b;
}

function routeNamed(table: RouteTable, name: string): CompiledRoute | undefined {
  return table.routes.find((r) => r.name === name) ?? (table.defaultRoute?.name === name ? table.defaultRoute : undefined);
}
